import ExactJSON

/// How the samples of one bucket become one value (Sanbase's aggregations).
public enum Aggregation: String, Sendable, CaseIterable {
    case avg, sum, min, max, first, last, count, median

    /// Case-insensitive (`AVG` in GraphQL, `avg` in URLs and definitions).
    public init(parsing text: String) throws(QueryError) {
        guard let aggregation = Aggregation(rawValue: text.lowercased()) else {
            throw QueryError.badArgument("aggregation", "unknown aggregation \"\(text)\"; one of \(Aggregation.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = aggregation
    }
}

/// A bucket width: a fixed one (`30s`, `5m`, `1h`, `1d`, `1w`), its buckets aligned to the Unix
/// epoch, or a calendar one (`toStartOfDay`, `…Week` from Sunday, `…Month`, `…Quarter`, `…Year`)
/// in UTC.
public enum QueryInterval: Sendable, Equatable, CustomStringConvertible {
    case fixed(milliseconds: Int64)
    case calendar(CalendarUnit)
    /// One bucket for the whole range, starting at `from` (an aggregated value).
    case whole

    public enum CalendarUnit: String, Sendable, CaseIterable {
        case hour = "toStartOfHour", day = "toStartOfDay", week = "toStartOfWeek", month = "toStartOfMonth"
        case quarter = "toStartOfQuarter", year = "toStartOfYear"

        /// The shortest such bucket, for comparisons with a metric's minimum interval.
        var shortestMilliseconds: Int64 {
            switch self {
            case .hour: 3_600_000
            case .day: 86_400_000
            case .week: 7 * 86_400_000
            case .month: 28 * 86_400_000
            case .quarter: 90 * 86_400_000
            case .year: 365 * 86_400_000
            }
        }
    }

    static let unitMilliseconds: [Character: Int64] = ["s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 7 * 86_400_000]
    /// Longer fixed buckets are refused: a calendar interval says what is meant.
    static let longestMilliseconds: Int64 = 3660 * 86_400_000

    public init(parsing text: String) throws(QueryError) {
        if let unit = CalendarUnit(rawValue: text) {
            self = .calendar(unit)
            return
        }
        guard let last = text.last, let unit = Self.unitMilliseconds[last], let count = Int64(text.dropLast()), count > 0,
              count <= Self.longestMilliseconds / unit
        else {
            throw QueryError.badArgument("interval", "\"\(text)\" is not an interval: a positive count and one of s m h d w (5m, 1h, 1d), or toStartOfHour, toStartOfDay, toStartOfWeek, toStartOfMonth, toStartOfQuarter, toStartOfYear")
        }
        self = .fixed(milliseconds: count * unit)
    }

    /// The bucket width for comparisons (a calendar bucket's shortest).
    public var nominalMilliseconds: Int64 {
        switch self {
        case let .fixed(milliseconds): milliseconds
        case let .calendar(unit): unit.shortestMilliseconds
        case .whole: Int64.max
        }
    }

    public var description: String {
        switch self {
        case let .calendar(unit): return unit.rawValue
        case .whole: return "the whole range"
        case let .fixed(milliseconds):
            for (suffix, unit) in [("w", Int64(7 * 86_400_000)), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000)] where milliseconds % unit == 0 {
                return "\(milliseconds / unit)\(suffix)"
            }
            return "\(milliseconds / 1000)s"
        }
    }
}

/// One metric of one chain over a time range, bucketed and aggregated in the database. The
/// series of the metric whose labels contain `labels` are added up block by block first (the
/// chain's total of a per-pool or per-pallet metric), then each bucket is aggregated.
public struct TimeseriesQuery: Sendable, Equatable {
    public var metric: String
    public var chain: String
    public var labels: [String: String]
    /// Unix milliseconds, `from` included, `to` excluded.
    public var from: Int64
    public var to: Int64
    public var interval: QueryInterval
    public var aggregation: Aggregation

    /// The same query in one bucket: the whole range.
    var overWholeRange: TimeseriesQuery {
        var whole = self
        whole.interval = .whole
        return whole
    }

    public init(metric: String, chain: String, labels: [String: String] = [:], from: Int64, to: Int64, interval: QueryInterval, aggregation: Aggregation) {
        self.metric = metric
        self.chain = chain
        self.labels = labels
        self.from = from
        self.to = to
        self.interval = interval
        self.aggregation = aggregation
    }
}

/// One series' value over a query's whole range (`MetricStore.seriesValues`).
public struct SeriesValue: Sendable, Equatable {
    public var labels: [String: String]
    public var value: Double

    public init(labels: [String: String], value: Double) {
        self.labels = labels
        self.value = value
    }

    /// A series' stored labels (a JSON object of strings).
    static func labels(json text: String) -> [String: String] {
        guard case let .object(members)? = try? JSON.parse(text) else { return [:] }
        var labels = [String: String]()
        for member in members { labels[member.key] = member.value.stringValue }
        return labels
    }
}

/// A bucket's start (Unix milliseconds) and its aggregated value.
public struct TimeseriesPoint: Sendable, Equatable {
    public var time: Int64
    public var value: Double

    public init(time: Int64, value: Double) {
        self.time = time
        self.value = value
    }
}

/// What is wrong with a query, in words for the one who asked.
public enum QueryError: Error, Equatable, CustomStringConvertible {
    /// An argument (named) that cannot be used, and why.
    case badArgument(String, String)
    case unknownMetric(String)
    case unknownChain(String)
    /// The answer would have more points than allowed.
    case tooManyPoints(asked: Int64, limit: Int)
    /// A restricted metric asked for without a valid API key.
    case restricted(String)
    /// A metric asked for with a key of a plan below the metric's `min_plan`.
    case planTooLow(String, needs: Plan, has: Plan)

    public var description: String {
        switch self {
        case let .badArgument(name, why): "argument \(name): \(why)"
        case let .unknownMetric(metric): "unknown metric \"\(metric)\""
        case let .unknownChain(chain): "unknown slug \"\(chain)\": no samples of that chain are stored"
        case let .tooManyPoints(asked, limit):
            "the query asks for \(asked) points, more than the \(limit) allowed in one answer: use a longer interval or a shorter range"
        case let .restricted(metric): "metric \"\(metric)\" is restricted: send an API key (Authorization: Apikey …)"
        case let .planTooLow(metric, needs, has): "metric \"\(metric)\" needs an API key of plan \(needs.apiName) or above; this key's plan is \(has.apiName)"
        }
    }
}
