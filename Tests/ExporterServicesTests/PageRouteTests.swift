import Hummingbird
import HummingbirdTesting
import MetricStore
import NIOCore
import Testing
import WebUI

/// The pages at the router, without a socket: the status page from a chain's status, the metric
/// browser and a chart over a real SQLite store of three samples.
@Suite struct PageRouteTests {
    static let status = ChainStatus(
        name: "polkadot", state: .following, follows: "finalized", bestHead: 1_236, followedHead: 1_234, processed: 1_234, runtime: "polkadot 2000000",
        token: "DOT", endpoints: [.init(url: "ws://node-a:9944", answered: true, requests: 40, failures: 1, lastLatencySeconds: 0.012, lastError: nil)],
        history: nil, lastError: nil,
        metricFailures: [.init(metric: "staking_era", reason: "shape", blocks: 3, firstBlock: 1_200, lastBlock: 1_210, message: "a value of another shape")])

    static func withPages(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await QueryRouteTests.withStore(routes: { store in
            let router = Router()
            WebPages(status: { [Self.status] }, queries: MetricQueries(store: store), telemetryPath: "/metrics").addRoutes(to: router)
            return router
        }, body)
    }

    /// The landing page draws each chain's headline charts, captioned with their latest value.
    @Test func statusPageDrawsTheHeadlineCharts() async throws {
        let router = Router()
        let now: Int64 = 1_800_000_000_000
        let chart = Headlines.Chart(measure: Headlines.measures[0], points: [
            TimeseriesPoint(time: now - 600_000, value: 1_500_000_000), TimeseriesPoint(time: now - 300_000, value: 1_500_002_000),
        ])
        // A counter's caption is its last whole bucket, not the one still filling.
        let transfers = Headlines.Chart(measure: Headlines.measures[1], points: [
            TimeseriesPoint(time: now - now % Headlines.bucket - Headlines.bucket, value: 162), TimeseriesPoint(time: now - now % Headlines.bucket, value: 4),
        ])
        WebPages(
            status: { [Self.status] }, queries: nil, telemetryPath: "/metrics", headlines: { chain, _ in chain == "polkadot" ? [chart, transfers] : [] }, headlineSource: .memory,
            now: { now }
        ).addRoutes(to: router)
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(page.contains("<div class=\"headlines\" data-source=\"memory\"><figure data-headline=\"balances_total_issuance_tokens\">"))
                #expect(page.contains("Total issuance <span class=\"muted\">tokens</span></span><b>1.5G</b>"))
                #expect(page.contains("Transfers <span class=\"muted\">per 5 minutes</span></span><b>162</b>"))
                #expect(page.contains("<svg class=\"chart small\" viewBox=\"0 0 380 150\" role=\"img\" data-points=\"2\""))
                #expect(!page.contains("<script"))
            }
        }
    }

    @Test func statusPageShowsEachChain() async throws {
        try await Self.withPages { client in
            try await client.execute(uri: "/", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(response.status == .ok && response.headers[.contentType]?.hasPrefix("text/html") == true)
                for text in ["polkadot", "ws://node-a:9944", "polkadot 2000000", "staking_era", "a value of another shape"] {
                    #expect(page.contains(text), "\(text) on the status page")
                }
                #expect(!page.contains("<script"), "no script")
            }
        }
    }

    @Test func browserFindsMetricsByWordsAndChartDrawsTheStoredPoints() async throws {
        try await Self.withPages { client in
            try await client.execute(uri: "/browse?q=issuance", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(response.status == .ok && page.contains(QueryRouteTests.metric))
                #expect(!page.contains("nomination_pool_members"), "only what the words find")
                // The name for people (the registry's human_readable_name, made of the name here).
                #expect(page.contains("<strong>Balances total issuance tokens</strong>"))
            }
            let chart = "/chart?metric=\(QueryRouteTests.metric)&chain=dev&from=2025-06-15T10:00:00Z&to=2025-06-15T10:03:00Z&interval=1m&aggregation=sum"
            try await client.execute(uri: chart, method: .get) { response in
                let page = String(buffer: response.body)
                #expect(response.status == .ok && page.contains("data-points=\"3\""), "\(page.prefix(400))")
                #expect(page.contains("2025-06-15T10:02:00Z: 4</title>"))
            }
        }
    }

    @Test func withoutAStoreThereIsNothingToBrowse() async throws {
        let router = Router()
        WebPages(status: { [] }, queries: nil, telemetryPath: "/metrics").addRoutes(to: router)
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/browse", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
