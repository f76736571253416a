import AsyncHTTPClient
import ChainFixtures
import ExactJSON
import Foundation
import NIOCore
import Testing

/// A value of a shape nobody expected, served by the devnode at one block (`--damage`): the
/// metric reading it gives no sample there, counted once; every other metric of that block is
/// exposed and stored, and following and loading go on past it. A runtime upgrade that drops
/// an item a definition reads skips that definition from the upgrade on.
@Suite(.serialized, .timeLimit(.minutes(3))) struct MetricIsolationTests {
    static let damaged = "transaction_payment_next_fee_multiplier_ratio"

    static func directory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runtime-exporter-isolation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func serveCountsADamagedValueOnceAndFollowsOn() async throws {
        let node = try await DevnodeProcess.launch([
            "--history", "12", "--block-time", "0.5", "--finality-lag", "1", "--damage", "TransactionPayment.NextFeeMultiplier@26",
        ])
        defer { node.stop() }
        let exporter = try await ExporterProcess.launch(["--rpc", node.webSocketURL])
        defer { exporter.stop() }
        let first = try await MetricsSnapshot.scrape(exporter.metricsURL, atLeast: 13)
        #expect(first.block < 26, "the exporter started after the damaged block")
        let after = try await MetricsSnapshot.scrape(exporter.metricsURL, atLeast: 30)
        let failures = "runtime_exporter_metric_failures_total{chain=\"polkadot\",metric=\"\(Self.damaged)\",reason=\"undecodable\"}"
        #expect(after.series[failures] == "1", "\(after.text.split(separator: "\n").filter { $0.contains("metric_failures") })")
        #expect(after.errorCount == 0)
        // The metric is back at the blocks after, and the others never left.
        #expect(after.values["runtime_\(Self.damaged)"] != nil)
        #expect(after.values["runtime_balances_total_issuance_tokens"] != nil)
        #expect(after.text.split(separator: "\n").filter { $0.hasPrefix("runtime_exporter_metric_failures_total") }.count == 1)
        // The status page lists it.
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(exporter.server.port)/"), timeout: .seconds(10))
        let page = String(buffer: try await response.body.collect(upTo: 4 << 20))
        #expect(page.contains("data-metric-failures") && page.contains("<td>\(Self.damaged)</td><td>undecodable</td><td>1</td><td>26–26</td>"), "\(page)")
    }

    @Test(arguments: StoreUnderTest.Backend.allCases) func backfillStoresTheRestOfTheBlockAndMarksOneMetricFailed(_ backend: StoreUnderTest.Backend) async throws {
        let node = try await DevnodeProcess.launch([
            "--history", "30", "--block-time", "0", "--finality-lag", "0", "--damage", "TransactionPayment.NextFeeMultiplier@12",
        ])
        defer { node.stop() }
        let store = try await StoreUnderTest.make(backend, in: try Self.directory(), name: "damaged")
        let arguments = ["backfill", "--rpc", node.httpURL, "--from", "1", "--to", "30", "--chunk", "10", "--store", store.argument]
        let result = try await Executable.run("runtime-exporter", arguments)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("failed for \(Self.damaged) at 1 metric-block(s)"), "\(result.stdout)")

        let dump = try await store.dump()
        func blocks(_ metric: String) -> [UInt64] {
            (dump["samples"]?.arrayValue ?? []).compactMap(\.arrayValue).filter { $0.first?.stringValue == metric }.compactMap { $0[2].uint64Value }
        }
        #expect(blocks(Self.damaged) == Array(1...30).filter { $0 != 12 })
        #expect(blocks("balances_total_issuance_tokens") == Array(1...30))
        #expect(blocks("events_total").contains(12) && blocks("extrinsics_total").contains(12))
        let ranges = (dump["ranges"]?.arrayValue ?? []).compactMap(\.arrayValue)
        let failed = ranges.filter { $0[5].stringValue == "failed" }.map { "\($0[1].stringValue ?? "") \($0[3].uint64Value ?? 0)" }
        #expect(failed == ["\(Self.damaged) 10"], "\(failed)")
        #expect(ranges.filter { $0[1].stringValue == "balances_total_issuance_tokens" }.allSatisfy { $0[5].stringValue == "loaded" })
        let error = try await store.query("SELECT error FROM backfill_ranges WHERE status = 'failed'")
        #expect(error.first?.first?.contains("block 12") == true, "\(error)")
        let kept = try await store.query("SELECT metric, reason, first_block, last_block FROM metric_failures")
        #expect(kept == [[Self.damaged, "undecodable", "12", "12"]], "\(kept)")

        // The query API says which blocks the metric lacks, and why.
        let api = try await OffPool.run { try ListeningProcess("runtime-exporter") { ["api", "--store", store.argument, "--web.listen-address", "127.0.0.1:\($0)"] } }
        defer { api.stop() }
        let metric = try await APITests.get("http://127.0.0.1:\(api.port)/api/v1/metrics/\(Self.damaged)")
        let failedBlocks = metric.body["slugs"]?.arrayValue?.first?["failedBlocks"]?.arrayValue?.first
        #expect(failedBlocks?["firstBlock"]?.uint64Value == 12 && failedBlocks?["lastBlock"]?.uint64Value == 12, "\(metric.body.serialized())")
        #expect(failedBlocks?["reason"]?.stringValue == "undecodable")

        // A rerun tries the failed metric's chunk again, and only that.
        let again = try await Executable.run("runtime-exporter", arguments)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("blocks 10–19 loaded; failed for \(Self.damaged)"), "\(again.stdout)")
        #expect(again.stdout.contains("blocks 20–29 already loaded") && again.stdout.contains("blocks 1–9 already loaded"), "\(again.stdout)")
        #expect(try await store.query("SELECT count(*) FROM metric_failures") == [["1"]])
    }

    /// A chain running Polkadot 1000001 from genesis: following starts (the shipped definition
    /// reading `NominationPools.TotalValueLocked` skipped) and every other metric is there.
    @Test func serveStartsOnARuntimeLackingAShippedItem() async throws {
        let runtime = ChainData.url("metadata/polkadot_1000001_v14.scale").path
        let node = try await DevnodeProcess.launch(["--history", "12", "--block-time", "0.4", "--finality-lag", "1", "--metadata", runtime])
        defer { node.stop() }
        let exporter = try await ExporterProcess.launch(["--rpc", node.webSocketURL])
        defer { exporter.stop() }
        let snapshot = try await MetricsSnapshot.scrape(exporter.metricsURL, atLeast: 15)
        #expect(snapshot.values["runtime_nomination_pools_value_locked_tokens"] == nil)
        for metric in ["balances_total_issuance_tokens", "transaction_payment_next_fee_multiplier_ratio", "nomination_pools_pools", "staking_active_era"] {
            #expect(snapshot.values["runtime_\(metric)"] != nil, "\(metric)")
        }
        #expect(snapshot.callTotal > 0)
        #expect(snapshot.errorCount == 0)
    }

    /// From block 40 the chain runs Polkadot 1000001, which lacks `NominationPools.TotalValueLocked`.
    @Test func anUpgradeDroppingAnItemSkipsItsMetricFromThereOn() async throws {
        let upgrade = ChainData.url("metadata/polkadot_1000001_v14.scale").path
        let node = try await DevnodeProcess.launch(["--history", "12", "--block-time", "0.3", "--finality-lag", "1", "--upgrade-at", "40:\(upgrade)"])
        defer { node.stop() }
        let exporter = try await ExporterProcess.launch(["--rpc", node.webSocketURL])
        defer { exporter.stop() }
        let before = try await MetricsSnapshot.scrape(exporter.metricsURL, atLeast: 13)
        #expect(before.block < 40, "the exporter started after the upgrade")
        #expect(before.values["runtime_nomination_pools_value_locked_tokens"] != nil)
        let after = try await MetricsSnapshot.scrape(exporter.metricsURL, atLeast: 44)
        #expect(after.values["runtime_nomination_pools_value_locked_tokens"] == nil)
        #expect(after.values["runtime_balances_total_issuance_tokens"] != nil)
        #expect(after.series["runtime_system_runtime_info{chain=\"polkadot\",spec_name=\"polkadot\",spec_version=\"1000001\"}"] == "1")
        #expect(after.errorCount == 0)
    }
}
