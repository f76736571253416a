"""What a user would otherwise write: substrate-interface computing the exporter's per-block
metrics block by block (the default set's storage values, events, fees, calls with their
outcome, XCM transfers, each pool's members and points), and how many blocks per second it
manages. Usage: python3 backfill_substrate_interface.py URL BLOCKS"""
import sys
import time
from collections import Counter

from substrateinterface import SubstrateInterface

substrate = SubstrateInterface(url=sys.argv[1])
blocks = int(sys.argv[2])

# Plain storage values the default definitions read at every block.
VALUES = [
    ("System", "BlockWeight"), ("Timestamp", "Now"), ("Balances", "TotalIssuance"),
    ("TransactionPayment", "NextFeeMultiplier"), ("Staking", "ActiveEra"), ("Staking", "CurrentEra"),
    ("Staking", "CounterForValidators"), ("Staking", "CounterForNominators"),
    ("NominationPools", "CounterForBondedPools"), ("NominationPools", "CounterForPoolMembers"),
    ("NominationPools", "TotalValueLocked"), ("ElectionProviderMultiPhase", "Round"),
    ("ElectionProviderMultiPhase", "SnapshotMetadata"), ("ElectionProviderMultiPhase", "QueuedSolution"),
]

started = time.time()
samples = 0
previous_time = None
for number in range(1, blocks + 1):
    block_hash = substrate.get_block_hash(number)
    values = {f"{p}.{i}": substrate.query(p, i, block_hash=block_hash).value for p, i in VALUES}
    era = values["Staking.ActiveEra"]
    if era:
        values["Staking.ErasTotalStake"] = substrate.query("Staking", "ErasTotalStake", [era["index"]], block_hash=block_hash).value
    block_time = None if previous_time is None else (values["Timestamp.Now"] - previous_time) / 1000
    previous_time = values["Timestamp.Now"]

    events = substrate.get_events(block_hash=block_hash)
    by_event = Counter((e.value["module_id"], e.value["event_id"]) for e in events)
    fees = sum(e.value["attributes"]["actual_fee"] for e in events if e.value["event_id"] == "TransactionFeePaid")
    tips = sum(e.value["attributes"]["tip"] for e in events if e.value["event_id"] == "TransactionFeePaid")
    rewards = sum(e.value["attributes"]["amount"] for e in events if e.value["event_id"] == "Rewarded")

    extrinsics = substrate.get_block(block_hash=block_hash)["extrinsics"]
    outcome = {}
    for e in events:
        phase = e.value.get("extrinsic_idx")
        if e.value["event_id"] in ("ExtrinsicSuccess", "ExtrinsicFailed") and phase is not None:
            outcome[phase] = "success" if e.value["event_id"] == "ExtrinsicSuccess" else "failed"
    calls = Counter()
    xcm = Counter()
    for index, extrinsic in enumerate(extrinsics):
        call = extrinsic.value["call"]
        queue = [call]
        while queue:
            current = queue.pop()
            calls[(current["call_module"], current["call_function"], "signature" in extrinsic.value, outcome.get(index))] += 1
            for argument in current.get("call_args", []):
                if argument["name"] == "calls":
                    queue.extend(argument["value"])
            if current["call_module"] == "XcmPallet":
                destination = next((a["value"] for a in current["call_args"] if a["name"] == "dest"), None)
                xcm[str(destination)] += 1

    pools = {}
    for pool_id, pool in substrate.query_map("NominationPools", "BondedPools", block_hash=block_hash):
        pools[pool_id.value] = (pool.value["member_counter"], pool.value["points"])

    samples += len(values) + len(by_event) + len(calls) + len(xcm) + 2 * len(pools) + 4 + (block_time is not None)

elapsed = time.time() - started
print(f"substrate-interface (the default per-block set): {blocks} blocks, {samples} values in {elapsed:.2f} s: {blocks / elapsed:.1f} blocks/s")
