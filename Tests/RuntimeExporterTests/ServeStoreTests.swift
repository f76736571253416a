import ChainFixtures
import ExactJSON
import Foundation
import SubstrateRPC
import Testing

/// `serve --store sqlite:PATH` keeps every finalized block's samples: each block once, none
/// missing, values equal to the chain's, counters' increments adding up to what Prometheus
/// shows. Read back with Python's sqlite3, not with our own code.
@Suite(.timeLimit(.minutes(3))) struct ServeStoreTests {
    @Test func liveSamplesLandInTheStoreExactlyOnce() async throws {
        let node = try await DevnodeProcess.launch(["--history", "12", "--block-time", "0.25", "--finality-lag", "1", "--finality-step", "3"])
        defer { node.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("serve-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("history.sqlite").path
        let exporter = try await ExporterProcess.launch(["--rpc", node.webSocketURL, "--store", "sqlite:\(path)"])
        let snapshot = try await MetricsSnapshot.scrape(exporter.metricsURL, atLeast: 24)
        await exporter.server.stopAndWait()

        let script = """
            import sqlite3, sys, json
            db = sqlite3.connect(sys.argv[1])
            def rows(metric):
                return db.execute("SELECT x.block, x.exact, s.labels FROM samples x JOIN series s ON s.id = x.series_id WHERE s.metric = ? AND s.chain = 'polkadot' ORDER BY x.block", (metric,)).fetchall()
            blocks = [r[0] for r in rows("system_block_number")]
            issuance = {r[0]: r[1] for r in rows("balances_total_issuance_tokens")}
            calls = {}
            for block, exact, labels in rows("extrinsics_total"):
                calls[block] = calls.get(block, 0) + int(exact)
            print(json.dumps({"blocks": blocks, "numbers": [r[1] for r in rows("system_block_number")], "issuance": issuance,
                              "calls": calls, "definitions": db.execute("SELECT count(*) FROM metric_metadata").fetchone()[0]}))
            """
        let stored = try JSON.parse(try await PythonReferee.run(script, arguments: [path]))
        let blocks = (stored["blocks"]?.arrayValue ?? []).compactMap { $0.uint64Value }
        let first = try #require(blocks.first)
        // Every block from the first processed on, once, in order; its number is its block.
        #expect(blocks == Array(first...(blocks.last ?? first)) && blocks.count >= Int(snapshot.block - first) + 1)
        #expect((stored["numbers"]?.arrayValue ?? []).compactMap { $0.stringValue } == blocks.map { String($0) })
        #expect((stored["definitions"]?.uint64Value ?? 0) >= 40)

        // Values equal the chain's at their block.
        let client = SubstrateRPCClient(transport: HTTPTransport(endpoint: node.httpURL), timeout: .seconds(20))
        for block in Set([first, min(first + 5, snapshot.block), snapshot.block]) {
            #expect(stored["issuance"]?[String(block)]?.stringValue == (try await ServeScenarioTests.issuance(client, at: block)), "block \(block)")
        }
        // Counter increments per block add up to the counter Prometheus saw.
        var callsUpToSnapshot: UInt128 = 0
        for block in first...snapshot.block { callsUpToSnapshot += UInt128(stored["calls"]?[String(block)]?.uint64Value ?? 0) }
        #expect(callsUpToSnapshot == snapshot.callTotal)
    }
}
