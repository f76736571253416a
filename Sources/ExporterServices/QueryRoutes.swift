public import Hummingbird
public import MetricStore
public import Server

/// The query API as `serve` and `api` both mount it: keys from `--api-keys-file`, then the
/// REST and GraphQL routes over one `MetricQueries`.
public enum QueryRoutes {
    /// The keys in `--api-keys-file`, none without one; a bad file is an input error naming the option.
    public static func keys(file path: String?) throws -> APIKeys {
        guard let path else { return .none }
        do { return try APIKeys.load(file: path) } catch { throw InputFailure(file: "--api-keys-file", message: "\(error)") }
    }

    public static func add(to router: Router<BasicRequestContext>, queries: MetricQueries, keys: APIKeys) async throws {
        MetricsAPI(queries: queries, keys: keys).addRoutes(to: router)
        try await GraphQLAPI.make(queries: queries, keys: keys).addRoutes(to: router)
    }
}
