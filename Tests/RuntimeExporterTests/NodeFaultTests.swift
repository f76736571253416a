import ChainFixtures
import ExactJSON
import Foundation
import Substrate
import SubstrateRPC
import Testing

/// The node under a following `serve` misbehaves: it answers with every fault of `--faults` at
/// a steady rate, and is killed with SIGKILL and restarted at random moments
/// (`RUNTIME_EXPORTER_NODE_RESTARTS` times: 3 by default, 20 in the long form). Afterwards,
/// against the same chain restarted without faults: the store holds every finalized block from
/// the first one followed exactly once, each block's issuance as the devnode records it, and
/// the counters on /metrics grew by exactly what the devnode records it did.
@Suite(.timeLimit(.minutes(8))) struct NodeFaultTests {
    /// Every fault the devnode knows, each at a steady rate.
    static let faults = "drop=0.02,delay=0.03:1,error=0.03,malformed=0.02,truncate=0.03,stall=0.1"

    @Test func aNodeKilledAndRestartedUnderEveryFaultLosesNoBlock() async throws {
        let restarts = ProcessInfo.processInfo.environment["RUNTIME_EXPORTER_NODE_RESTARTS"].flatMap(Int.init) ?? 3
        // The same seed and genesis time: each restart serves the same chain, grown to where the clock puts it.
        let genesis = String(UInt64(Date().timeIntervalSince1970 * 1000) - 6_000)
        let chain = ["--block-time", "0.4", "--finality-lag", "1", "--genesis-time", genesis, "--seed", "11"]
        var node = try await DevnodeProcess.launch(chain + ["--faults", Self.faults])
        let port = node.port
        defer { node.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("node-faults-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await StoreUnderTest.make(.sqlite, in: directory, name: "store")
        let exporter = try await ExporterProcess.launch(["--rpc", node.webSocketURL, "--chain", "dev", "--store", store.argument])
        defer { exporter.stop() }
        _ = try await MetricsSnapshot.scrape(exporter.metricsURL, chain: "dev", within: .seconds(60)) { _ in true }

        var downtime = Duration.zero
        var injected = [String: UInt64]()
        for _ in 0..<restarts {
            try await Task.sleep(for: .milliseconds(Int.random(in: 500...4000)))
            for (fault, count) in try await Self.faultsInjected(by: node) { injected[fault, default: 0] += count }
            await node.killAndWait()
            let pause = Duration.milliseconds(Int.random(in: 0...1500))
            try await Task.sleep(for: pause)
            downtime += pause
            node = try await DevnodeProcess.launch(chain + ["--faults", Self.faults], port: port)
        }
        // A last restart without faults: what is checked is read from a node that answers straight.
        try await Task.sleep(for: .seconds(2))
        for (fault, count) in try await Self.faultsInjected(by: node) { injected[fault, default: 0] += count }
        await node.killAndWait()
        node = try await DevnodeProcess.launch(chain, port: port)
        let client = SubstrateRPCClient(transport: HTTPTransport(endpoint: node.httpURL), timeout: .seconds(20))
        let finalized = try #require(try await client.chainGetHeader(try await client.chainGetFinalizedHead())["number"]?.uint64Value)
        // Catching up after the restarts takes seconds alone, minutes beside the other tests on two cores.
        let end = try await MetricsSnapshot.scrape(exporter.metricsURL, chain: "dev", within: .seconds(240)) { $0.block >= finalized }
        await exporter.server.stopAndWait()

        // Every block once, from the first followed to the last.
        let rows = try await store.query("""
            SELECT x.block, x.exact FROM samples x JOIN series s ON s.id = x.series_id
            WHERE s.metric = 'balances_total_issuance_tokens' AND s.chain = 'dev' ORDER BY x.block
            """)
        let blocks = rows.compactMap { $0.first.flatMap { UInt64($0) } }
        let first = try #require(blocks.first)
        let last = blocks.last ?? first
        #expect(blocks == Array(first...last), "a gap or a duplicate in blocks \(first)…\(last)")
        #expect(last >= end.block)
        // Each block's value is the one the devnode had at that block (no truncated answer taken).
        var truths = [UInt64: JSON]()
        for number in (first - 1)...last { truths[number] = try await ServeTests.truth(client, at: number) }
        for row in rows {
            guard let number = UInt64(row[0]), let planck = truths[number]?["issuance"]?.stringValue.flatMap({ UInt128($0) }) else { continue }
            #expect(row[1] == TokenAmount(planck: planck, decimals: 10).description, "issuance at block \(number)")
        }
        // Counters: what the exporter counted since it started is what the devnode did in those blocks.
        let (before, after) = (try #require(truths[first - 1]), try #require(truths[end.block]))
        var transfers: UInt128 = 0
        if case let .object(destinations)? = after["xcm"] {
            for destination in destinations.map(\.key) {
                let sent = { (truth: JSON) in truth["xcm"]?[destination]?["transfers"]?.stringValue.flatMap { UInt128($0) } ?? 0 }
                let counted = end.series["runtime_xcm_transfers_total{chain=\"dev\",destination=\"\(destination)\"}"].flatMap { UInt128($0) } ?? 0
                #expect(counted == sent(after) - sent(before), "XCM transfers to \(destination) in blocks \(first)…\(end.block)")
                transfers += counted
            }
        }
        for kind in ["signed", "unsigned"] {
            let made = { (truth: JSON) in truth["election"]?["\(kind)_submissions"]?.uint64Value ?? 0 }
            let counted = end.series["runtime_election_submissions_total{chain=\"dev\",kind=\"\(kind)\"}"].flatMap { UInt64($0) } ?? 0
            #expect(counted == made(after) - made(before), "\(kind) election submissions in blocks \(first)…\(end.block)")
        }
        // The store's per-block call counts add up to the counter.
        let stored = try await store.query("""
            SELECT sum(CAST(x.exact AS INTEGER)) FROM samples x JOIN series s ON s.id = x.series_id
            WHERE s.metric = 'extrinsics_total' AND s.chain = 'dev' AND x.block <= \(end.block)
            """).first?.first ?? ""
        #expect(UInt128(stored) == end.callTotal, "stored \(stored) calls, counted \(end.callTotal)")
        #expect(transfers >= 1, "no XCM transfer in the blocks followed: the comparison proved nothing")
        #expect(injected.values.reduce(0, +) >= 5, "hardly any fault was injected: \(injected)")
        // The long form runs long enough for every kind to strike.
        if restarts >= 10 { #expect(injected.count == 6 && injected.values.allSatisfy { $0 > 0 }, "a fault never struck: \(injected)") }
        let faults = injected.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("""
            node faults: \(restarts) SIGKILL restarts (\(downtime) down between them); faults injected: \(faults); \
            blocks \(first)…\(last) stored once each (\(blocks.count)), issuance equal to the devnode's at each; \
            \(transfers) XCM transfers and \(end.callTotal) calls counted as made; \(Int(end.errorCount)) errors met and retried
            """)
    }

    /// The faults a devnode injected so far (`devnode_faults`), asked until an answer gets
    /// through its own faults.
    static func faultsInjected(by node: DevnodeProcess) async throws -> [String: UInt64] {
        let client = SubstrateRPCClient(transport: HTTPTransport(endpoint: node.httpURL), timeout: .seconds(10))
        for _ in 0..<20 {
            guard let answer = try? await client.call("devnode_faults", []), case let .object(members) = answer else { continue }
            return Dictionary(uniqueKeysWithValues: members.compactMap { member in member.value.uint64Value.map { (member.key, $0) } })
        }
        throw NoAnswer()
    }

    struct NoAnswer: Error, CustomStringConvertible {
        var description: String { "devnode_faults did not get through its own faults in 20 tries" }
    }
}
