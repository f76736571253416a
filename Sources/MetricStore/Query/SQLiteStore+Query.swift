import ExactJSON
import GRDB

/// The query API's reads on the embedded store.
extension SQLiteStore {
    public func definitions() async throws -> [StoredDefinition] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT metric, version, definition FROM metric_metadata ORDER BY metric").map { row in
                StoredDefinition(name: row["metric"], version: row["version"], json: (try? JSON.parse(row["definition"] as String)) ?? .object([]))
            }
        }
    }

    public func chainsByMetric() async throws -> [String: Set<String>] {
        try await pool.read { db in
            var chains = [String: Set<String>]()
            for row in try Row.fetchAll(db, sql: "SELECT DISTINCT metric, chain FROM series") {
                chains[row["metric"] as String, default: []].insert(row["chain"])
            }
            return chains
        }
    }

    public func sampleTimes(metric: String, chain: String) async throws -> (first: Int64, last: Int64)? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT min(x.time) AS first, max(x.time) AS last FROM samples x JOIN series s ON s.id = x.series_id
                WHERE s.metric = ? AND s.chain = ?
                """, arguments: [metric, chain]), let first = row["first"] as Int64?, let last = row["last"] as Int64?
            else { return nil }
            return (first, last)
        }
    }

    /// The series of a query's metric and chain whose labels hold the query's: `SELECT id, labels …` and its arguments.
    private static func seriesSQL(_ query: TimeseriesQuery) -> (sql: String, arguments: StatementArguments) {
        var arguments: StatementArguments = [query.metric, query.chain]
        var labelFilter = ""
        for (name, value) in query.labels.sorted(by: { $0.key < $1.key }) {
            labelFilter += " AND json_extract(labels, ?) = ?"
            arguments += ["$.\"\(name)\"", value]
        }
        return ("SELECT id, labels FROM series WHERE metric = ? AND chain = ?\(labelFilter) ORDER BY id", arguments)
    }

    public func seriesValues(_ query: TimeseriesQuery) async throws -> [SeriesValue] {
        let (seriesSQL, bound) = Self.seriesSQL(query)
        let whole = query.overWholeRange
        return try await pool.read { db in
            var labels = [Int64: [String: String]]()
            for row in try Row.fetchAll(db, sql: seriesSQL, arguments: bound) { labels[row[0]] = SeriesValue.labels(json: row[1]) }
            let series = labels.keys.sorted()
            guard !series.isEmpty else { return [] }
            var values = [(Int64, Double)]()
            if let plan = RollupReadPlan(whole, seriesCount: 1), try self.rollupsReady(series, in: db) {
                let sql = RollupSQL(plan, query: whole, series: series, dialect: .sqlite, grouping: .series).sql
                values = try Row.fetchAll(db, sql: sql).map { ($0[0], $0[1]) }
            } else {
                for id in series { values += try Self.samplesTimeseries(whole, series: [id], in: db).map { (id, $0.value) } }
            }
            return values.map { SeriesValue(labels: labels[$0.0] ?? [:], value: $0.1) }
        }
    }

    public func timeseries(_ query: TimeseriesQuery, source: TimeseriesSource) async throws -> [TimeseriesPoint] {
        let (seriesSQL, bound) = Self.seriesSQL(query)
        return try await pool.read { db in
            let series = try Row.fetchAll(db, sql: seriesSQL, arguments: bound).map { $0[0] as Int64 }
            guard !series.isEmpty else { return [] }
            if source == .fastest, let plan = RollupReadPlan(query, seriesCount: series.count), try self.rollupsReady(series, in: db) {
                let sql = RollupSQL(plan, query: query, series: series, dialect: .sqlite).sql
                return try Row.fetchAll(db, sql: sql).map { row in TimeseriesPoint(time: row[0], value: row[1]) }
            }
            return try Self.samplesTimeseries(query, series: series, in: db)
        }
    }

    /// A query answered from the samples, bucketed and aggregated in SQL.
    private static func samplesTimeseries(_ query: TimeseriesQuery, series: [Int64], in db: Database) throws -> [TimeseriesPoint] {
        let bucket = TimeseriesSQL.bucket(query.interval, dialect: .sqlite, time: .milliseconds, from: query.from)
        let aggregate = TimeseriesSQL.aggregate(query.aggregation, dialect: .sqlite)
        // One series (most queries) is read as it is; several are added up block by block.
        let perBlock = series.count == 1
            ? "SELECT time, block, value FROM samples WHERE series_id = ? AND time >= ? AND time < ?"
            : """
                SELECT min(time) AS time, block, sum(value) AS value FROM samples
                WHERE series_id IN (\(series.map { _ in "?" }.joined(separator: ", "))) AND time >= ? AND time < ? GROUP BY block
                """
        let sql = """
            WITH per_block AS (\(perBlock)),
            bucketed AS (SELECT \(bucket) AS bucket, time, block, value FROM per_block)
            \(aggregate)
            """
        var arguments = StatementArguments(series)
        arguments += [query.from, query.to]
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in TimeseriesPoint(time: row[0], value: row[1]) }
    }
}
