/// How a timeseries query reads from rollups: the range cut into pieces, each read from the
/// coarsest level whose buckets lie whole inside it and inside one of the query's buckets,
/// and the samples themselves at the ends (less than a minute each). A year of daily buckets
/// from midnight to midnight is one piece of 365 day rows; from 12:34 it is a few samples,
/// 26 minutes, 11 hours, 364 days, and so on at the other end. The pieces' summaries then add
/// up per query bucket (`RollupAnswer`), exactly as the samples would.
struct RollupReadPlan: Equatable, Sendable {
    /// Rows of a level with `from <= bucket < to`, or samples with `from <= time < to`.
    struct Piece: Equatable, Sendable {
        /// Nil: the samples.
        let level: RollupLevel?
        let from: Int64
        let to: Int64

        static func samples(from: Int64, to: Int64) -> Piece { Piece(level: nil, from: from, to: to) }
        static func rollup(_ level: RollupLevel, from: Int64, to: Int64) -> Piece { Piece(level: level, from: from, to: to) }
    }

    let pieces: [Piece]

    /// Nil when the query needs every sample: `median`; an interval whose buckets do not start
    /// on whole minutes; several series added up block by block under an aggregation their
    /// separate summaries cannot give (their average, extremes and block count need the sums
    /// per block).
    init?(_ query: TimeseriesQuery, seriesCount: Int) {
        guard query.aggregation != .median, seriesCount == 1 || [.sum, .first, .last].contains(query.aggregation) else { return nil }
        let levels = RollupLevel.allCases.filter { Self.bucketEdgesAreWhole(query.interval, of: $0) }
        guard !levels.isEmpty else { return nil }
        pieces = Self.pieces(from: query.from, to: query.to, levels: levels)
    }

    /// Whether every bucket of `interval` starts and ends on a bucket edge of `level`.
    static func bucketEdgesAreWhole(_ interval: QueryInterval, of level: RollupLevel) -> Bool {
        switch interval {
        case .whole: true
        case let .fixed(milliseconds): milliseconds % level.milliseconds == 0
        case .calendar(.hour): level <= .hour
        case .calendar: level <= .day
        }
    }

    /// `from..<to` in pieces, the coarsest of `levels` (finest first) in the middle.
    private static func pieces(from: Int64, to: Int64, levels: [RollupLevel]) -> [Piece] {
        guard from < to else { return [] }
        guard let level = levels.last else { return [.samples(from: from, to: to)] }
        let finer = Array(levels.dropLast())
        let start = level.start(of: from) == from ? from : level.start(of: from) + level.milliseconds
        let end = level.start(of: to)
        guard start < end else { return pieces(from: from, to: to, levels: finer) }
        return pieces(from: from, to: start, levels: finer) + [.rollup(level, from: start, to: end)] + pieces(from: end, to: to, levels: finer)
    }
}

/// A query's buckets filled from pieces of a `RollupReadPlan`: each row (a sample or a
/// summary) goes to the query bucket its time falls in, per series, and each bucket's value
/// is worked out as the samples' aggregation would give it.
struct RollupAnswer: Sendable {
    let query: TimeseriesQuery
    /// Per series and query bucket (the key's `bucket`).
    private var summaries: [RollupKey: BucketSummary] = [:]

    init(_ query: TimeseriesQuery) {
        self.query = query
    }

    /// A row of `series` placed at `time` (a sample's time, or a summary's bucket start).
    mutating func add(series: Int64, time: Int64, _ summary: BucketSummary) {
        let key = RollupKey(series: series, bucket: QueryBuckets.start(of: time, query.interval, from: query.from))
        if let index = summaries.index(forKey: key) {
            summaries.values[index].merge(summary)
        } else {
            summaries[key] = summary
        }
    }

    /// Oldest first; buckets without rows are left out, as on the samples' path.
    var points: [TimeseriesPoint] {
        var byBucket = [Int64: [BucketSummary]]()
        for (key, summary) in summaries { byBucket[key.bucket, default: []].append(summary) }
        return byBucket.keys.sorted().compactMap { bucket in
            Self.value(of: byBucket[bucket]!, query.aggregation).map { TimeseriesPoint(time: bucket, value: $0) }
        }
    }

    /// One series' value; several series' block-by-block sums under `sum` (the sum of their
    /// sums), `first` and `last` (the sum of the values at the bucket's first or last block).
    private static func value(of summaries: [BucketSummary], _ aggregation: Aggregation) -> Double? {
        if summaries.count == 1 { return summaries[0].value(aggregation) }
        switch aggregation {
        case .sum:
            return summaries.reduce(0) { $0 + $1.total }
        case .first:
            let block = summaries.map(\.firstBlock).min()
            return summaries.filter { $0.firstBlock == block }.reduce(0) { $0 + $1.firstValue }
        case .last:
            let block = summaries.map(\.lastBlock).max()
            return summaries.filter { $0.lastBlock == block }.reduce(0) { $0 + $1.lastValue }
        default:
            return nil
        }
    }
}

/// The start of the query bucket holding a time, as the samples' SQL computes it.
enum QueryBuckets {
    static func start(of time: Int64, _ interval: QueryInterval, from: Int64) -> Int64 {
        let day: Int64 = 86_400_000
        switch interval {
        case .whole:
            return from
        case let .fixed(milliseconds):
            return time.flooredToMultiple(of: milliseconds)
        case .calendar(.hour):
            return RollupLevel.hour.start(of: time)
        case .calendar(.day):
            return RollupLevel.day.start(of: time)
        case .calendar(.week):
            // 1970-01-01 was a Thursday: four days after a Sunday.
            let days = RollupLevel.day.start(of: time) / day
            return (days - ((days + 4) % 7 + 7) % 7) * day
        case let .calendar(unit):
            let (year, month) = QueryTime.yearAndMonth(time)
            let first = switch unit {
            case .month: month
            case .quarter: (month - 1) / 3 * 3 + 1
            default: 1
            }
            return Int64(QueryTime.daysSinceEpoch(year: year, month: first, day: 1)) * day
        }
    }
}
