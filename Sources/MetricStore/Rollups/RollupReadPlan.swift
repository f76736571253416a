/// How a timeseries query reads from rollups: the range cut into pieces, each read from the
/// coarsest level whose buckets lie whole inside it and inside one of the query's buckets,
/// and the samples themselves at the ends (less than five minutes each). A year of daily
/// buckets from midnight to midnight is one piece of 365 day rows; from 12:34 it is a few
/// samples, five-minute buckets to 13:00, 11 hours, 364 days, and so on at the other end. The
/// pieces' summaries then add up per query bucket in the database (`RollupSQL`), exactly as
/// the samples would.
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
    /// on whole five minutes; several series added up block by block under an aggregation their
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
