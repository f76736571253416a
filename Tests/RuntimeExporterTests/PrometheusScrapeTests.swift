import AsyncHTTPClient
import ChainFixtures
import ExactJSON
import Foundation
import NIOCore
import NIOHTTP1
import SubstrateRPC
import Testing

/// A real Prometheus scrapes `runtime-exporter serve` (following a devnode), and PromQL through
/// its HTTP API sees what the chain holds: the scrape itself succeeds, values are those of the
/// chain at the scraped block, counters rate, histograms give quantiles, labels aggregate.
@Suite(.timeLimit(.minutes(3))) struct PrometheusScrapeTests {
    struct QueryFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// The vector result of an instant query: each series' labels and value.
    static func query(_ prometheus: PrometheusProcess, _ expression: String, at time: Double? = nil) async throws -> [(labels: [String: String], value: Double)] {
        var components = URLComponents(string: prometheus.baseURL + "/api/v1/query")!
        components.queryItems = [URLQueryItem(name: "query", value: expression)] + (time.map { [URLQueryItem(name: "time", value: String($0))] } ?? [])
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: components.url!.absoluteString), timeout: .seconds(10))
        let body = try JSON.parse(String(buffer: try await response.body.collect(upTo: 4 << 20)))
        guard body["status"]?.stringValue == "success", case let .array(results)? = body["data"]?["result"] else {
            throw QueryFailure(description: "\(expression): \(body.serialized().prefix(300))")
        }
        return results.map { result in
            var labels = [String: String]()
            if case let .object(members)? = result["metric"] { for member in members { labels[member.key] = member.value.stringValue } }
            let value = result["value"]?.arrayValue?.last?.stringValue.flatMap(Double.init) ?? .nan
            return (labels, value)
        }
    }

    /// Queries until the expression returns at least one series (Prometheus scrapes every second).
    static func waitFor(_ prometheus: PrometheusProcess, _ expression: String) async throws -> [(labels: [String: String], value: Double)] {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let result = try? await query(prometheus, expression), !result.isEmpty { return result }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw QueryFailure(description: "\(expression) returned nothing within 60 s")
    }

    @Test func prometheusScrapesTheExporterAndPromQLSeesTheChain() async throws {
        let node = try await DevnodeProcess.launch(["--history", "12", "--block-time", "0.25", "--finality-lag", "1"])
        defer { node.stop() }
        let exporter = try await ExporterProcess.launch(["--rpc", node.webSocketURL])
        defer { exporter.stop() }
        let prometheus = try await OffPool.run { try PrometheusProcess(targets: ["127.0.0.1:\(exporter.server.port)"]) }
        defer { prometheus.stop() }
        let client = SubstrateRPCClient(transport: HTTPTransport(endpoint: node.httpURL), timeout: .seconds(20))

        // Prometheus' own view of the scrape: the target is up, and it took the whole exposition.
        let up = try await Self.waitFor(prometheus, "up{job=\"runtime-exporter\"} == 1")
        #expect(up.count == 1)
        // Blocks with transfers and block times behind us (the devnode starts at block 12, an XCM
        // transfer every 4th block), and several scrapes, so rates and increases have two points.
        _ = try await MetricsSnapshot.scrape(exporter.metricsURL, atLeast: 24)
        _ = try await Self.waitFor(prometheus, "count_over_time(runtime_system_block_number[1m]) >= 4")

        // Values from one scrape, read at one instant: the total issuance is the chain's at that block.
        let now = Date().timeIntervalSince1970
        let block = try #require(try await Self.query(prometheus, "runtime_system_block_number{chain=\"polkadot\"}", at: now).first?.value)
        let issuance = try #require(try await Self.query(prometheus, "runtime_balances_total_issuance_tokens{chain=\"polkadot\"}", at: now).first?.value)
        let truth = try await ServeScenarioTests.issuance(client, at: UInt64(block))
        #expect(issuance == Double(truth), "issuance at block \(Int(block)): Prometheus \(issuance), chain \(truth)")

        // PromQL over the series, as dashboards and alerts use them.
        let expressions = [
            "sum by (pallet) (increase(runtime_extrinsics_total[1m]))",
            "sum by (destination) (runtime_xcm_transfers_total)",
            "rate(runtime_exporter_blocks_processed_total[1m]) > 0",
            "histogram_quantile(0.9, sum by (le) (rate(runtime_system_block_time_seconds_bucket[1m])))",
            "runtime_system_block_weight_seconds{class=\"normal\"}",
            "max by (chain) (runtime_exporter_lag_blocks)",
            "histogram_quantile(0.99, sum by (le, method) (rate(runtime_exporter_rpc_request_duration_seconds_bucket[1m])))",
            "runtime_nomination_pool_balance_tokens",
            "runtime_system_runtime_info",
            "scrape_samples_scraped{job=\"runtime-exporter\"} > 100",
        ]
        // Each waited for: on a loaded machine a scrape can miss its one-second slot, leaving a
        // rate window too few points for a while.
        for expression in expressions {
            let result = try await Self.waitFor(prometheus, expression)
            #expect(!result.isEmpty, "\(expression) returned nothing")
        }
        let pallets = Set(try await Self.query(prometheus, "sum by (pallet) (increase(runtime_extrinsics_total[1m]))").compactMap { $0.labels["pallet"] })
        #expect(pallets.isSuperset(of: ["Timestamp", "Balances"]), "\(pallets)")
        let quantile = try #require(try await Self.waitFor(prometheus, "histogram_quantile(0.9, sum by (le) (rate(runtime_system_block_time_seconds_bucket[1m]))) > 0").first?.value)
        #expect(quantile > 0 && quantile <= 1, "devnode blocks come every 0.25 s; the first bucket is 1 s: \(quantile)")
    }
}
