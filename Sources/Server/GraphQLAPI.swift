import ExactJSON
import Foundation
import GraphQL
public import Hummingbird
public import MetricStore

/// Sanbase's GraphQL `getMetric`, compatible enough for its Python client (`sanpy`), served at
/// `POST /graphql` (and `GET /graphql?query=`):
///
///     getMetric(metric: String!, version: String) {
///       timeseriesData(slug | selector, from, to, interval, aggregation, includeIncompleteData) { datetime value valueOhlc }
///       timeseriesDataJson(…)  timeseriesDataPerSlug(selector: {slugs}, …)  timeseriesDataPerSlugJson(…)
///       aggregatedTimeseriesData(slug | selector, from, to, aggregation)
///       metadata { metric humanReadableName minInterval defaultAggregation availableAggregations … }
///       availableSince(slug)  lastDatetimeComputedAt(slug)  availableSlugs
///     }
///     getAvailableMetrics(slug: String)  getAvailableSlugs
///
/// A chain is a slug; a selector holds `slug` or `slugs` and label values (`pool: 12`): its
/// fields are the label names of the stored definitions, read when the API starts. Built on
/// the GraphQL package directly rather than through Graphiti, whose input types are Swift
/// types fixed at compile time.
public struct GraphQLAPI: Sendable {
    let queries: MetricQueries
    let keys: APIKeys
    let schema: GraphQLSchema

    /// Reads the stored definitions for the selector's label fields.
    public static func make(queries: MetricQueries, keys: APIKeys = .none) async throws -> GraphQLAPI {
        let labels = Set(try await queries.metrics().flatMap(\.labels)).subtracting(["slug", "slugs"]).sorted()
        return GraphQLAPI(queries: queries, keys: keys, schema: try GraphQLSchemaBuilder(queries: queries, labels: labels).schema())
    }

    /// What every resolver knows about the request.
    struct RequestContext: Sendable {
        /// The plan of the request's API key; nil without a valid key.
        let plan: Plan?
        let nowMilliseconds: Int64
    }

    public func addRoutes<Context: Hummingbird.RequestContext>(to router: Router<Context>) {
        let api = self
        router.post("/graphql") { request, context in
            let body = try await request.body.collect(upTo: 1 << 20)
            let plan = api.keys.plan(of: request.headers)
            guard let json = try? JSON.parse(String(buffer: body)), let query = json["query"]?.stringValue else {
                return Self.response(GraphQLResult(errors: [GraphQLError(message: "the body must be JSON with a \"query\" string")]), status: .badRequest)
            }
            var variables = [String: Map]()
            if case let .object(members)? = json["variables"] { for member in members { variables[member.key] = Self.map(member.value) } }
            return await api.execute(query, variables: variables, operationName: json["operationName"]?.stringValue, plan: plan)
        }
        router.get("/graphql") { request, _ in
            guard let query = request.uri.queryParameters.get("query") else {
                return Self.response(GraphQLResult(errors: [GraphQLError(message: "give the query as ?query=")]), status: .badRequest)
            }
            return await api.execute(query, variables: [:], operationName: nil, plan: api.keys.plan(of: request.headers))
        }
    }

    func execute(_ query: String, variables: [String: Map], operationName: String?, plan: Plan?) async -> Response {
        let context = RequestContext(plan: plan, nowMilliseconds: Int64(Date().timeIntervalSince1970 * 1000))
        do {
            let result = try await graphql(
                schema: schema, request: query, context: context, variableValues: variables, operationName: operationName,
                validationRules: specifiedRules + [Self.complexityRule])
            return Self.response(result, status: .ok)
        } catch {
            return Self.response(GraphQLResult(errors: [GraphQLError(message: "\(error)")]), status: .badRequest)
        }
    }

    /// The most fields one request may ask that each run a database query (aliases make many).
    static let maximumQueriedFields = 20
    static let queryingFields: Set<String> = [
        "timeseriesData", "timeseriesDataJson", "timeseriesDataPerSlug", "timeseriesDataPerSlugJson", "aggregatedTimeseriesData",
    ]

    /// A validation rule: a request asking more than `maximumQueriedFields` series is refused
    /// before anything runs, with an error that says so (not a timeout).
    @Sendable static func complexityRule(_ context: ValidationContext) -> Visitor {
        var count = 0
        return Visitor(enter: { node, _, _, _, _ in
            if let field = node as? Field, queryingFields.contains(field.name.value) {
                count += 1
                if count == maximumQueriedFields + 1 {
                    context.report(error: GraphQLError(message: "the query asks for more than \(maximumQueriedFields) series at once (timeseries and aggregated fields): split it"))
                }
            }
            return .continue
        })
    }

    static func response(_ result: GraphQLResult, status: HTTPResponse.Status) -> Response {
        let data = (try? GraphQLJSONEncoder().encode(result)) ?? Data(#"{"errors":[{"message":"the answer could not be encoded"}]}"#.utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A JSON request value as GraphQL's map.
    static func map(_ json: JSON) -> Map {
        (try? JSONDecoder().decode(Map.self, from: Data(json.serialized().utf8))) ?? .null
    }
}
