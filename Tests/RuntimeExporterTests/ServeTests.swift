import AsyncHTTPClient
import ChainFixtures
import ExactJSON
import Foundation
import NIOCore
import NIOHTTP1
import SCALE
import Substrate
import SubstrateRPC
import Testing

/// `runtime-exporter serve` following a real devnode, scraped over HTTP like Prometheus does, and
/// compared with the devnode's own truth at the same finalized block: gauges exactly, counters
/// by their increase between two scrapes, with finality jumping three blocks at a time.
@Suite(.timeLimit(.minutes(3))) struct ServeTests {
    @Test func metricsEqualTheChainAtTheSameBlock() async throws {
        let node = try await DevnodeProcess.launch(["--history", "12", "--block-time", "0.25", "--finality-lag", "1", "--finality-step", "3"])
        defer { node.stop() }
        let exporter = try await ExporterProcess.launch(["--rpc", node.webSocketURL])
        defer { exporter.stop() }
        let client = SubstrateRPCClient(transport: HTTPTransport(endpoint: node.httpURL), timeout: .seconds(20))

        let first = try await MetricsSnapshot.scrape(exporter.metricsURL, atLeast: 16)
        let second = try await MetricsSnapshot.scrape(exporter.metricsURL, atLeast: first.block + 8)
        for snapshot in [first, second] {
            let hash = try #require(try await client.chainGetBlockHash(snapshot.block))
            let metadata = try RuntimeMetadata.decode(hex: try await client.stateGetMetadata(at: hash))
            for (metric, pallet, item, decimals) in [
                ("runtime_balances_total_issuance_tokens", "Balances", "TotalIssuance", 10),
                ("runtime_nomination_pools_value_locked_tokens", "NominationPools", "TotalValueLocked", 10),
                ("runtime_staking_nominator_intentions", "Staking", "CounterForNominators", 0),
                ("runtime_nomination_pools_members", "NominationPools", "CounterForPoolMembers", 0),
            ] {
                let key = Hex.encode(try StorageKeyBuilder(metadata: metadata).key(pallet: pallet, item: item))
                let raw = try #require(try await client.stateGetStorage(key, at: hash).flatMap { Hex.decode($0) })
                let value = try ValueDecoder(registry: metadata.types).decode(try #require(metadata.storageEntry(pallet: pallet, item: item)).valueType, bytes: raw)
                let truth = try #require(value.uint128)
                #expect(snapshot.values[metric] == TokenAmount(planck: truth, decimals: decimals).description, "\(metric) at block \(snapshot.block)")
            }
        }

        // The collectors against the devnode's own record of what it did: each pool's values and
        // the era's stake exactly; XCM counters by their increase, per destination.
        var truths = [JSON]()
        for snapshot in [first, second] {
            let hash = try #require(try await client.chainGetBlockHash(snapshot.block))
            let truth = try await client.call("devnode_truth", [.string(hash)])
            truths.append(truth)
            guard case let .object(pools)? = truth["pools"] else { Issue.record("devnode_truth has no pools"); return }
            #expect(pools.count >= 1)
            for pool in pools {
                for (metric, field, decimals) in Self.poolMetrics {
                    let planck = try #require(pool.value[field]?.stringValue.flatMap { UInt128($0) })
                    #expect(snapshot.series["runtime_nomination_pool_\(metric){chain=\"polkadot\",pool=\"\(pool.key)\"}"] == TokenAmount(planck: planck, decimals: decimals).description,
                            "pool \(pool.key) \(metric) at block \(snapshot.block)")
                }
            }
            for (metric, field) in [("total", "total"), ("own", "own"), ("nominator", "others")] {
                let planck = try #require(truth["staking"]?[field]?.stringValue.flatMap { UInt128($0) })
                #expect(snapshot.values["runtime_staking_era_\(metric)_stake_tokens"] == TokenAmount(planck: planck, decimals: 10).description, "\(metric) stake at block \(snapshot.block)")
            }
            #expect(snapshot.values["runtime_staking_active_nominator_backings"] == truth["staking"]?["nominator_backings"]?.uint64Value.map { String($0) })
            #expect(snapshot.values["runtime_staking_active_validators"] == truth["staking"]?["active_validators"]?.uint64Value.map { String($0) })
            #expect(snapshot.series["runtime_system_runtime_info{chain=\"polkadot\",spec_name=\"polkadot\",spec_version=\"2000000\"}"] == "1")
            #expect(snapshot.values["runtime_parachains_active"] == truth["parachains"]?["active"]?.uint64Value.map { String($0) })
            #expect(snapshot.values["runtime_parachain_backing_validators"] == truth["parachains"]?["backing_validators"]?.uint64Value.map { String($0) })
            #expect(snapshot.values["runtime_parachain_cores"] == truth["parachains"]?["cores"]?.uint64Value.map { String($0) })
            // A relay chain's session validators are staking's.
            #expect(snapshot.values["runtime_session_validators"] == truth["staking"]?["active_validators"]?.uint64Value.map { String($0) })
            // Each live parachain named from the shipped table.
            let named = snapshot.series.filter { $0.key.hasPrefix("runtime_parachain_info{") }
            #expect(named == Dictionary(uniqueKeysWithValues: [(1000, "Asset Hub"), (1002, "Bridge Hub"), (2004, "Moonbeam"), (2034, "Hydration")].map { id, name in
                ("runtime_parachain_info{chain=\"polkadot\",name=\"\(name)\",para_id=\"\(id)\"}", "1")
            }), "\(named)")
        }
        let xcmSeen = try Self.checkXCM(from: first, to: second, truths: (truths[0], truths[1]), chain: "polkadot")
        #expect(xcmSeen >= 1, "no XCM transfer between the scrapes: the comparison would prove nothing")
        try Self.checkParachains(from: first, to: second, truths: (truths[0], truths[1]))
        // Parachains' upward messages, processed by the relay chain's message queue.
        #expect(try Self.checkMessageQueue(from: first, to: second, truths: (truths[0], truths[1]), chain: "polkadot") >= 1)
        let governance = try Self.checkGovernance(from: first, to: second, truths: (truths[0], truths[1]), chain: "polkadot")
        #expect(governance.referenda >= 2, "no referendum moved between the scrapes")

        // Election and voter-list values against the truth: per-block ones at the scraped block,
        // scheduled ones at the block their last read reflects.
        for snapshot in [first, second] {
            let truth = try await Self.truth(client, at: snapshot.block)
            try Self.checkElection(snapshot, truth: truth)
        }
        try await Self.checkScheduledReads(exporter, client: client)
        let submissions = { (snapshot: MetricsSnapshot, kind: String) in
            snapshot.series["runtime_election_submissions_total{chain=\"polkadot\",kind=\"\(kind)\"}"].flatMap { UInt64($0) } ?? 0
        }
        for kind in ["signed", "unsigned"] {
            let sent = { (truth: JSON) in truth["election"]?["\(kind)_submissions"]?.uint64Value ?? 0 }
            #expect(submissions(second, kind) - submissions(first, kind) == sent(truths[1]) - sent(truths[0]), "\(kind) submissions")
        }

        // Counters grow by exactly what the blocks between the two scrapes hold: every block once.
        var fees: UInt128 = 0
        var calls: UInt128 = 0
        for number in (first.block + 1)...second.block {
            let hash = try #require(try await client.chainGetBlockHash(number))
            let parent = try #require(try await client.chainGetBlockHash(number - 1))
            let metadata = try RuntimeMetadata.decode(hex: try await client.stateGetMetadata(at: parent))
            let eventsKey = Hex.encode(try StorageKeyBuilder(metadata: metadata).key(pallet: "System", item: "Events"))
            let block = try DecodedBlock.decode(
                blockJSON: try await client.chainGetBlock(hash),
                eventsBytes: try await client.stateGetStorage(eventsKey, at: hash).flatMap { Hex.decode($0) }, metadata: metadata)
            for event in block.events ?? [] where event.name == "TransactionFeePaid" { fees += event.field("actual_fee")?.uint128 ?? 0 }
            for (index, extrinsic) in (block.extrinsics ?? []).enumerated() {
                // A batch interrupted at item i dispatched items 0…i only.
                let interrupted = (block.events ?? []).first { event in
                    guard case let .applyExtrinsic(phase) = event.phase else { return false }
                    return phase == UInt32(index) && event.name == "BatchInterrupted"
                }
                let skipped = interrupted.flatMap { $0.field("index")?.uint128 }.map { Int(2 - $0) } ?? 0  // the devnode's batches hold three items
                calls += UInt128(extrinsic.call.flattened(callType: metadata.outerEnums.callType).count - skipped)
            }
        }
        let feesBefore = try #require(first.values["runtime_transaction_payment_fees_tokens_total"].flatMap { Self.planck($0, decimals: 10) })
        let feesAfter = try #require(second.values["runtime_transaction_payment_fees_tokens_total"].flatMap { Self.planck($0, decimals: 10) })
        #expect(feesAfter - feesBefore == fees)
        #expect(second.callTotal - first.callTotal == calls)

        // The exporter's own metrics: the endpoint is up, every block counted once, RPC latency
        // per method, no lag left at a scrape that waited for the head.
        let endpoint = node.webSocketURL
        #expect(second.series["runtime_exporter_up{chain=\"polkadot\",endpoint=\"\(endpoint)\"}"].flatMap(Double.init) == 1)
        let processed = { (snapshot: MetricsSnapshot) in snapshot.series["runtime_exporter_blocks_processed_total{chain=\"polkadot\"}"].flatMap(Double.init) ?? -1 }
        // (Its own registry is read a moment after the chain's, so it may be one block ahead.)
        #expect(abs(processed(second) - processed(first) - Double(second.block - first.block)) <= 1)
        let getBlocks = second.series["runtime_exporter_rpc_request_duration_seconds_count{chain=\"polkadot\",endpoint=\"\(endpoint)\",method=\"chain_getBlock\"}"].flatMap(Double.init) ?? 0
        #expect(getBlocks >= processed(second))

        // The best block runs ahead of the finalized one; the chain's token as its node gives it.
        let bestNumber = try #require(second.values["runtime_system_best_block_number"].flatMap { UInt64($0) })
        #expect(bestNumber >= second.block)
        #expect(second.text.contains("runtime_exporter_chain_info{chain=\"polkadot\",token_symbol=\"DOT\",token_decimals=\"10\",ss58_format=\"0\"} 1"))

        let lint = try await ChildProcess.run("promtool", ["check", "metrics"], input: Data(second.text.utf8))
        #expect(lint.status == 0 && lint.stdout.isEmpty && lint.stderr.isEmpty, "\(lint.stdout)\(lint.stderr)")
    }

    /// XCM transfers and native tokens sent by destination grew between two scrapes by what the
    /// devnode sent in those blocks; returns the transfers sent.
    static func checkXCM(from first: MetricsSnapshot, to second: MetricsSnapshot, truths: (JSON, JSON), chain: String) throws -> UInt128 {
        guard case let .object(sent)? = truths.1["xcm"] else {
            Issue.record("devnode_truth has no xcm")
            return 0
        }
        var seen: UInt128 = 0
        for destination in sent.map(\.key) {
            for (metric, field, decimals) in [("transfers_total", "transfers", 0), ("transferred_tokens_total", "tokens", 10)] {
                func sent(_ truth: JSON) -> UInt128 { truth["xcm"]?[destination]?[field]?.stringValue.flatMap { UInt128($0) } ?? 0 }
                let name = "runtime_xcm_\(metric){chain=\"\(chain)\",destination=\"\(destination)\"}"
                // A destination sent to only before the exporter started has no series.
                let before = first.series[name].flatMap { planck($0, decimals: decimals) } ?? 0
                let after = second.series[name].flatMap { planck($0, decimals: decimals) } ?? 0
                #expect(after - before == sent(truths.1) - sent(truths.0), "\(name) between blocks \(first.block) and \(second.block)")
                if field == "transfers" { seen += sent(truths.1) - sent(truths.0) }
            }
        }
        return seen
    }

    /// Parachain candidates per parachain, upward messages and on-demand orders grew between two
    /// scrapes by what the devnode did in those blocks; timeouts and orders among them.
    static func checkParachains(from first: MetricsSnapshot, to second: MetricsSnapshot, truths: (JSON, JSON)) throws {
        guard case let .object(candidates)? = truths.1["parachains"]?["candidates"], case let .object(orders)? = truths.1["parachains"]?["on_demand"] else {
            Issue.record("devnode_truth has no parachains")
            return
        }
        func grew(_ name: String, decimals: Int = 0) -> UInt128 { second.grew(name, since: first, decimals: decimals) }
        func truthGrew(_ path: [String]) -> UInt128 { Self.truthGrew(truths, path) }
        var timedOut: UInt128 = 0
        #expect(candidates.count == 4)
        for para in candidates.map(\.key) {
            for (metric, field) in [("candidates_backed", "backed"), ("candidates_included", "included"), ("candidates_timed_out", "timed_out"), ("upward_messages", "upward_messages")] {
                let name = "runtime_parachain_\(metric)_total{chain=\"polkadot\",para_id=\"\(para)\"}"
                #expect(grew(name) == truthGrew(["parachains", "candidates", para, field]), "\(name) between blocks \(first.block) and \(second.block)")
            }
            timedOut += truthGrew(["parachains", "candidates", para, "timed_out"])
        }
        #expect(timedOut >= 1, "no candidate timed out between the scrapes")
        var ordered: UInt128 = 0
        for para in orders.map(\.key) {
            #expect(grew("runtime_on_demand_orders_total{chain=\"polkadot\",para_id=\"\(para)\"}") == truthGrew(["parachains", "on_demand", para, "orders"]))
            #expect(grew("runtime_on_demand_spent_tokens_total{chain=\"polkadot\",para_id=\"\(para)\"}", decimals: 10) == truthGrew(["parachains", "on_demand", para, "spent"]))
            ordered += truthGrew(["parachains", "on_demand", para, "orders"])
        }
        #expect(ordered >= 1, "no on-demand order between the scrapes")
    }

    /// XCM messages processed by origin and outcome, failed and overweight by origin, grew
    /// between two scrapes by what the devnode's message queue did; returns the messages processed.
    static func checkMessageQueue(from first: MetricsSnapshot, to second: MetricsSnapshot, truths: (JSON, JSON), chain: String) throws -> UInt128 {
        guard case let .object(processed)? = truths.1["xcm_queue"]?["processed"] else {
            Issue.record("devnode_truth has no xcm_queue")
            return 0
        }
        func grew(_ name: String) -> UInt128 { second.grew(name, since: first) }
        func truthGrew(_ path: [String]) -> UInt128 { Self.truthGrew(truths, path) }
        var total: UInt128 = 0
        for origin in processed.map(\.key) {
            for success in ["true", "false"] {
                let name = "runtime_xcm_messages_processed_total{chain=\"\(chain)\",origin=\"\(origin)\",success=\"\(success)\"}"
                #expect(grew(name) == truthGrew(["xcm_queue", "processed", origin, success]), "\(name) between blocks \(first.block) and \(second.block)")
                total += truthGrew(["xcm_queue", "processed", origin, success])
            }
        }
        for (metric, field) in [("failed", "failed"), ("overweight", "overweight")] {
            guard case let .object(byOrigin)? = truths.1["xcm_queue"]?[field] else { continue }
            for origin in byOrigin.map(\.key) {
                let name = "runtime_xcm_messages_\(metric)_total{chain=\"\(chain)\",origin=\"\(origin)\"}"
                #expect(grew(name) == truthGrew(["xcm_queue", field, origin]), "\(name)")
            }
        }
        return total
    }

    /// How much a `devnode_truth` value at `path` (a number, or decimal text past 2^53; 0 where
    /// absent) grew from the first truth to the second.
    static func truthGrew(_ truths: (JSON, JSON), _ path: [String]) -> UInt128 {
        func at(_ truth: JSON) -> UInt128 {
            let value = path.reduce(Optional(truth)) { $0?[$1] }
            return value?.uint64Value.map { UInt128($0) } ?? value?.stringValue.flatMap { UInt128($0) } ?? 0
        }
        return at(truths.1) - at(truths.0)
    }

    static func planck(_ text: String, decimals: Int) -> UInt128? { MetricsSnapshot.planck(text, decimals: decimals) }

    /// Each pool's metrics (`runtime_nomination_pool_…`), the `devnode_truth` field each equals,
    /// and its decimals.
    static let poolMetrics: [(metric: String, field: String, decimals: Int)] = [
        ("members", "members", 0), ("points", "points", 0), ("balance_tokens", "balance", 10),
        ("unbonding_tokens", "unbonding", 10), ("pending_rewards_tokens", "pending_rewards", 10),
    ]

    static func truth(_ client: SubstrateRPCClient, at block: UInt64) async throws -> JSON {
        try await client.call("devnode_truth", [.string(try #require(try await client.chainGetBlockHash(block)))])
    }

    /// The election's snapshot, queued score and last submissions at the snapshot's block.
    static func checkElection(_ snapshot: MetricsSnapshot, truth: JSON) throws {
        let election = try #require(truth["election"])
        let at = "at block \(snapshot.block)"
        #expect(snapshot.values["runtime_election_snapshot_voters"] == election["snapshot"]?["voters"]?.uint64Value.map { String($0) }, "\(at)")
        #expect(snapshot.values["runtime_election_snapshot_targets"] == election["snapshot"]?["targets"]?.uint64Value.map { String($0) }, "\(at)")
        #expect(snapshot.values["runtime_election_round"] == election["round"]?.uint64Value.map { String($0) }, "\(at)")
        let phases = snapshot.series.filter { $0.key.hasPrefix("runtime_election_phase{chain=\"polkadot\"") }
        #expect(phases == ["runtime_election_phase{chain=\"polkadot\",phase=\"\(election["phase"]?.stringValue ?? "?")\"}": "1"], "\(at)")
        for (metric, field) in [("minimal_stake", "minimal_stake"), ("sum_stake", "sum_stake")] {
            let planck = election["queued"]?[field]?.stringValue.flatMap { UInt128($0) }
            #expect(snapshot.values["runtime_election_queued_solution_\(metric)_tokens"] == planck.map { TokenAmount(planck: $0, decimals: 10).description }, "\(metric) \(at)")
        }
        // The exporter knows the submissions of the blocks it processed.
        let processed = snapshot.series["runtime_exporter_blocks_processed_total{chain=\"polkadot\"}"].flatMap(Double.init) ?? 0
        let firstProcessed = snapshot.block + 1 - UInt64(processed)
        for kind in ["signed", "unsigned"] {
            let labels = "{chain=\"polkadot\",kind=\"\(kind)\"}"
            guard let last = election["last_\(kind)"], last != .null, let block = last["block"]?.uint64Value, block >= firstProcessed + 1 else {
                continue
            }
            #expect(snapshot.series["runtime_election_last_submission_length_bytes\(labels)"] == last["length"]?.uint64Value.map { String($0) }, "\(kind) length \(at)")
            let weight = try #require(last["weight"]?.uint64Value)
            #expect(snapshot.series["runtime_election_last_submission_weight_seconds\(labels)"] == TokenAmount(planck: UInt128(weight), decimals: 12).description, "\(kind) weight \(at)")
        }
    }

    /// Storage maps and voter bags, read on a schedule: equal to the truth at the block their
    /// last read reflects (two scrapes agreeing, so none caught a read half recorded).
    static func checkScheduledReads(_ exporter: ExporterProcess, client: SubstrateRPCClient) async throws {
        var previous: MetricsSnapshot?
        var agreed: MetricsSnapshot?
        let tasks = [
            "voter_bags", "storage_size", "staking_ledger_total_tokens", "staking_ledger_unbonding_tokens", "staking_bonded_accounts",
            "referenda_status", "conviction_voting",
        ]
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            let snapshot = try await MetricsSnapshot.scrape(exporter.metricsURL, atLeast: 0)
            // Every scheduled read has run once (on a busy machine the storage-size pass takes a while).
            let ran = tasks.allSatisfy { snapshot.series["runtime_exporter_scheduled_block{chain=\"polkadot\",task=\"\($0)\"}"] != nil }
            if ran, let previous, previous.scheduledText == snapshot.scheduledText { agreed = snapshot; break }
            previous = ran ? snapshot : nil
            try await Task.sleep(for: .milliseconds(150))
        }
        let snapshot = try #require(agreed, "scheduled reads never held still for two scrapes")
        let block = try #require(snapshot.series["runtime_exporter_scheduled_block{chain=\"polkadot\",task=\"voter_bags\"}"].flatMap(Double.init))
        let truth = try await Self.truth(client, at: UInt64(block))
        let voters = try #require(truth["voter_list"])
        #expect(snapshot.values["runtime_voter_list_active_bags"] == voters["bags_active"]?.uint64Value.map { String($0) })
        #expect(snapshot.values["runtime_voter_list_empty_bags"] == voters["bags_empty"]?.uint64Value.map { String($0) })
        #expect(snapshot.values["runtime_voter_list_nodes_needing_rebag"] == voters["needing_rebag"]?.uint64Value.map { String($0) })
        guard case let .object(nodes)? = voters["nodes"] else { Issue.record("no nodes in the truth"); return }
        for node in nodes {
            #expect(snapshot.series["runtime_voter_list_nodes{bag=\"\(node.key)\",chain=\"polkadot\"}"] == node.value.uint64Value.map { String($0) }, "bag \(node.key)")
        }
        #expect(snapshot.text.components(separatedBy: "runtime_voter_list_nodes{").count - 1 == nodes.count)
        // Storage sizes: every value under an item's prefix, read here key by key.
        let sizeBlock = try #require(snapshot.series["runtime_exporter_scheduled_block{chain=\"polkadot\",task=\"storage_size\"}"].flatMap(Double.init))
        let sizeHash = try #require(try await client.chainGetBlockHash(UInt64(sizeBlock)))
        for (pallet, item) in [("System", "Account"), ("Staking", "Ledger"), ("Balances", "TotalIssuance"), ("NominationPools", "BondedPools")] {
            let prefix = Hex.encode(StorageKeyBuilder.prefix(pallet: pallet, item: item))
            let keys = try await client.stateGetKeysPaged(prefix: prefix, count: 1000, at: sizeHash)
            var bytes = 0
            for (_, value) in try await client.stateQueryStorageAt(keys, at: sizeHash) { bytes += (value.flatMap { Hex.decode($0) }?.count ?? 0) }
            #expect(bytes > 0)
            #expect(snapshot.series["runtime_system_storage_size_bytes{chain=\"polkadot\",item=\"\(item)\",pallet=\"\(pallet)\"}"] == String(bytes), "\(pallet).\(item) at block \(Int(sizeBlock))")
        }
        func scheduledBlock(_ task: String) throws -> UInt64 {
            UInt64(try #require(snapshot.series["runtime_exporter_scheduled_block{chain=\"polkadot\",task=\"\(task)\"}"].flatMap(Double.init)))
        }
        Self.checkScheduledGovernance(snapshot, truths: (
            try await Self.truth(client, at: try scheduledBlock("referenda_status")), try await Self.truth(client, at: try scheduledBlock("conviction_voting"))
        ), chain: "polkadot")
        let ledgerBlock = try #require(snapshot.series["runtime_exporter_scheduled_block{chain=\"polkadot\",task=\"staking_ledger_total_tokens\"}"].flatMap(Double.init))
        let ledgers = try #require(try await Self.truth(client, at: UInt64(ledgerBlock))["ledgers"])
        #expect(snapshot.values["runtime_staking_bonded_accounts"] == ledgers["bonded_accounts"]?.uint64Value.map { String($0) })
        for (metric, field) in [("total", "total"), ("unbonding", "unbonding")] {
            let planck = try #require(ledgers[field]?.stringValue.flatMap { UInt128($0) })
            #expect(snapshot.values["runtime_staking_ledger_\(metric)_tokens"] == TokenAmount(planck: planck, decimals: 10).description, "ledger \(metric) at block \(Int(ledgerBlock))")
        }
    }
}
