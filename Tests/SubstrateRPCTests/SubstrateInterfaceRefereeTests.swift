import ChainFixtures
import ExactJSON
import Foundation
import SCALE
import Substrate
import SubstrateRPC
import Testing

/// Python's substrate-interface, an independent Substrate client, reads the devnode: blocks,
/// extrinsics, events and storage at several heights must be what our client and decoder read.
@Suite(.timeLimit(.minutes(3))) struct SubstrateInterfaceRefereeTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let arguments: [String]
        let heights: [UInt64]
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let cases = [
        Case(arguments: ["--history", "30", "--block-time", "0", "--seed", "11", "--transfers-per-block", "3"], heights: [1, 9, 17, 30]),
        // Across a runtime upgrade: spec 1002000 up to block 9 (which sets the new code), 1003000 from block 10.
        Case(arguments: [
            "--history", "20", "--block-time", "0", "--seed", "4",
            "--metadata", ChainData.url("metadata/polkadot_1002000_v14.scale").path,
            "--upgrade-at", "10:" + ChainData.url("metadata/polkadot_1003000_v14.scale").path,
        ], heights: [5, 9, 10, 20]),
        // A V16 runtime, whose V14 form state_getMetadata serves, as a node does.
        Case(arguments: [
            "--history", "20", "--block-time", "0", "--seed", "7", "--metadata", ChainData.url("metadata/polkadot_2003000_v16.scale").path,
        ], heights: [1, 12, 20]),
    ]

    @Test(arguments: cases)
    func substrateInterfaceReadsWhatTheDevnodeGenerated(_ testCase: Case) async throws {
        let node = try await DevnodeProcess.launch(testCase.arguments)
        defer { node.stop() }
        let heights = testCase.heights
        let script = """
            import json, sys
            from substrateinterface import SubstrateInterface
            from scalecodec.utils.ss58 import ss58_decode
            s = SubstrateInterface(url=sys.argv[1])
            is_pool = lambda address: bytes.fromhex(ss58_decode(address)).startswith(b"modlpy/nopls")
            out = []
            for number in json.loads(sys.argv[2]):
                h = s.get_block_hash(number)
                block = s.get_block(block_hash=h)
                extrinsics = []
                for e in block["extrinsics"]:
                    v = e.value
                    args = {a["name"]: a["value"] for a in v["call"]["call_args"]}
                    extrinsics.append({"pallet": v["call"]["call_module"], "call": v["call"]["call_function"],
                                       "signer": v.get("address"), "nonce": v.get("nonce"), "tip": v.get("tip"),
                                       "value": args.get("value"), "now": args.get("now")})
                events = [{"phase": e.value["extrinsic_idx"], "pallet": e.value["module_id"], "event": e.value["event_id"],
                           "amount": (e.value["attributes"] or {}).get("amount") if isinstance(e.value["attributes"], dict) else None}
                          for e in s.get_events(block_hash=h)]
                signer = next((x["signer"] for x in extrinsics if x["signer"]), None)
                free = s.query("System", "Account", [signer], block_hash=h).value["data"]["free"] if signer else None
                out.append({"number": number, "hash": h, "extrinsics": extrinsics, "events": events,
                            "issuance": str(s.query("Balances", "TotalIssuance", block_hash=h).value),
                            "now": s.query("Timestamp", "Now", block_hash=h).value,
                            "signer": signer, "free": str(free) if free is not None else None})
            print(json.dumps(out))
            """
        let url = node.webSocketURL, list = "[\(heights.map(String.init).joined(separator: ","))]"
        let output = try await PythonReferee.run(script, arguments: [url, list])
        let answers = try #require(try JSON.parse(output).arrayValue)
        #expect(answers.count == heights.count)

        let client = SubstrateRPCClient(transport: HTTPTransport(endpoint: node.httpURL))
        var transfersSeen = 0
        var specVersions = Set<UInt32>()
        for (number, theirs) in zip(heights, answers) {
            let hash = try #require(try await client.chainGetBlockHash(number))
            #expect(theirs["hash"]?.stringValue == hash)
            // A block runs the runtime of its parent's state; its events and storage are read with
            // the runtime of its own state (what substrate-interface does too).
            let parent = try #require(try await client.chainGetBlockHash(number - 1))
            let executing = try RuntimeMetadata.decode(hex: try await client.stateGetMetadata(at: parent))
            let metadata = try RuntimeMetadata.decode(hex: try await client.stateGetMetadata(at: hash))
            specVersions.insert(try #require(executing.runtimeVersion?.specVersion))
            let keys = StorageKeyBuilder(metadata: metadata)
            let values = ValueDecoder(registry: metadata.types)
            func storage(_ key: [UInt8], _ entry: (String, String)) async throws -> Value {
                let hex = try #require(try await client.stateGetStorage(Hex.encode(key), at: hash))
                return try values.decode(try #require(metadata.storageEntry(pallet: entry.0, item: entry.1)).valueType, bytes: try #require(Hex.decode(hex)))
            }
            let eventsHex = try await client.stateGetStorage(Hex.encode(try keys.key(pallet: "System", item: "Events")), at: hash)
            let blockJSON = try await client.chainGetBlock(hash)
            let extrinsics = try DecodedBlock.decode(blockJSON: blockJSON, eventsBytes: nil, metadata: executing)
            let events = try DecodedBlock.decode(blockJSON: nil, eventsBytes: eventsHex.flatMap { Hex.decode($0) }, metadata: metadata)
            let block = DecodedBlock(header: extrinsics.header, extrinsics: extrinsics.extrinsics, events: events.events)
            let ours = try #require(block.extrinsics)
            let theirExtrinsics = try #require(theirs["extrinsics"]?.arrayValue)
            #expect(theirExtrinsics.count == ours.count, "block \(number)")
            for (extrinsic, their) in zip(ours, theirExtrinsics) {
                #expect(their["pallet"]?.stringValue == extrinsic.call.pallet && their["call"]?.stringValue == extrinsic.call.name)
                #expect(their["signer"]?.stringValue == extrinsic.signer(ss58Prefix: 0))
                #expect(their["nonce"]?.uint64Value == extrinsic.nonce)
                #expect(their["tip"]?.uint64Value.map { String($0) } == extrinsic.tip.map { String($0) })
                if let value = extrinsic.call.argument("value")?.uint128 {
                    #expect(their["value"] == .number(String(value)))
                    transfersSeen += 1
                }
                if let now = extrinsic.call.argument("now")?.uint64 { #expect(their["now"]?.uint64Value == now) }
            }
            let theirEvents = try #require(theirs["events"]?.arrayValue)
            let ourEvents = try #require(block.events)
            #expect(theirEvents.count == ourEvents.count)
            for (event, their) in zip(ourEvents, theirEvents) {
                #expect(their["pallet"]?.stringValue == event.pallet && their["event"]?.stringValue == event.name)
                if case let .applyExtrinsic(index) = event.phase { #expect(their["phase"]?.uint64Value == UInt64(index)) }
                if let amount = event.field("amount")?.uint128 { #expect(their["amount"] == .number(String(amount))) }
            }
            let issuance = try await storage(try keys.key(pallet: "Balances", item: "TotalIssuance"), ("Balances", "TotalIssuance"))
            #expect(theirs["issuance"]?.stringValue == issuance.uint128.map { String($0) })
            let now = try await storage(try keys.key(pallet: "Timestamp", item: "Now"), ("Timestamp", "Now"))
            #expect(theirs["now"]?.uint64Value == now.uint64)
            if let signer = theirs["signer"]?.stringValue {
                let account = try SS58.decode(signer).account
                let info = try await storage(try keys.key(pallet: "System", item: "Account", keys: [.bytes(account)]), ("System", "Account"))
                #expect(theirs["free"]?.stringValue == info.value(at: "data.free")?.uint128.map { String($0) })
            }
        }
        #expect(transfersSeen > 0, "no block in the sample carried a transfer")
        // The upgrade case crosses runtimes: both spec versions executed blocks in the sample.
        #expect(specVersions.count == (testCase.arguments.contains("--upgrade-at") ? 2 : 1), "\(specVersions)")
    }

    /// The chain adds up, as the independent client reads it: block by block, total issuance
    /// moves by exactly what was minted (staking rewards, the treasury's era share) and burned
    /// (teleports out); it always equals the sum of all account balances; staking and pool
    /// counters equal the entries of their maps, the value locked in pools their bonded accounts' ledger totals;
    /// XCM, staking and pool extrinsics all occur.
    @Test func theChainAddsUpForAnIndependentClient() async throws {
        let node = try await DevnodeProcess.launch(["--history", "45", "--block-time", "0", "--seed", "21"])
        defer { node.stop() }
        let script = """
            import json, sys
            from substrateinterface import SubstrateInterface
            from scalecodec.utils.ss58 import ss58_decode
            s = SubstrateInterface(url=sys.argv[1])
            is_pool = lambda address: bytes.fromhex(ss58_decode(address)).startswith(b"modlpy/nopls")
            out = []
            for number in range(0, int(sys.argv[2]) + 1):
                h = s.get_block_hash(number)
                minted = burned = 0
                failures = []
                for e in s.get_events(block_hash=h):
                    v = e.value
                    a = v["attributes"] if isinstance(v["attributes"], dict) else {}
                    key = v["module_id"] + "." + v["event_id"]
                    if key == "System.ExtrinsicFailed": failures.append(a["dispatch_error"])
                    if key == "Staking.Rewarded": minted += a["amount"]
                    if key == "Staking.EraPaid": minted += a["remainder"]
                    if key == "Balances.Burned": burned += a["amount"]
                calls = [e.value["call"]["call_module"] + "." + e.value["call"]["call_function"] for e in s.get_block(block_hash=h)["extrinsics"]]
                free = sum(a.value["data"]["free"] for _, a in s.query_map("System", "Account", block_hash=h, page_size=100))
                count = lambda p, i: len(list(s.query_map(p, i, block_hash=h, page_size=100)))
                active = s.query("Staking", "ActiveEra", block_hash=h).value
                members = list(s.query_map("NominationPools", "PoolMembers", block_hash=h, page_size=100))
                out.append({
                    "number": number, "calls": calls, "failures": failures, "minted": str(minted), "burned": str(burned), "free": str(free),
                    "issuance": str(s.query("Balances", "TotalIssuance", block_hash=h).value),
                    "era": active["index"], "era_stake": str(s.query("Staking", "ErasTotalStake", [active["index"]], block_hash=h).value),
                    "validators": [s.query("Staking", "CounterForValidators", block_hash=h).value, count("Staking", "Validators")],
                    "nominators": [s.query("Staking", "CounterForNominators", block_hash=h).value, count("Staking", "Nominators")],
                    "pools": [s.query("NominationPools", "CounterForBondedPools", block_hash=h).value, count("NominationPools", "BondedPools")],
                    "members": [s.query("NominationPools", "CounterForPoolMembers", block_hash=h).value, len(members)],
                    "locked": [str(s.query("NominationPools", "TotalValueLocked", block_hash=h).value),
                               str(sum(l.value["total"] for k, l in s.query_map("Staking", "Ledger", block_hash=h, page_size=100) if is_pool(k.value)))],
                })
            print(json.dumps(out))
            """
        let output = try await PythonReferee.run(script, arguments: [node.webSocketURL, "45"])
        let blocks = try #require(try JSON.parse(output).arrayValue)
        #expect(blocks.count == 46)
        func integer(_ json: JSON?) -> UInt128? { json?.stringValue.flatMap { UInt128($0) } }
        var calls = Set<String>()
        var failures = 0
        for (previous, block) in zip(blocks, blocks.dropFirst()) {
            let number = try #require(block["number"]?.uint64Value)
            let issuance = try #require(integer(block["issuance"])), before = try #require(integer(previous["issuance"]))
            let minted = try #require(integer(block["minted"])), burned = try #require(integer(block["burned"]))
            #expect(issuance + burned == before + minted, "block \(number): issuance \(before) → \(issuance), minted \(minted), burned \(burned)")
            #expect(integer(block["free"]) == issuance, "block \(number): balances do not sum to the issuance")
            #expect(block["era"]?.uint64Value == number / 10, "block \(number)")
            #expect((integer(block["era_stake"]) ?? 0) > 0, "block \(number): no ErasTotalStake for the active era")
            for counter in ["validators", "nominators", "pools", "members", "locked"] {
                let pair = try #require(block[counter]?.arrayValue)
                #expect(pair.count == 2 && pair[0] == pair[1], "block \(number): \(counter) counter \(pair)")
            }
            for call in try #require(block["calls"]?.arrayValue) { calls.insert(call.stringValue ?? "") }
            for failure in try #require(block["failures"]?.arrayValue) {
                // Balances (pallet 5) InsufficientBalance (error 2), as the independent client reads it.
                #expect(failure == .object(["Module": .object(["index": .number(5), "error": .string("0x02000000")])]), "block \(number)")
                failures += 1
            }
        }
        for call in [
            "XcmPallet.limited_reserve_transfer_assets", "XcmPallet.limited_teleport_assets", "Staking.payout_stakers",
            "Staking.bond_extra", "Staking.bond", "Staking.nominate", "NominationPools.join", "NominationPools.bond_extra", "NominationPools.unbond",
            "Utility.batch_all", "Balances.transfer_keep_alive",
        ] {
            #expect(calls.contains(call), "no \(call) in 45 blocks")
        }
        #expect(failures == 5, "one failed transfer every ninth block")
    }
}
