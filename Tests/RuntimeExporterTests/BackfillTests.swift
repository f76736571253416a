import ChainFixtures
import ExactJSON
import Foundation
import SubstrateRPC
import Testing

/// `runtime-exporter backfill` into SQLite, read back with Python's sqlite3: the same rows as
/// following the same blocks live; killed at a random moment and run again, the same store as
/// a run never interrupted; a metric's version bumped, only that metric reloaded.
@Suite(.serialized, .timeLimit(.minutes(4))) struct BackfillTests {
    static func directory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("backfill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Every sample (metric, labels, block, exact) and loaded chunk of a store, as JSON text.
    static func dump(_ path: String, metrics: [String]? = nil, blocks: ClosedRange<UInt64>? = nil) async throws -> JSON {
        let script = """
            import sqlite3, sys, json
            db = sqlite3.connect(sys.argv[1])
            metrics = json.loads(sys.argv[2]); low, high = int(sys.argv[3]), int(sys.argv[4])
            rows = db.execute("SELECT s.metric, s.labels, x.block, x.time, x.exact FROM samples x JOIN series s ON s.id = x.series_id ORDER BY 1, 2, 3").fetchall()
            rows = [list(r) for r in rows if (metrics is None or r[0] in metrics) and low <= r[2] <= high]
            ranges = db.execute("SELECT chain, metric, version, first_block, last_block, status FROM backfill_ranges ORDER BY 1, 2, 3, 4").fetchall()
            print(json.dumps({"samples": rows, "ranges": ranges}))
            """
        let selected = metrics.map { JSON.array($0.map(JSON.string)).serialized() } ?? "null"
        return try JSON.parse(try await PythonReferee.run(script, arguments: [path, selected, String(blocks?.lowerBound ?? 0), String(blocks?.upperBound ?? UInt64(Int64.max))]))
    }

    @Test func historyLoadedGivesTheRowsFollowingGave() async throws {
        let node = try await DevnodeProcess.launch(["--history", "12", "--block-time", "0.25", "--finality-lag", "1"])
        defer { node.stop() }
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let live = directory.appendingPathComponent("live.sqlite").path
        let exporter = try await ExporterProcess.launch(["--rpc", node.webSocketURL, "--store", "sqlite:\(live)"])
        // Sixteen blocks at least followed, however late the exporter started.
        let start = try await MetricsSnapshot.scrape(exporter.metricsURL, atLeast: 1)
        _ = try await MetricsSnapshot.scrape(exporter.metricsURL, atLeast: start.block + 16)
        await exporter.server.stopAndWait()
        let liveBlocks = try #require(try await Self.dump(live, metrics: ["system_block_number"])["samples"]?.arrayValue?.compactMap { $0.arrayValue?[2].uint64Value })
        // The first block followed has no parent timestamp (no block time): compare from the next.
        let range = try #require(liveBlocks.first.map { $0 + 1 })...(try #require(liveBlocks.last))

        let loaded = directory.appendingPathComponent("loaded.sqlite").path
        let result = try await Executable.run("runtime-exporter", [
            "backfill", "--rpc", node.httpURL, "--from", String(range.lowerBound), "--to", String(range.upperBound),
            "--store", "sqlite:\(loaded)", "--chunk", "7",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let backfilled = try await Self.dump(loaded)
        let metrics = Set((backfilled["samples"]?.arrayValue ?? []).compactMap { $0.arrayValue?.first?.stringValue })
        #expect(metrics.isSuperset(of: ["balances_total_issuance_tokens", "extrinsics_total", "xcm_transfers_total", "nomination_pool_balance_tokens", "system_block_time_seconds"]))
        let followed = try await Self.dump(live, metrics: metrics.sorted(), blocks: range)
        let loadedRows = try await Self.dump(loaded, metrics: metrics.sorted(), blocks: range)
        #expect((followed["samples"]?.arrayValue?.count ?? 0) > 300)
        #expect(loadedRows["samples"] == followed["samples"], "history and following disagree")
    }

    @Test func aKilledLoadResumesToTheStoreAnUninterruptedOneMakes() async throws {
        let node = try await DevnodeProcess.launch(["--history", "160", "--block-time", "0", "--finality-lag", "0"])
        defer { node.stop() }
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let whole = directory.appendingPathComponent("whole.sqlite").path
        let arguments = ["backfill", "--rpc", node.httpURL, "--from", "1", "--to", "160", "--chunk", "10", "--workers", "2"]
        let uninterrupted = try await Executable.run("runtime-exporter", arguments + ["--store", "sqlite:\(whole)"])
        #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")

        let resumed = directory.appendingPathComponent("resumed.sqlite").path
        // Killed twice, each time after it reported a chunk loaded and a random moment more.
        for _ in 0..<2 {
            let output = try ChildProcess.pipe()
            let child = try ChildProcess(
                Executable.url("runtime-exporter").path, arguments + ["--store", "sqlite:\(resumed)"], stdin: .devNull,
                stdout: .descriptor(output.write), stderr: .devNull)
            close(output.write)
            let reported = try await OffPool.run { Self.waitForLine(containing: " loaded (chunk", in: output.read, limit: 60) }
            #expect(reported, "the load reported no chunk within 60 s")
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...300)))
            child.signal(SIGKILL)
            _ = try await OffPool.run { child.wait(upTo: 10) }
            close(output.read)
        }
        let finished = try await Executable.run("runtime-exporter", arguments + ["--store", "sqlite:\(resumed)"])
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(finished.stdout.contains("already loaded"), "the rerun loaded everything again: nothing was kept from the killed runs")
        let expected = try await Self.dump(whole)
        #expect((expected["samples"]?.arrayValue?.count ?? 0) > 1000)
        #expect(try await Self.dump(resumed) == expected)
    }

    /// Reads a child's output until a line contains `text`; false at its end or past the limit.
    static func waitForLine(containing text: String, in descriptor: Int32, limit: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(limit)
        var seen = ""
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 200) >= 0 else { return false }
            guard poller.revents != 0 else { continue }
            let count = read(descriptor, &buffer, buffer.count)
            guard count > 0 else { return false }
            seen += String(decoding: buffer[0..<count], as: UTF8.self)
            if seen.contains(text) { return true }
        }
        return false
    }

    /// A node that now and then answers with an error: every step is tried again, and the
    /// store ends equal to one loaded from a node without faults.
    @Test func failingAnswersAreRetriedNotSkipped() async throws {
        let steady = try await DevnodeProcess.launch(["--history", "60", "--block-time", "0", "--finality-lag", "0", "--genesis-time", "1700000000000"])
        defer { steady.stop() }
        let faulty = try await DevnodeProcess.launch(["--history", "60", "--block-time", "0", "--finality-lag", "0", "--genesis-time", "1700000000000", "--faults", "error=0.03"])
        defer { faulty.stop() }
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var dumps = [JSON]()
        for (node, name) in [(steady, "steady"), (faulty, "faulty")] {
            let path = directory.appendingPathComponent("\(name).sqlite").path
            let result = try await Executable.run("runtime-exporter", [
                "backfill", "--rpc", node.httpURL, "--chain", "polkadot", "--from", "1", "--to", "60", "--chunk", "10", "--store", "sqlite:\(path)",
            ])
            #expect(result.status == 0, "\(name): \(result.stderr)")
            dumps.append(try await Self.dump(path))
        }
        #expect((dumps[0]["samples"]?.arrayValue?.count ?? 0) > 1000)
        #expect(dumps[1] == dumps[0], "the faulty node's history differs")
    }

    @Test func aVersionBumpReloadsThatMetricOnly() async throws {
        let node = try await DevnodeProcess.launch(["--history", "40", "--block-time", "0", "--finality-lag", "0"])
        defer { node.stop() }
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let definitions = directory.appendingPathComponent("metrics")
        try FileManager.default.createDirectory(at: definitions, withIntermediateDirectories: true)
        func define(issuanceVersion: String, scale: String) throws {
            try """
                - name: test_issuance_tokens
                  help: h
                  type: gauge
                  unit: tokens
                  scale: \(scale)
                  version: "\(issuanceVersion)"
                  source: { storage: Balances.TotalIssuance }
                - name: test_block_number
                  help: h
                  type: gauge
                  source: { header: number }
                """.write(to: definitions.appendingPathComponent("test.yaml"), atomically: true, encoding: .utf8)
        }
        let store = directory.appendingPathComponent("store.sqlite").path
        let arguments = ["backfill", "--rpc", node.httpURL, "--from", "1", "--to", "40", "--chunk", "10", "--store", "sqlite:\(store)",
                         "--no-default-metrics", "--metrics-dir", definitions.path]
        try define(issuanceVersion: "1", scale: "token_decimals")
        let first = try await Executable.run("runtime-exporter", arguments)
        #expect(first.status == 0, "\(first.stderr)")
        let before = try await Self.dump(store)
        try define(issuanceVersion: "2", scale: "none")
        let second = try await Executable.run("runtime-exporter", arguments)
        #expect(second.status == 0 && !second.stdout.contains("already loaded"), "\(second.stdout)")
        let after = try await Self.dump(store)

        func rows(_ dump: JSON, _ metric: String) -> [JSON] { (dump["samples"]?.arrayValue ?? []).filter { $0.arrayValue?.first?.stringValue == metric } }
        #expect(rows(after, "test_block_number") == rows(before, "test_block_number"))
        #expect(rows(after, "test_issuance_tokens").count == 40)
        // Reloaded in planck now: integers, ten digits more than the tokens before.
        let planck = rows(after, "test_issuance_tokens").compactMap { $0.arrayValue?[4].stringValue }
        let tokens = rows(before, "test_issuance_tokens").compactMap { $0.arrayValue?[4].stringValue }
        #expect(planck.allSatisfy { !$0.contains(".") } && planck.count == tokens.count)
        #expect(zip(planck, tokens).allSatisfy { MetricsSnapshot.planck($1, decimals: 10).map(String.init) == $0 })
        let versions = Set((after["ranges"]?.arrayValue ?? []).compactMap { row -> String? in
            guard let row = row.arrayValue, row[1].stringValue == "test_issuance_tokens" else { return nil }
            return row[2].stringValue
        })
        #expect(versions == ["1", "2"])
    }
}
