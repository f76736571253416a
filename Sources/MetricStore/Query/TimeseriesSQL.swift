/// The SQL of a timeseries query, for each store's dialect. Only text chosen here (bucket and
/// aggregation expressions from closed lists) and the bucket width, a number, go into the
/// statement; every value a caller gives (metric, chain, labels, times) is a bound parameter.
enum TimeseriesSQL {
    /// How a row's `time` is held: Unix milliseconds (SQLite's samples, and the rollups' bucket
    /// starts in both stores) or a timestamptz (PostgreSQL's samples).
    enum TimeColumn {
        case milliseconds, timestamp
    }

    /// The bucket start, in Unix milliseconds, of a row with `time`.
    static func bucket(_ interval: QueryInterval, dialect: SQLDialect, time: TimeColumn, from: Int64) -> String {
        switch (interval, time) {
        case (.whole, _):
            return dialect == .postgres ? "\(from)::int8" : "\(from)"
        case let (.fixed(width), .milliseconds):
            return "(time / \(width)) * \(width)"
        case let (.fixed(width), .timestamp):
            return "((extract(epoch FROM time) * 1000)::int8 / \(width)) * \(width)"
        case (.calendar(.hour), .milliseconds):
            return "(time / 3600000) * 3600000"
        case (.calendar(.day), .milliseconds):
            return "(time / 86400000) * 86400000"
        case (.calendar(.week), .milliseconds):
            // 1970-01-01 was a Thursday: four days after a Sunday.
            return "((time / 86400000) - ((time / 86400000) + 4) % 7) * 86400000"
        case let (.calendar(unit), _):
            switch dialect {
            case .sqlite:
                let seconds = "time / 1000, 'unixepoch'"
                switch unit {
                case .month: return "CAST(strftime('%s', \(seconds), 'start of month') AS INTEGER) * 1000"
                case .quarter:
                    return "CAST(strftime('%s', \(seconds), 'start of month', '-' || ((CAST(strftime('%m', \(seconds)) AS INTEGER) - 1) % 3) || ' months') AS INTEGER) * 1000"
                case .year: return "CAST(strftime('%s', \(seconds), 'start of year') AS INTEGER) * 1000"
                case .hour, .day, .week: preconditionFailure("SQLite's times are milliseconds, bucketed above")
                }
            case .postgres:
                let utc = time == .timestamp ? "(time AT TIME ZONE 'UTC')" : "(to_timestamp(time::float8 / 1000) AT TIME ZONE 'UTC')"
                let start = switch unit {
                case .hour: "date_trunc('hour', \(utc))"
                case .day: "date_trunc('day', \(utc))"
                case .week: "(date_trunc('week', \(utc) + interval '1 day') - interval '1 day')"
                case .month: "date_trunc('month', \(utc))"
                case .quarter: "date_trunc('quarter', \(utc))"
                case .year: "date_trunc('year', \(utc))"
                }
                return "(extract(epoch FROM \(start)) * 1000)::int8"
            }
        }
    }

    /// `SELECT bucket, value … ORDER BY bucket` over the CTE `bucketed (bucket, time, block, value)`.
    /// First and last are by block, as the rollups keep them.
    static func aggregate(_ aggregation: Aggregation, dialect: SQLDialect) -> String {
        switch (aggregation, dialect) {
        case (.avg, _), (.sum, _), (.min, _), (.max, _):
            return "SELECT bucket, \(aggregation.rawValue)(value) FROM bucketed GROUP BY bucket ORDER BY bucket"
        case (.count, .sqlite):
            return "SELECT bucket, CAST(count(*) AS REAL) FROM bucketed GROUP BY bucket ORDER BY bucket"
        case (.count, .postgres):
            return "SELECT bucket, count(*)::float8 FROM bucketed GROUP BY bucket ORDER BY bucket"
        case (.first, .postgres), (.last, .postgres):
            let order = aggregation == .first ? "block" : "block DESC"
            return "SELECT bucket, (array_agg(value ORDER BY \(order)))[1] FROM bucketed GROUP BY bucket ORDER BY bucket"
        case (.first, .sqlite), (.last, .sqlite):
            let order = aggregation == .first ? "block" : "block DESC"
            return """
                SELECT bucket, value FROM (SELECT bucket, value, row_number() OVER (PARTITION BY bucket ORDER BY \(order)) AS position FROM bucketed)
                WHERE position = 1 ORDER BY bucket
                """
        case (.median, .postgres):
            return "SELECT bucket, percentile_cont(0.5) WITHIN GROUP (ORDER BY value) FROM bucketed GROUP BY bucket ORDER BY bucket"
        case (.median, .sqlite):
            // The middle value, or the mean of the two middle ones (as percentile_cont gives).
            return """
                SELECT bucket, avg(value) FROM (
                    SELECT bucket, value, row_number() OVER (PARTITION BY bucket ORDER BY value) AS position,
                           count(*) OVER (PARTITION BY bucket) AS total FROM bucketed)
                WHERE position IN ((total + 1) / 2, (total + 2) / 2) GROUP BY bucket ORDER BY bucket
                """
        }
    }
}
