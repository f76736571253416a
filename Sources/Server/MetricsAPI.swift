public import Hummingbird
import ExactJSON
import Foundation
public import MetricStore

/// The REST mirror of the query API, for curl and Grafana JSON datasources:
/// - `GET /api/v1/metrics[?chain=]`: every metric's metadata (or those a chain has);
/// - `GET /api/v1/metrics/{name}`: one metric's, with when each chain's samples start and end
///   and the blocks at which it gave no sample, and why (`failedBlocks`);
/// - `GET /api/v1/metrics/{name}/timeseries?chain=&from=&to=&interval=&aggregation=&includeIncompleteData=&LABEL=VALUE`;
/// - `GET /api/v1/slugs`: the chains; `GET /api/v1/openapi.json`: this API described.
/// Answers are JSON; errors are `{"error": "…"}` with 400 (a wrong argument), 401 (a
/// restricted metric without a key), 404 (an unknown metric or chain) or 500 (the store).
public struct MetricsAPI: Sendable {
    public let queries: MetricQueries
    public let keys: APIKeys
    /// Unix milliseconds now (a parameter for tests of relative dates).
    let now: @Sendable () -> Int64

    public init(queries: MetricQueries, keys: APIKeys = .none) {
        self.queries = queries
        self.keys = keys
        now = { Int64(Date().timeIntervalSince1970 * 1000) }
    }

    /// Parameters of the timeseries and histogram routes; every other one selects by label.
    static let reservedParameters: Set<String> = ["chain", "slug", "from", "to", "interval", "aggregation", "includeIncompleteData", "label", "limit"]

    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        let api = self
        router.get("/api/v1/metrics") { request, _ in
            await api.answer {
                let chain = request.uri.queryParameters.get("chain")
                let chainsByMetric = try await api.queries.store.chainsByMetric()
                let metrics = try await api.queries.metrics().filter { chain == nil || chainsByMetric[$0.name]?.contains(chain!) == true }
                return .object([JSON.Member("metrics", .array(metrics.map { Self.metadata($0, chains: (chainsByMetric[$0.name] ?? []).sorted()) }))])
            }
        }
        router.get("/api/v1/metrics/{name}") { request, context in
            await api.answer {
                let metric = try await api.queries.metric(named: try context.parameters.require("name"))
                var slugs = [JSON]()
                for chain in try await api.queries.chains(metric: metric.name) {
                    guard let times = try await api.queries.store.sampleTimes(metric: metric.name, chain: chain) else { continue }
                    let failures = try await api.queries.store.metricFailures(chain: chain).filter { $0.metric == metric.name }
                    slugs.append(.object([
                        JSON.Member("slug", .string(chain)), JSON.Member("availableSince", .string(QueryTime.iso8601(times.first))),
                        JSON.Member("lastDatetimeComputedAt", .string(QueryTime.iso8601(times.last))),
                        JSON.Member("failedBlocks", .array(failures.map(Self.failure))),
                    ]))
                }
                guard case var .object(members) = Self.metadata(metric, chains: slugs.compactMap { $0["slug"]?.stringValue }) else { return .null }
                members.append(JSON.Member("slugs", .array(slugs)))
                return .object(members)
            }
        }
        router.get("/api/v1/metrics/{name}/timeseries") { request, context in
            await api.answer {
                let now = api.now()
                let query = try await api.planned(request, name: try context.parameters.require("name"), nowMilliseconds: now)
                let parameters = request.uri.queryParameters
                let incomplete = parameters.get("includeIncompleteData").map { $0 == "true" || $0 == "1" } ?? false
                let points = try await api.queries.timeseries(query, includeIncompleteData: incomplete, nowMilliseconds: now)
                return .object(Self.described(query) + [
                    JSON.Member("interval", .string(query.interval.description)), JSON.Member("data", .array(points.map(Self.point))),
                ])
            }
        }
        router.get("/api/v1/metrics/{name}/histogram") { request, context in
            await api.answer {
                let query = try await api.planned(request, name: try context.parameters.require("name"), from: MetricQueries.allTime, nowMilliseconds: api.now())
                let parameters = request.uri.queryParameters
                guard let limit = Int(parameters.get("limit") ?? "20") else { throw QueryError.badArgument("limit", "\(parameters.get("limit") ?? "") is not a number") }
                let ranked = try await api.queries.histogram(query, label: parameters.get("label"), limit: limit)
                // `labels` and `values` as Sanbase's histogramData names them; the selector apart.
                return .object(Self.described(query, selector: "selector") + [
                    JSON.Member("labels", .array(ranked.map { .string($0.label) })), JSON.Member("values", .array(ranked.map { Self.number($0.value) })),
                ])
            }
        }
        router.get("/api/v1/slugs") { _, _ in
            await api.answer { .object([JSON.Member("slugs", .array(try await api.queries.chains().map(JSON.string)))]) }
        }
        router.get("/api/v1/openapi.json") { _, _ in
            await api.answer { OpenAPIDocument.document }
        }
    }

    /// A request's query: its metric, chain (`chain` or `slug`) and label selector (every other
    /// parameter), the key's plan checked, planned (`from` by default: `defaultFrom`).
    func planned(_ request: Request, name: String, from defaultFrom: String = "utc_now-1d", nowMilliseconds: Int64) async throws -> TimeseriesQuery {
        let parameters = request.uri.queryParameters
        guard let chain = parameters.get("chain") ?? parameters.get("slug") else {
            throw QueryError.badArgument("chain", "missing: which chain (slug) to query, e.g. chain=polkadot")
        }
        try await queries.metric(named: name).checkAccess(with: keys.plan(of: request.headers))
        var labels = [String: String]()
        for (key, value) in parameters where !Self.reservedParameters.contains(String(key)) { labels[String(key)] = String(value) }
        return try await queries.plan(
            metric: name, chain: chain, labels: labels, from: parameters.get("from") ?? defaultFrom, to: parameters.get("to") ?? "utc_now",
            interval: parameters.get("interval"), aggregation: parameters.get("aggregation"), nowMilliseconds: nowMilliseconds)
    }

    /// What every answer about a query says of it, its label selector under `selector`.
    static func described(_ query: TimeseriesQuery, selector: String = "labels") -> [JSON.Member] {
        [
            JSON.Member("metric", .string(query.metric)), JSON.Member("chain", .string(query.chain)),
            JSON.Member(selector, .object(query.labels.sorted { $0.key < $1.key }.map { JSON.Member($0.key, .string($0.value)) })),
            JSON.Member("from", .string(QueryTime.iso8601(query.from))), JSON.Member("to", .string(QueryTime.iso8601(query.to))),
            JSON.Member("aggregation", .string(query.aggregation.rawValue.uppercased())),
        ]
    }

    /// A bucket as Sanbase writes one: `{"datetime": "2024-01-01T00:00:00Z", "value": 15}`.
    /// A run of blocks at which a metric gave no sample.
    static func failure(_ run: MetricFailureRun) -> JSON {
        .object([
            JSON.Member("firstBlock", .number(run.firstBlock)), JSON.Member("lastBlock", .number(run.lastBlock)),
            JSON.Member("reason", .string(run.reason)), JSON.Member("error", .string(run.message)),
        ])
    }

    static func point(_ point: TimeseriesPoint) -> JSON {
        .object([JSON.Member("datetime", .string(QueryTime.iso8601(point.time))), JSON.Member("value", number(point.value))])
    }

    static func number(_ value: Double) -> JSON {
        guard value.isFinite else { return .null }
        if value == value.rounded(), abs(value) < 1e15 { return .number(String(Int64(value))) }
        return .number("\(value)")
    }

    /// What the API says about a metric (the fields of Sanbase's `metadata`, and ours).
    static func metadata(_ metric: MetricQueries.Metric, chains: [String]) -> JSON {
        .object([
            JSON.Member("metric", .string(metric.name)), JSON.Member("humanReadableName", .string(metric.humanReadableName)),
            JSON.Member("help", .string(metric.help)), JSON.Member("type", .string(metric.kind)), JSON.Member("unit", metric.unit.map(JSON.string) ?? .null),
            JSON.Member("labels", .array(metric.labels.map(JSON.string))),
            JSON.Member("defaultAggregation", .string(metric.defaultAggregation.rawValue.uppercased())),
            JSON.Member("availableAggregations", .array(Aggregation.allCases.map { .string($0.rawValue.uppercased()) })),
            JSON.Member("minInterval", .string(QueryInterval.fixed(milliseconds: max(metric.minimumInterval, 1) * 1000).description)),
            JSON.Member("dataType", .string(metric.dataType.uppercased())), JSON.Member("version", .string(metric.version)),
            JSON.Member("isRestricted", .bool(metric.isRestricted)), JSON.Member("minPlan", .string(metric.minPlan.apiName)),
            JSON.Member("hasIncompleteData", .bool(metric.hasIncompleteData)),
            JSON.Member("docs", .array(metric.docs.map { .object([JSON.Member("link", .string($0))]) })),
            JSON.Member("availableSlugs", .array(chains.map(JSON.string))),
        ])
    }

    /// Runs a handler and turns what it returns or throws into a JSON response.
    func answer(_ body: () async throws -> JSON) async -> Response {
        do {
            return Self.json(try await body(), status: .ok)
        } catch let error as QueryError {
            let status: HTTPResponse.Status = switch error {
            case .unknownMetric, .unknownChain: .notFound
            case .restricted: .unauthorized
            case .planTooLow: .forbidden
            case .badArgument, .tooManyPoints: .badRequest
            }
            return Self.json(.object([JSON.Member("error", .string(error.description))]), status: status)
        } catch {
            return Self.json(.object([JSON.Member("error", .string("the store failed: \(error)"))]), status: .internalServerError)
        }
    }

    static func json(_ value: JSON, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: value.serialized() + "\n")))
    }
}
