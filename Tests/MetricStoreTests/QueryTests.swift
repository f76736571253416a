import ChainFixtures
import ExactJSON
import Foundation
import MetricStore
import Testing

/// The query API's semantics on both stores, over a sample set small enough that every
/// expected value below is worked out by hand in the comments.
@Suite struct QueryTests {
    typealias Backend = StoreUnderTest.Backend

    /// 2024-01-01T00:00:00Z, a Monday.
    static let t0: Int64 = 1_704_067_200_000
    static let second: Int64 = 1000

    static func definition(_ name: String, labels: [String] = [], aggregation: String = "last", minInterval: Int = 0, access: String = "free") -> StoredDefinition {
        StoredDefinition(name: name, version: "1", json: .object([
            JSON.Member("name", .string(name)), JSON.Member("help", .string("\(name) for tests.")), JSON.Member("type", .string("gauge")),
            JSON.Member("unit", .string("tokens")), JSON.Member("labels", .array(labels.map(JSON.string))),
            JSON.Member("aggregation", .string(aggregation)), JSON.Member("min_interval", .number(String(minInterval))),
            JSON.Member("data_type", .string("timeseries")), JSON.Member("version", .string("1")), JSON.Member("access", .string(access)),
        ]))
    }

    static func sample(_ metric: String, chain: String = "polkadot", block: UInt64, at time: Int64, _ value: Double, labels: [String: String] = [:]) -> StoredSample {
        StoredSample(metric: metric, chain: chain, labels: labels, block: block, timeMilliseconds: time, value: value, exact: String(value))
    }

    static let now = Int64(Date().timeIntervalSince1970 * 1000)

    /// `issuance` on polkadot: 10, 20 in the first minute; 30, 50 in the second; 40 in the
    /// third; 100 three hours later; then one sample in February 2024 (7), May 2024 (8) and
    /// March 2025 (9). On kusama: 5 in the first minute. `pool_balance` per pool: pool 1 has 1
    /// and 2, pool 2 has 10 and 20, at the first two blocks. `recent`: 3 at ten days ago, 4 at
    /// two days ago, 6 now.
    static func filled(_ backend: Backend) async throws -> MetricQueries {
        let opened = try await MetricStoreTests.open(backend)
        let store = try opened.store()
        try await store.migrate()
        try await store.saveDefinitions([
            definition("issuance", minInterval: 60), definition("pool_balance", labels: ["pool"], aggregation: "sum"), definition("recent"),
            definition("secret", access: "restricted"),
        ])
        let date = { (text: String) in QueryTime.absolute(text)! }
        try await store.write([
            sample("issuance", block: 1, at: t0, 10), sample("issuance", block: 2, at: t0 + 30 * second, 20),
            sample("issuance", block: 3, at: t0 + 70 * second, 30), sample("issuance", block: 4, at: t0 + 100 * second, 50),
            sample("issuance", block: 5, at: t0 + 130 * second, 40), sample("issuance", block: 6, at: t0 + 3 * 3600 * second, 100),
            sample("issuance", block: 7, at: date("2024-02-15T12:00:00Z"), 7), sample("issuance", block: 8, at: date("2024-05-20T08:00:00Z"), 8),
            sample("issuance", block: 9, at: date("2025-03-01T00:00:00Z"), 9),
            sample("issuance", chain: "kusama", block: 1, at: t0 + 10 * second, 5),
            sample("pool_balance", block: 1, at: t0, 1, labels: ["pool": "1"]), sample("pool_balance", block: 2, at: t0 + 30 * second, 2, labels: ["pool": "1"]),
            sample("pool_balance", block: 1, at: t0, 10, labels: ["pool": "2"]), sample("pool_balance", block: 2, at: t0 + 30 * second, 20, labels: ["pool": "2"]),
            sample("recent", block: 1, at: now - 10 * 86_400 * second, 3), sample("recent", block: 2, at: now - 2 * 86_400 * second, 4),
            sample("recent", block: 3, at: now, 6),
            sample("secret", block: 1, at: t0, 1),
        ])
        return MetricQueries(store: store, maximumPoints: 1000)
    }

    /// `[(ISO time, value)]` of a query.
    static func run(
        _ queries: MetricQueries, _ metric: String, chain: String = "polkadot", labels: [String: String] = [:], from: String = "2024-01-01T00:00:00Z",
        to: String = "2024-01-01T04:00:00Z", interval: String?, aggregation: String?, includeIncompleteData: Bool = false
    ) async throws -> [String] {
        let query = try await queries.plan(metric: metric, chain: chain, labels: labels, from: from, to: to, interval: interval, aggregation: aggregation, nowMilliseconds: now)
        return try await queries.timeseries(query, includeIncompleteData: includeIncompleteData, nowMilliseconds: now).map { point in
            "\(QueryTime.iso8601(point.time)) \(point.value)"
        }
    }

    @Test(arguments: Backend.allCases) func eachAggregationOverOneMinuteBuckets(_ backend: Backend) async throws {
        let queries = try await Self.filled(backend)
        // Minute buckets: [10, 20], [30, 50], [40], and [100] three hours on (the gap has no points).
        let expected: [String: [Double]] = [
            "avg": [15, 40, 40, 100], "sum": [30, 80, 40, 100], "min": [10, 30, 40, 100], "max": [20, 50, 40, 100],
            "first": [10, 30, 40, 100], "last": [20, 50, 40, 100], "count": [1 + 1, 2, 1, 1], "median": [15, 40, 40, 100],
        ]
        let times = ["2024-01-01T00:00:00Z", "2024-01-01T00:01:00Z", "2024-01-01T00:02:00Z", "2024-01-01T03:00:00Z"]
        for (aggregation, values) in expected {
            let points = try await Self.run(queries, "issuance", interval: "1m", aggregation: aggregation.uppercased())
            #expect(points == zip(times, values).map { "\($0) \($1)" }, "\(aggregation)")
        }
        // Five minutes: [10, 20, 30, 50, 40]: an odd count's median is its middle value.
        #expect(try await Self.run(queries, "issuance", interval: "5m", aggregation: "median").first == "2024-01-01T00:00:00Z 30.0")
        #expect(try await Self.run(queries, "issuance", interval: "5m", aggregation: "avg").first == "2024-01-01T00:00:00Z 30.0")
        // No aggregation given: the metric's own (last).
        #expect(try await Self.run(queries, "issuance", interval: "5m", aggregation: nil).first == "2024-01-01T00:00:00Z 40.0")
    }

    @Test(arguments: Backend.allCases) func eachIntervalForm(_ backend: Backend) async throws {
        let queries = try await Self.filled(backend)
        let (from, to) = ("2023-12-01T00:00:00Z", "2025-12-31T00:00:00Z")
        func last(_ interval: String) async throws -> [String] {
            try await Self.run(queries, "issuance", from: from, to: to, interval: interval, aggregation: "last")
        }
        // Calendar buckets in UTC; weeks start on Sunday (2023-12-31 before Monday 2024-01-01).
        #expect(try await last("toStartOfMonth") == [
            "2024-01-01T00:00:00Z 100.0", "2024-02-01T00:00:00Z 7.0", "2024-05-01T00:00:00Z 8.0", "2025-03-01T00:00:00Z 9.0",
        ])
        #expect(try await last("toStartOfQuarter") == ["2024-01-01T00:00:00Z 7.0", "2024-04-01T00:00:00Z 8.0", "2025-01-01T00:00:00Z 9.0"])
        #expect(try await last("toStartOfYear") == ["2024-01-01T00:00:00Z 8.0", "2025-01-01T00:00:00Z 9.0"])
        #expect(try await last("toStartOfWeek") == [
            "2023-12-31T00:00:00Z 100.0", "2024-02-11T00:00:00Z 7.0", "2024-05-19T00:00:00Z 8.0", "2025-02-23T00:00:00Z 9.0",
        ])
        // Fixed weeks are aligned to the epoch, a Thursday: 2024-01-01 falls in the week from 2023-12-28.
        #expect(try await last("1w").first == "2023-12-28T00:00:00Z 100.0")
        #expect(try await last("1d").prefix(2) == ["2024-01-01T00:00:00Z 100.0", "2024-02-15T00:00:00Z 7.0"])
        #expect(try await Self.run(queries, "issuance", interval: "toStartOfDay", aggregation: "count") == ["2024-01-01T00:00:00Z 6.0"])
        #expect(try await Self.run(queries, "issuance", interval: "toStartOfHour", aggregation: "sum") == [
            "2024-01-01T00:00:00Z 150.0", "2024-01-01T03:00:00Z 100.0",
        ])
        #expect(try await Self.run(queries, "issuance", interval: "2h", aggregation: "max") == [
            "2024-01-01T00:00:00Z 50.0", "2024-01-01T02:00:00Z 100.0",
        ])
        // Below the metric's min_interval (60 s): raised to it, so 30 s buckets are minute buckets.
        #expect(try await Self.run(queries, "issuance", interval: "30s", aggregation: "sum")
            == Self.run(queries, "issuance", interval: "1m", aggregation: "sum"))
        // No interval: one from the range (four hours in at most 500 points: one minute).
        #expect(try await Self.run(queries, "issuance", interval: "", aggregation: "sum").count == 4)
    }

    @Test(arguments: Backend.allCases) func selectorsSlugsRelativeDatesAndIncompleteBuckets(_ backend: Backend) async throws {
        let queries = try await Self.filled(backend)
        // Every pool, block by block (11, 22), then summed over the minute; one pool alone.
        #expect(try await Self.run(queries, "pool_balance", interval: "1m", aggregation: "sum") == ["2024-01-01T00:00:00Z 33.0"])
        #expect(try await Self.run(queries, "pool_balance", interval: "1m", aggregation: "avg") == ["2024-01-01T00:00:00Z 16.5"])
        #expect(try await Self.run(queries, "pool_balance", labels: ["pool": "2"], interval: "1m", aggregation: "sum") == ["2024-01-01T00:00:00Z 30.0"])
        #expect(try await Self.run(queries, "pool_balance", labels: ["pool": "3"], interval: "1m", aggregation: "sum") == [])
        // Another slug, the same metric.
        #expect(try await Self.run(queries, "issuance", chain: "kusama", interval: "1m", aggregation: "sum") == ["2024-01-01T00:00:00Z 5.0"])
        // Relative dates: the last seven days hold 4 (two days ago) and 6 (now).
        let week = try await Self.run(queries, "recent", from: "utc_now-7d", to: "utc_now+1s", interval: "7d", aggregation: "sum", includeIncompleteData: true)
        #expect(week.map { $0.split(separator: " ")[1] }.reduce(0.0) { $0 + Double($1)! } == 10)
        // The day that holds now is not over: left out unless asked for.
        let days = try await Self.run(queries, "recent", from: "utc_now-3d", to: "utc_now+1d", interval: "1d", aggregation: "last")
        let withToday = try await Self.run(queries, "recent", from: "utc_now-3d", to: "utc_now+1d", interval: "1d", aggregation: "last", includeIncompleteData: true)
        #expect(days.map { $0.hasSuffix(" 4.0") } == [true] && withToday.count == 2 && withToday.last?.hasSuffix(" 6.0") == true, "\(days) \(withToday)")
        // What the API lists.
        #expect(try await queries.chains() == ["kusama", "polkadot"])
        #expect(try await queries.chains(metric: "pool_balance") == ["polkadot"])
        #expect(try await queries.metrics().map(\.name) == ["issuance", "pool_balance", "recent", "secret"])
        let times = try #require(try await queries.store.sampleTimes(metric: "issuance", chain: "polkadot"))
        #expect(QueryTime.iso8601(times.first) == "2024-01-01T00:00:00Z" && QueryTime.iso8601(times.last) == "2025-03-01T00:00:00Z")
    }

    @Test(arguments: Backend.allCases) func everyWrongArgumentIsNamed(_ backend: Backend) async throws {
        let queries = try await Self.filled(backend)
        func failure(
            _ metric: String = "issuance", chain: String = "polkadot", labels: [String: String] = [:], from: String = "2024-01-01", to: String = "2024-01-02",
            interval: String? = "1h", aggregation: String? = "sum"
        ) async -> String {
            do {
                _ = try await Self.run(queries, metric, chain: chain, labels: labels, from: from, to: to, interval: interval, aggregation: aggregation)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(await failure("nonsense") == "unknown metric \"nonsense\"")
        #expect(await failure(chain: "westend") == "unknown slug \"westend\": no samples of that chain are stored")
        #expect(await failure(aggregation: "mode").hasPrefix("argument aggregation: unknown aggregation \"mode\""))
        #expect(await failure(interval: "5 minutes").hasPrefix("argument interval: \"5 minutes\" is not an interval"))
        #expect(await failure(interval: "0m").hasPrefix("argument interval:"))
        #expect(await failure(interval: "toStartOfDecade").hasPrefix("argument interval:"))
        #expect(await failure(from: "yesterday").hasPrefix("argument from: \"yesterday\" is not a date"))
        #expect(await failure(to: "2024-02-30").hasPrefix("argument to: \"2024-02-30\" is not a date"))
        #expect(await failure(from: "utc_now-7x").hasPrefix("argument from: \"utc_now-7x\" is not a relative date"))
        #expect(await failure(from: "2024-01-02", to: "2024-01-01").hasPrefix("argument from: 2024-01-02 is not before to"))
        #expect(await failure("pool_balance", labels: ["validator": "x"]) == "argument selector: pool_balance has no label \"validator\"; it has pool")
        #expect(await failure("recent", from: "2024-01-01", to: "2024-03-01", interval: "1m")
            == "the query asks for 86400 points, more than the 1000 allowed in one answer: use a longer interval or a shorter range")
    }

    @Test func datesAndIntervalsAreReadAsSanbaseWritesThem() throws {
        #expect(QueryTime.absolute("2024-01-01") == Self.t0)
        #expect(QueryTime.absolute("2024-01-01T00:00:00+00:00") == Self.t0)
        #expect(QueryTime.absolute("2024-01-01T02:00:00+02:00") == Self.t0)
        #expect(QueryTime.absolute("2024-01-01T00:00:01.5Z") == Self.t0 + 1500)
        #expect(QueryTime.absolute("2024-01-01T00:00:00.123456") == Self.t0 + 123)
        #expect(QueryTime.absolute("2024-13-01") == nil && QueryTime.absolute("2024-01-01T24:00") == nil && QueryTime.absolute("2024-01-01Tx") == nil)
        #expect(try QueryTime.parse("utc_now-90m", argument: "from", nowMilliseconds: Self.t0) == Self.t0 - 90 * 60_000)
        #expect(QueryTime.iso8601(Self.t0 + 1500) == "2024-01-01T00:00:01.500Z")
        #expect(try QueryInterval(parsing: "90s") == .fixed(milliseconds: 90_000) && QueryInterval(parsing: "2w").description == "2w")
        #expect(try Aggregation(parsing: "MEDIAN") == .median)
    }
}
