/// The statement that answers a query from the pieces of its `RollupReadPlan`: the pieces'
/// rows (a level's summaries, or samples as summaries of one) read together, each placed in
/// the query bucket its time falls in, and aggregated there, so that only the answer's points
/// leave the database. Each piece reads only the summary columns its aggregation needs. Only
/// numbers (series ids, bucket bounds, the bucket width) go into the text; every one is an
/// `Int64` this store chose or parsed.
///
/// Rows come as `(bucket, value)` in bucket order, except on PostgreSQL, where they come as one
/// row of two arrays: its client decodes a row at a time, and a year of hours is 8,760 rows.
/// Grouped by series instead, the rows are `(series id, value)`: each series' value over the
/// whole range, alone.
struct RollupSQL {
    enum Grouping {
        /// The query's buckets: the answer's points.
        case queryBuckets
        /// Each series over the whole range (its id in the `bucket` column).
        case series
    }

    let sql: String

    init(_ plan: RollupReadPlan, query: TimeseriesQuery, series: [Int64], dialect: SQLDialect, grouping: Grouping = .queryBuckets) {
        let columns = Self.columns(query.aggregation)
        let list = series.map(String.init).joined(separator: ", ")
        let pieces = plan.pieces.map { piece in
            Self.select(piece, columns: columns, series: list, dialect: dialect)
        }
        let names = columns.map(\.name).joined(separator: ", ")
        // One series read from rows that are the query's buckets (a year of hours by the hour):
        // each row is a point, with nothing to add up.
        let rowsArePoints = grouping == .queryBuckets && series.count == 1
            && plan.pieces.allSatisfy { piece in piece.level.map { Self.isBucket(of: query.interval, $0) } ?? false }
        let answer: String
        if rowsArePoints {
            answer = "SELECT time AS bucket, \(Self.value(of: query.aggregation, dialect: dialect)) AS value FROM pieces"
        } else {
            let bucket = grouping == .series ? "series_id" : TimeseriesSQL.bucket(query.interval, dialect: dialect, time: .milliseconds, from: query.from)
            answer = """
                , bucketed AS (SELECT series_id, \(bucket) AS bucket, \(names) FROM pieces)
                \(Self.aggregate(query.aggregation, dialect: dialect))
                """
        }
        let points = """
            WITH pieces (series_id, time, \(names)) AS (
                \(pieces.joined(separator: "\n    UNION ALL ")))
            \(answer)
            """
        sql = switch dialect {
        case .sqlite:
            "\(points) ORDER BY bucket"
        case .postgres:
            """
            SELECT coalesce(array_agg(bucket ORDER BY bucket), '{}'::int8[]), coalesce(array_agg(value ORDER BY bucket), '{}'::float8[])
            FROM (\(points)) AS points
            """
        }
    }

    /// A summary column, and what it is for a sample (a summary of one).
    struct Column {
        let name: String
        let ofSample: String
    }

    /// The columns an aggregation's answer is made of.
    static func columns(_ aggregation: Aggregation) -> [Column] {
        let count = Column(name: "count", ofSample: "1")
        switch aggregation {
        case .avg: return [count, Column(name: "total", ofSample: "value")]
        case .sum: return [Column(name: "total", ofSample: "value")]
        case .min: return [Column(name: "minimum", ofSample: "value")]
        case .max: return [Column(name: "maximum", ofSample: "value")]
        case .count: return [count]
        case .first: return [Column(name: "first_block", ofSample: "block"), Column(name: "first_value", ofSample: "value")]
        case .last: return [Column(name: "last_block", ofSample: "block"), Column(name: "last_value", ofSample: "value")]
        case .median: preconditionFailure("a median reads every sample (RollupReadPlan)")
        }
    }

    /// One piece's rows as `(series_id, time, columns…)`.
    private static func select(_ piece: RollupReadPlan.Piece, columns: [Column], series: String, dialect: SQLDialect) -> String {
        if let level = piece.level {
            return """
                SELECT series_id, bucket, \(columns.map(\.name).joined(separator: ", ")) FROM \(level.table) \
                WHERE series_id IN (\(series)) AND bucket >= \(piece.from) AND bucket < \(piece.to)
                """
        }
        let values = columns.map(\.ofSample).joined(separator: ", ")
        return switch dialect {
        case .sqlite:
            "SELECT series_id, time, \(values) FROM samples WHERE series_id IN (\(series)) AND time >= \(piece.from) AND time < \(piece.to)"
        case .postgres:
            """
            SELECT series_id, (extract(epoch FROM time) * 1000)::int8, \(values) FROM samples WHERE series_id IN (\(series)) \
            AND time >= to_timestamp(\(piece.from)::float8 / 1000) AND time < to_timestamp(\(piece.to)::float8 / 1000)
            """
        }
    }

    /// An integer expression as a double (counts are integers in both stores).
    private static func real(_ expression: String, _ dialect: SQLDialect) -> String {
        dialect == .postgres ? "(\(expression))::float8" : "CAST(\(expression) AS REAL)"
    }

    /// Whether each of `level`'s buckets is one of the query's.
    static func isBucket(of interval: QueryInterval, _ level: RollupLevel) -> Bool {
        switch interval {
        case let .fixed(milliseconds): milliseconds == level.milliseconds
        case .calendar(.hour): level == .hour
        case .calendar(.day): level == .day
        default: false
        }
    }

    /// One summary row's value under `aggregation`.
    private static func value(of aggregation: Aggregation, dialect: SQLDialect) -> String {
        switch aggregation {
        case .avg: "total / \(real("count", dialect))"
        case .sum: "total"
        case .min: "minimum"
        case .max: "maximum"
        case .count: real("count", dialect)
        case .first: "first_value"
        case .last: "last_value"
        case .median: preconditionFailure("a median reads every sample (RollupReadPlan)")
        }
    }

    /// `SELECT bucket, value` per query bucket over `bucketed`. Several series (only under `sum`,
    /// `first` and `last`: `RollupReadPlan`) add up as the samples' sums per block would: the sum
    /// of their sums, or the sum of the values at the bucket's first (last) block.
    private static func aggregate(_ aggregation: Aggregation, dialect: SQLDialect) -> String {
        switch aggregation {
        case .avg: return "SELECT bucket, sum(total) / \(real("sum(count)", dialect)) AS value FROM bucketed GROUP BY bucket"
        case .sum: return "SELECT bucket, sum(total) AS value FROM bucketed GROUP BY bucket"
        case .min: return "SELECT bucket, min(minimum) AS value FROM bucketed GROUP BY bucket"
        case .max: return "SELECT bucket, max(maximum) AS value FROM bucketed GROUP BY bucket"
        case .count: return "SELECT bucket, \(real("sum(count)", dialect)) AS value FROM bucketed GROUP BY bucket"
        case .first, .last:
            let (edge, block, value) = aggregation == .first ? ("min", "first_block", "first_value") : ("max", "last_block", "last_value")
            // Per series, the value at its edge block: SQLite takes a bare column from the row
            // that `min`/`max` chose.
            let atEdge = dialect == .postgres ? "(array_agg(\(value) ORDER BY \(block) \(edge == "min" ? "ASC" : "DESC")))[1]" : value
            return """
                SELECT bucket, sum(value) AS value FROM (
                    SELECT bucket, block, value, \(edge)(block) OVER (PARTITION BY bucket) AS edge FROM (
                        SELECT bucket, \(edge)(\(block)) AS block, \(atEdge) AS value FROM bucketed GROUP BY series_id, bucket) AS per_series
                ) AS edges WHERE block = edge GROUP BY bucket
                """
        case .median: preconditionFailure("a median reads every sample (RollupReadPlan)")
        }
    }
}
