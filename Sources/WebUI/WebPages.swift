public import Hummingbird
public import MetricStore
import Foundation

/// The pages a person opens in a browser: `/` (status of every chain), `/browse` (the metric
/// browser) and `/chart` (any stored metric over a chosen range). Without a store only the
/// status page has something to show; the others say so.
public struct WebPages: Sendable {
    let status: @Sendable () async -> [ChainStatus]
    /// A chain's headline charts for the landing page up to an instant (Unix milliseconds), and
    /// where they come from.
    let headlines: @Sendable (_ chain: String, _ now: Int64) async -> [Headlines.Chart]
    let headlineSource: Headlines.Source
    let queries: MetricQueries?
    let links: PageLinks
    /// Unix milliseconds now (relative dates such as `utc_now-1d`).
    let now: @Sendable () -> Int64

    public init(
        status: @escaping @Sendable () async -> [ChainStatus], queries: MetricQueries?, telemetryPath: String,
        headlines: @escaping @Sendable (_ chain: String, _ now: Int64) async -> [Headlines.Chart] = { _, _ in [] }, headlineSource: Headlines.Source = .memory,
        now: (@Sendable () -> Int64)? = nil
    ) {
        self.status = status
        self.headlines = headlines
        self.headlineSource = headlineSource
        self.now = now ?? { Int64(Date().timeIntervalSince1970 * 1000) }
        self.queries = queries
        links = PageLinks(telemetryPath: telemetryPath, hasAPI: queries != nil)
    }

    static let chartParameters: Set<String> = ["metric", "chain", "slug", "from", "to", "interval", "aggregation"]

    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        let pages = self
        router.get("/") { _, _ in
            let chains = await pages.status()
            let now = pages.now()
            var charts = [String: [Headlines.Chart]]()
            for chain in chains { charts[chain.name] = await pages.headlines(chain.name, now) }
            return Self.html(StatusPage(chains: chains, links: pages.links, charts: charts, source: pages.headlineSource, now: now).html())
        }
        router.get("/browse") { request, _ in
            guard let queries = pages.queries else { return Self.html(pages.noStore(section: .metrics), status: .notFound) }
            let parameters = request.uri.queryParameters
            do {
                let page = MetricBrowserPage(
                    metrics: try await queries.metrics(), chainsByMetric: try await queries.store.chainsByMetric(),
                    search: parameters.get("q") ?? "", chain: parameters.get("chain").flatMap { $0.isEmpty ? nil : $0 }, links: pages.links)
                return Self.html(page.html())
            } catch {
                return Self.html(pages.storeFailed(error, section: .metrics), status: .internalServerError)
            }
        }
        router.get("/chart") { request, _ in
            guard let queries = pages.queries else { return Self.html(pages.noStore(section: .chart), status: .notFound) }
            return await pages.chart(request.uri.queryParameters, queries: queries)
        }
    }

    private func chart(_ parameters: Parameters, queries: MetricQueries) async -> Response {
        var form = ChartPage.Form()
        func given(_ name: String) -> String? { parameters.get(name).flatMap { $0.isEmpty ? nil : $0 } }
        form.metric = given("metric")
        form.chain = given("chain") ?? given("slug")
        form.from = given("from") ?? form.from
        form.to = given("to") ?? form.to
        form.interval = given("interval") ?? ""
        form.aggregation = given("aggregation") ?? ""
        for (key, value) in parameters where !Self.chartParameters.contains(String(key)) && !value.isEmpty {
            form.labels[String(key)] = String(value)
        }
        let metrics: [MetricQueries.Metric]
        let chains: [String]
        do {
            metrics = try await queries.metrics()
            chains = try await queries.chains(metric: form.metric)
        } catch {
            return Self.html(storeFailed(error, section: .chart), status: .internalServerError)
        }
        if form.chain == nil { form.chain = chains.first }
        var status = HTTPResponse.Status.ok
        let outcome: ChartPage.Outcome
        if let name = form.metric, let chain = form.chain {
            do {
                let metric = try await queries.metric(named: name)
                // A browser sends no API key: restricted metrics are for the API only.
                if metric.isRestricted { throw QueryError.restricted(name) }
                let now = now()
                let query = try await queries.plan(
                    metric: name, chain: chain, labels: form.labels, from: form.from, to: form.to,
                    interval: form.interval, aggregation: form.aggregation.isEmpty ? nil : form.aggregation, nowMilliseconds: now)
                outcome = .chart(query, try await queries.timeseries(query, nowMilliseconds: now))
            } catch let error as QueryError {
                status = switch error {
                case .unknownMetric, .unknownChain: .notFound
                case .restricted: .unauthorized
                case .planTooLow: .forbidden
                case .badArgument, .tooManyPoints: .badRequest
                }
                outcome = .refused(error.description)
            } catch {
                status = .internalServerError
                outcome = .refused("the store failed: \(error)")
            }
        } else if form.metric != nil {
            outcome = .refused("no chain has samples of \(form.metric!) yet")
        } else {
            outcome = .nothingAsked
        }
        return Self.html(ChartPage(form: form, metrics: metrics, chains: chains, outcome: outcome, links: links).html(), status: status)
    }

    private func noStore(section: HTML.Section) -> String {
        HTML.page(title: section.rawValue, section: section, links: links, body: """
            <h1>\(section.rawValue)</h1><p>This exporter keeps no history (<code>--store none</code>): start it with a store \
            (<code>--store sqlite:PATH</code> or <code>postgres://…</code>) to browse and chart metrics.</p>
            """)
    }

    private func storeFailed(_ error: any Error, section: HTML.Section) -> String {
        HTML.page(title: section.rawValue, section: section, links: links, body: "<h1>\(section.rawValue)</h1><p class=\"error\">The store failed: \(HTML.escape("\(error)"))</p>")
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
