public import ExactJSON

/// The query API over a store, as Sanbase's `getMetric` defines it: arguments read and checked
/// (dates, intervals, aggregations, label selectors), an interval below the metric's
/// `min_interval` raised to it, an empty one chosen from the range, a bound on points per
/// answer, and the work done in the database. GraphQL and REST both answer through it.
public struct MetricQueries: Sendable {
    public let store: any MetricStore
    /// The most points one answer may hold.
    public var maximumPoints: Int
    /// About how many points an answer without an interval gets.
    public var defaultPoints: Int

    public init(store: any MetricStore, maximumPoints: Int = 10_000, defaultPoints: Int = 500) {
        self.store = store
        self.maximumPoints = maximumPoints
        self.defaultPoints = defaultPoints
    }

    /// A metric's definition as the store keeps it, and what the API says about it.
    public struct Metric: Sendable {
        public let name: String
        public let version: String
        public let definition: JSON

        public var help: String { definition["help"]?.stringValue ?? "" }
        public var kind: String { definition["type"]?.stringValue ?? "gauge" }
        public var unit: String? { definition["unit"]?.stringValue }
        public var labels: [String] { definition["labels"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        public var defaultAggregation: Aggregation {
            definition["aggregation"]?.stringValue.flatMap { Aggregation(rawValue: $0) } ?? .last
        }
        /// Seconds.
        public var minimumInterval: Int64 { definition["min_interval"]?.uint64Value.map { Int64(clamping: $0) } ?? 0 }
        public var dataType: String { definition["data_type"]?.stringValue ?? "timeseries" }
        /// Given, or made of the name (`balances_total_issuance_tokens` → `Balances total issuance tokens`).
        public var humanReadableName: String {
            if let given = definition["human_readable_name"]?.stringValue { return given }
            let words = name.split(separator: "_").joined(separator: " ")
            return words.prefix(1).uppercased() + words.dropFirst()
        }
        /// Whether the newest point may still change (a daily read whose day is not over).
        public var hasIncompleteData: Bool { definition["has_incomplete_data"] == .bool(true) }
        public var docs: [String] { definition["docs"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        public var minPlan: Plan { definition["min_plan"]?.stringValue.flatMap(Plan.init(rawValue:)) ?? .free }
        /// Whether reading it takes an API key: `access: restricted`, or a plan above free.
        public var isRestricted: Bool { definition["access"]?.stringValue == "restricted" || minPlan > .free }

        /// Whether a request with a key of `plan` (nil: no key) may read the metric.
        public func isAccessible(with plan: Plan?) -> Bool {
            guard let plan else { return !isRestricted }
            return plan >= minPlan
        }

        /// Throws why a request with a key of `plan` may not read the metric.
        public func checkAccess(with plan: Plan?) throws(QueryError) {
            guard !isAccessible(with: plan) else { return }
            guard let plan else { throw .restricted(name) }
            throw .planTooLow(name, needs: minPlan, has: plan)
        }
    }

    public func metrics() async throws -> [Metric] {
        try await store.definitions().map { Metric(name: $0.name, version: $0.version, definition: $0.json) }
    }

    public func metric(named name: String) async throws -> Metric {
        guard let metric = try await metrics().first(where: { $0.name == name }) else { throw QueryError.unknownMetric(name) }
        return metric
    }

    /// The chains (slugs) with samples of any metric, or of `metric`.
    public func chains(metric: String? = nil) async throws -> [String] {
        let byMetric = try await store.chainsByMetric()
        let chains = metric.map { byMetric[$0] ?? [] } ?? byMetric.values.reduce(into: Set<String>()) { $0.formUnion($1) }
        return chains.sorted()
    }

    /// A query from the API's arguments, checked: `interval` empty or nil picks one,
    /// `aggregation` nil takes the metric's default.
    public func plan(
        metric name: String, chain: String, labels: [String: String] = [:], from: String, to: String, interval: String?,
        aggregation: String?, nowMilliseconds: Int64
    ) async throws -> TimeseriesQuery {
        let metric = try await metric(named: name)
        let fromTime = try QueryTime.parse(from, argument: "from", nowMilliseconds: nowMilliseconds)
        let toTime = try QueryTime.parse(to, argument: "to", nowMilliseconds: nowMilliseconds)
        guard fromTime < toTime else { throw QueryError.badArgument("from", "\(from) is not before to \(to)") }
        for label in labels.keys where !Self.isLabelName(label) || !metric.labels.contains(label) {
            let known = metric.labels.isEmpty ? "it has none" : "it has \(metric.labels.joined(separator: ", "))"
            throw QueryError.badArgument("selector", "\(name) has no label \"\(label)\"; \(known)")
        }
        let minimum = metric.minimumInterval * 1000
        var bucket: QueryInterval
        if let interval, !interval.isEmpty {
            bucket = try QueryInterval(parsing: interval)
        } else {
            bucket = Self.automaticInterval(range: toTime - fromTime, points: defaultPoints)
        }
        if bucket.nominalMilliseconds < minimum { bucket = .fixed(milliseconds: minimum) }
        let points = (toTime - fromTime + bucket.nominalMilliseconds - 1) / bucket.nominalMilliseconds
        guard points <= maximumPoints else { throw QueryError.tooManyPoints(asked: points, limit: maximumPoints) }
        let aggregationValue = try aggregation.map { text throws(QueryError) in try Aggregation(parsing: text) } ?? metric.defaultAggregation
        return TimeseriesQuery(metric: name, chain: chain, labels: labels, from: fromTime, to: toTime, interval: bucket, aggregation: aggregationValue)
    }

    /// Runs a planned query. A chain with no samples of any metric is an error; without
    /// `includeIncompleteData` a last bucket that ends after now is left out.
    public func timeseries(_ query: TimeseriesQuery, includeIncompleteData: Bool = false, nowMilliseconds: Int64) async throws -> [TimeseriesPoint] {
        guard try await chains().contains(query.chain) else { throw QueryError.unknownChain(query.chain) }
        var points = try await store.timeseries(query)
        if !includeIncompleteData, let last = points.last, Self.bucketEnd(last.time, query.interval) > nowMilliseconds {
            points.removeLast()
        }
        return points
    }

    /// Where a histogram without `from` starts: before any sample (Sanbase's all-time histograms).
    public static let allTime = "1970-01-01T00:00:00Z"

    /// Sanbase's `histogramData`: one label's values over a planned query's range, ranked,
    /// largest first (ties by name), at most `limit`: each series' value under the query's
    /// aggregation (calls: their sum; pools' balances: the last), added up over the series that
    /// share the label's value. `label` nil: the metric's first.
    public func histogram(_ query: TimeseriesQuery, label: String?, limit: Int) async throws -> [(label: String, value: Double)] {
        let metric = try await metric(named: query.metric)
        guard let label = label ?? metric.labels.first else { throw QueryError.badArgument("label", "\(metric.name) has no labels to rank") }
        guard metric.labels.contains(label) else {
            throw QueryError.badArgument("label", "\(metric.name) has no label \"\(label)\"; it has \(metric.labels.joined(separator: ", "))")
        }
        guard (1...maximumPoints).contains(limit) else { throw QueryError.badArgument("limit", "\(limit) is not between 1 and \(maximumPoints)") }
        guard try await chains().contains(query.chain) else { throw QueryError.unknownChain(query.chain) }
        var totals = [String: Double]()
        for series in try await store.seriesValues(query) {
            guard let value = series.labels[label] else { continue }
            totals[value, default: 0] += series.value
        }
        let ranked = totals.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        return ranked.prefix(limit).map { ($0.key, $0.value) }
    }

    /// The smallest usual interval that keeps a range within about `points` buckets.
    static func automaticInterval(range: Int64, points: Int) -> QueryInterval {
        let minute: Int64 = 60_000
        let choices = [1, 5, 15, 30, 60, 120, 240, 360, 720, 1440, 10080].map { Int64($0) * minute }
        let width = choices.first { range / $0 <= Int64(points) } ?? choices[choices.count - 1]
        return .fixed(milliseconds: width)
    }

    /// Where the bucket starting at `start` ends.
    static func bucketEnd(_ start: Int64, _ interval: QueryInterval) -> Int64 {
        switch interval {
        case let .fixed(milliseconds): return start + milliseconds
        case .whole: return Int64.min  // never dropped: the range is what was asked for
        case let .calendar(unit):
            switch unit {
            case .hour, .day, .week: return start + unit.shortestMilliseconds
            case .month, .quarter, .year:
                let months = unit == .month ? 1 : unit == .quarter ? 3 : 12
                let (year, month) = QueryTime.yearAndMonth(start)
                let next = month - 1 + months
                return Int64(QueryTime.daysSinceEpoch(year: year + next / 12, month: next % 12 + 1, day: 1)) * 86_400_000
            }
        }
    }

    /// Prometheus label-name rules; other names cannot be labels of ours.
    static func isLabelName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || (first | 0x20 >= UInt8(ascii: "a") && first | 0x20 <= UInt8(ascii: "z")) else { return false }
        return name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || ($0 | 0x20 >= UInt8(ascii: "a") && $0 | 0x20 <= UInt8(ascii: "z")) || ($0 >= 0x30 && $0 <= 0x39) }
    }
}
