import ChainFixtures
import ExactJSON
import Foundation
import SubstrateRPC
import Testing

/// `serve --store` (SQLite and PostgreSQL) keeps every finalized block's samples: each block
/// once, none missing, values equal to the chain's, counters' increments adding up to what
/// Prometheus shows. Read back with Python's sqlite3 and `psql`, not with our own code.
@Suite(.timeLimit(.minutes(3))) struct ServeStoreTests {
    @Test(arguments: StoreUnderTest.Backend.allCases) func liveSamplesLandInTheStoreExactlyOnce(_ backend: StoreUnderTest.Backend) async throws {
        let node = try await DevnodeProcess.launch(["--history", "12", "--block-time", "0.25", "--finality-lag", "1", "--finality-step", "3"])
        defer { node.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("serve-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await StoreUnderTest.make(backend, in: directory, name: "history")
        let exporter = try await ExporterProcess.launch(["--rpc", node.webSocketURL, "--store", store.argument])
        let snapshot = try await MetricsSnapshot.scrape(exporter.metricsURL, atLeast: 24)
        // The query API is served alongside, over the same store.
        let base = "http://127.0.0.1:\(exporter.server.port)"
        let served = try await APITests.get("\(base)/api/v1/metrics/extrinsics_total/timeseries?chain=polkadot&from=utc_now-1d&to=utc_now%2B1d&interval=1d&includeIncompleteData=true")
        #expect(served.status == 200 && served.body["aggregation"]?.stringValue == "SUM" && served.body["data"]?.arrayValue?.isEmpty == false, "\(served.body.serialized())")
        let slugs = try await APITests.graphQL("\(base)/graphql", "{ getAvailableSlugs }")
        #expect(slugs["data"]?["getAvailableSlugs"] == .array([.string("polkadot")]), "\(slugs.serialized())")
        await exporter.server.stopAndWait()

        func rows(_ metric: String) async throws -> [[String]] {
            try await store.query("""
                SELECT x.block, x.exact FROM samples x JOIN series s ON s.id = x.series_id WHERE s.metric = '\(metric)' AND s.chain = 'polkadot' ORDER BY x.block
                """)
        }
        let numbers = try await rows("system_block_number")
        let issuance = Dictionary(try await rows("balances_total_issuance_tokens").map { ($0[0], $0[1]) }, uniquingKeysWith: { first, _ in first })
        let calls = Dictionary(try await store.query("""
            SELECT x.block, sum(CAST(x.exact AS bigint)) FROM samples x JOIN series s ON s.id = x.series_id
            WHERE s.metric = 'extrinsics_total' AND s.chain = 'polkadot' GROUP BY x.block
            """).map { ($0[0], UInt128($0[1]) ?? 0) }, uniquingKeysWith: +)
        let definitions = try await store.query("SELECT count(*) FROM metric_metadata")
        let blocks = numbers.compactMap { UInt64($0[0]) }
        let first = try #require(blocks.first)
        // Every block from the first processed on, once, in order; its number is its block.
        #expect(blocks == Array(first...(blocks.last ?? first)) && blocks.count >= Int(snapshot.block - first) + 1)
        #expect(numbers.map { $0[1] } == blocks.map { String($0) })
        #expect((definitions.first.flatMap { Int($0[0]) } ?? 0) >= 40)

        // Values equal the chain's at their block.
        let client = SubstrateRPCClient(transport: HTTPTransport(endpoint: node.httpURL), timeout: .seconds(20))
        for block in Set([first, min(first + 5, snapshot.block), snapshot.block]) {
            #expect(issuance[String(block)] == (try await ServeScenarioTests.issuance(client, at: block)), "block \(block)")
        }
        // Counter increments per block add up to the counter Prometheus saw.
        var callsUpToSnapshot: UInt128 = 0
        for block in first...snapshot.block { callsUpToSnapshot += calls[String(block)] ?? 0 }
        #expect(callsUpToSnapshot == snapshot.callTotal)
    }

    /// A `history:` section: loaded in the background while following, its progress on
    /// /metrics, and the store ending with every block from the first once (history and live
    /// meeting without a duplicate or a gap).
    @Test(arguments: StoreUnderTest.Backend.allCases) func historyLoadsInTheBackgroundWhileFollowing(_ backend: StoreUnderTest.Backend) async throws {
        let node = try await DevnodeProcess.launch(["--history", "80", "--block-time", "0.5", "--finality-lag", "1"])
        defer { node.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("serve-history-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await StoreUnderTest.make(backend, in: directory, name: "history")
        let config = directory.appendingPathComponent("exporter.yaml")
        try """
            store: \(store.argument)
            chains:
              - rpc: [\(node.webSocketURL)]
                history: { from: 1, chunk: 20, workers: 4 }
            """.write(to: config, atomically: true, encoding: .utf8)
        let exporter = try await ExporterProcess.launch(["--config", config.path, "--store", store.argument])
        let remaining = "runtime_exporter_history_remaining_blocks{chain=\"polkadot\"}"
        let done = try await MetricsSnapshot.scrape(exporter.metricsURL, within: .seconds(150)) { snapshot in
            snapshot.series[remaining].flatMap { Double($0) } == 0 && snapshot.series["runtime_exporter_history_range_blocks{chain=\"polkadot\"}"] != nil
        }
        let range = try #require(done.series["runtime_exporter_history_range_blocks{chain=\"polkadot\"}"].flatMap { Double($0) })
        #expect(range >= 78)
        #expect(done.series["runtime_exporter_history_blocks_loaded_total{chain=\"polkadot\"}"].flatMap { Double($0) } == range)
        #expect(done.series["runtime_exporter_history_failed_chunks{chain=\"polkadot\"}"].flatMap { Double($0) } == 0)
        let last = try await MetricsSnapshot.scrape(exporter.metricsURL, atLeast: done.block + 2).block
        await exporter.server.stopAndWait()

        let blocks = try await store.query("""
            SELECT x.block FROM samples x JOIN series s ON s.id = x.series_id WHERE s.metric = 'system_block_number' ORDER BY x.block
            """).compactMap { UInt64($0[0]) }
        #expect(blocks.first == 1)
        #expect(blocks == Array(1...(blocks.last ?? 1)) && (blocks.last ?? 0) >= last, "gaps or duplicates between history and following")
        #expect(try await store.query("SELECT count(*) FROM backfill_ranges WHERE status <> 'loaded'") == [["0"]])
    }
}
