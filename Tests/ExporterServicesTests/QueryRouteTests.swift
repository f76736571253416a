import ExactJSON
import Exporter
import ExporterServices
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import MetricStore
import NIOCore
import Server
import Testing
import WebSecurity

/// The query API at the router, without a socket: `api`'s routes over a real SQLite store
/// holding samples whose sums, averages and last values are worked out by hand.
@Suite struct QueryRouteTests {
    static let metric = "balances_total_issuance_tokens"
    /// 2025-06-15 10:00, 10:01 and 10:02 UTC.
    static let times: [Int64] = [1_749_981_600_000, 1_749_981_660_000, 1_749_981_720_000]
    static let values = ["1.5", "2.5", "4"]
    static let day = "from=2025-06-15T00:00:00Z&to=2025-06-16T00:00:00Z&interval=1d"

    /// Runs `body` against `routes` over a real SQLite store holding the three samples, with the
    /// shipped definitions.
    static func withStore(
        routes: (SQLiteStore) async throws -> Router<BasicRequestContext>, _ body: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("routes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("store.sqlite").path)
        try await store.migrate()
        let definitions = try DefinitionLoader.load(directories: [try #require(DefinitionLoader.shippedDirectory)])
        try await store.saveDefinitions(StoreSink.definitions(definitions))
        try await store.write(zip(times, values).enumerated().map { block, sample in
            StoredSample(metric: metric, chain: "dev", labels: [:], block: UInt64(block + 1), timeMilliseconds: sample.0, value: Double(sample.1)!, exact: sample.1)
        })
        do {
            try await Application(router: try await routes(store)).test(.router, body)
        } catch {
            try await store.close()
            throw error
        }
        try await store.close()
    }

    /// `api`'s routes over the store.
    static func withRoutes(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await withStore(routes: { store in
            try await APIServer.router(store: store, keys: .none, maximumPoints: 1_000, security: .open, logger: Logger(label: "routes-test"))
        }, body)
    }

    static func json(_ response: TestResponse) throws -> JSON {
        try JSON.parse(String(buffer: response.body))
    }

    @Test func restAnswersFromTheStore() async throws {
        try await Self.withRoutes { client in
            try await client.execute(uri: "/api/v1/slugs", method: .get) { response in
                let slugs = try Self.json(response)["slugs"]
                #expect(response.status == .ok && slugs == .array([.string("dev")]))
            }
            for (aggregation, expected) in [("sum", 8.0), ("avg", 8.0 / 3), ("last", 4.0), ("first", 1.5), ("max", 4.0), ("min", 1.5)] {
                try await client.execute(uri: "/api/v1/metrics/\(Self.metric)/timeseries?chain=dev&\(Self.day)&aggregation=\(aggregation)", method: .get) { response in
                    let data = try Self.json(response)["data"]?.arrayValue ?? []
                    #expect(response.status == .ok && data.count == 1, "\(aggregation): \(String(buffer: response.body))")
                    #expect(data.first?["datetime"]?.stringValue == "2025-06-15T00:00:00Z")
                    let value = try #require(data.first?["value"]?.number)
                    #expect(abs(value - expected) < 1e-9, "\(aggregation): \(value)")
                }
            }
            // Minute buckets: one sample each.
            try await client.execute(
                uri: "/api/v1/metrics/\(Self.metric)/timeseries?chain=dev&from=2025-06-15T10:00:00Z&to=2025-06-15T10:03:00Z&interval=1m&aggregation=sum", method: .get
            ) { response in
                let values = try Self.json(response)["data"]?.arrayValue?.compactMap { $0["value"]?.number }
                #expect(values == [1.5, 2.5, 4])
            }
        }
    }

    @Test func restErrorsSayWhatIsWrong() async throws {
        try await Self.withRoutes { client in
            let errors: [(String, HTTPResponse.Status, String)] = [
                ("/api/v1/metrics/nonsense", .notFound, "unknown metric \"nonsense\""),
                ("/api/v1/metrics/\(Self.metric)/timeseries?chain=kusama&\(Self.day)", .notFound, "unknown slug \"kusama\""),
                ("/api/v1/metrics/\(Self.metric)/timeseries?\(Self.day)", .badRequest, "argument chain: missing"),
                ("/api/v1/metrics/\(Self.metric)/timeseries?chain=dev&\(Self.day)&aggregation=mode", .badRequest, "argument aggregation: unknown aggregation \"mode\""),
                ("/api/v1/metrics/\(Self.metric)/timeseries?chain=dev&from=2025-01-01T00:00:00Z&to=2025-12-31T00:00:00Z&interval=1m", .badRequest, "the query asks for"),
            ]
            for (uri, status, message) in errors {
                try await client.execute(uri: uri, method: .get) { response in
                    let error = try Self.json(response)["error"]?.stringValue
                    #expect(response.status == status && error?.hasPrefix(message) == true, "\(uri): \(String(buffer: response.body))")
                }
            }
            try await client.execute(uri: "/-/healthy", method: .get) { response in
                #expect(response.status == .ok && String(buffer: response.body) == "OK\n")
            }
        }
    }

    @Test func graphQLGetMetricAgreesWithREST() async throws {
        try await Self.withRoutes { client in
            let query = """
                { getMetric(metric: "\(Self.metric)") {
                    timeseriesData(slug: "dev", from: "2025-06-15T00:00:00Z", to: "2025-06-16T00:00:00Z", interval: "1d", aggregation: SUM) { datetime value }
                    aggregatedTimeseriesData(slug: "dev", from: "2025-06-15T00:00:00Z", to: "2025-06-16T00:00:00Z", aggregation: LAST)
                    availableSlugs
                } }
                """
            let body = JSON.object([JSON.Member("query", .string(query))]).serialized()
            try await client.execute(uri: "/graphql", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body)) { response in
                let answer = try Self.json(response)
                let data = answer["data"]?["getMetric"]
                #expect(answer["errors"] == nil, "\(answer.serialized())")
                #expect(data?["timeseriesData"]?.arrayValue?.first?["value"]?.number == 8)
                #expect(data?["aggregatedTimeseriesData"]?.number == 4)
                #expect(data?["availableSlugs"] == .array([.string("dev")]))
            }
            try await client.execute(
                uri: "/graphql", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: JSON.object([JSON.Member("query", .string(#"{ getMetric(metric: "nonsense") { availableSlugs } }"#))]).serialized())
            ) { response in
                let message = try Self.json(response)["errors"]?.arrayValue?.first?["message"]?.stringValue
                #expect(message?.contains("unknown metric \"nonsense\"") == true, "\(String(buffer: response.body))")
            }
        }
    }
}

extension JSON {
    /// A JSON number as a `Double` (the API's values are doubles).
    fileprivate var number: Double? {
        guard case let .number(text) = self else { return nil }
        return Double(text)
    }
}
