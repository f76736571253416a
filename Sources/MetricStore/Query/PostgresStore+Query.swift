import ExactJSON
import PostgresNIO

/// The query API's reads on PostgreSQL.
extension PostgresStore {
    public func definitions() async throws -> [StoredDefinition] {
        try await withConnection("reading the definitions") { connection in
            var definitions = [StoredDefinition]()
            let rows = try await connection.query("SELECT metric, version, definition::text FROM metric_metadata ORDER BY metric", logger: self.logger)
            for try await (metric, version, text) in rows.decode((String, String, String).self) {
                definitions.append(StoredDefinition(name: metric, version: version, json: (try? JSON.parse(text)) ?? .object([])))
            }
            return definitions
        }
    }

    public func chainsByMetric() async throws -> [String: Set<String>] {
        try await withConnection("reading the metrics of each chain") { connection in
            var chains = [String: Set<String>]()
            let rows = try await connection.query("SELECT DISTINCT metric, chain FROM series", logger: self.logger)
            for try await (metric, chain) in rows.decode((String, String).self) { chains[metric, default: []].insert(chain) }
            return chains
        }
    }

    public func sampleTimes(metric: String, chain: String) async throws -> (first: Int64, last: Int64)? {
        try await withConnection("reading when \(metric) has samples") { connection in
            let rows = try await connection.query("""
                SELECT (extract(epoch FROM min(x.time)) * 1000)::int8, (extract(epoch FROM max(x.time)) * 1000)::int8
                FROM samples x JOIN series s ON s.id = x.series_id WHERE s.metric = \(metric) AND s.chain = \(chain)
                """, logger: self.logger)
            for try await (first, last) in rows.decode((Int64?, Int64?).self) {
                if let first, let last { return (first, last) }
            }
            return nil
        }
    }

    /// The series of a query's metric and chain whose labels hold the query's, with their labels.
    private func series(of query: TimeseriesQuery, on connection: PostgresConnection) async throws -> [(id: Int64, labels: String)] {
        let labels = JSON.object(query.labels.sorted { $0.key < $1.key }.map { JSON.Member($0.key, .string($0.value)) }).serialized()
        var series = [(id: Int64, labels: String)]()
        let rows = try await connection.query(
            "SELECT id, labels::text FROM series WHERE metric = \(query.metric) AND chain = \(query.chain) AND labels @> \(labels)::jsonb ORDER BY id",
            logger: logger)
        for try await (id, labels) in rows.decode((Int64, String).self) { series.append((id, labels)) }
        return series
    }

    public func seriesValues(_ query: TimeseriesQuery) async throws -> [SeriesValue] {
        let whole = query.overWholeRange
        return try await withConnection("querying \(query.metric) of \(query.chain) per series") { connection in
            let found = try await self.series(of: whole, on: connection)
            let labels = Dictionary(uniqueKeysWithValues: found.map { ($0.id, SeriesValue.labels(json: $0.labels)) })
            let series = found.map(\.id)
            guard !series.isEmpty else { return [] }
            var values = [(Int64, Double)]()
            if let plan = RollupReadPlan(whole, seriesCount: 1), try await self.rollupsReady(series, on: connection) {
                let sql = RollupSQL(plan, query: whole, series: series, dialect: .postgres, grouping: .series).sql
                for try await (ids, totals) in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: self.logger).decode(([Int64], [Double]).self) {
                    values = Array(zip(ids, totals))
                }
            } else {
                for id in series { values += try await self.samplesTimeseries(whole, series: [id], on: connection).map { (id, $0.value) } }
            }
            return values.map { SeriesValue(labels: labels[$0.0] ?? [:], value: $0.1) }
        }
    }

    public func timeseries(_ query: TimeseriesQuery, source: TimeseriesSource) async throws -> [TimeseriesPoint] {
        return try await withConnection("querying \(query.metric) of \(query.chain)") { connection in
            let series = try await self.series(of: query, on: connection).map(\.id)
            guard !series.isEmpty else { return [] }
            if source == .fastest, let plan = RollupReadPlan(query, seriesCount: series.count), try await self.rollupsReady(series, on: connection) {
                let sql = RollupSQL(plan, query: query, series: series, dialect: .postgres).sql
                for try await (times, values) in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: self.logger).decode(([Int64], [Double]).self) {
                    return zip(times, values).map { TimeseriesPoint(time: $0, value: $1) }
                }
                return []
            }
            return try await self.samplesTimeseries(query, series: series, on: connection)
        }
    }

    /// A query answered from the samples, bucketed and aggregated in SQL.
    private func samplesTimeseries(_ query: TimeseriesQuery, series: [Int64], on connection: PostgresConnection) async throws -> [TimeseriesPoint] {
        let bucket = TimeseriesSQL.bucket(query.interval, dialect: .postgres, time: .timestamp, from: query.from)
        // One series (most queries) is read as it is; several are added up block by block.
        let aggregate = TimeseriesSQL.aggregate(query.aggregation, dialect: .postgres)
        let sql: PostgresQuery = series.count == 1
            ? """
                WITH per_block AS (
                    SELECT time, block, value FROM samples WHERE series_id = \(series[0])
                      AND time >= to_timestamp(\(query.from)::float8 / 1000) AND time < to_timestamp(\(query.to)::float8 / 1000)),
                bucketed AS (SELECT \(unescaped: bucket) AS bucket, time, block, value FROM per_block)
                \(unescaped: aggregate)
                """
            : """
                WITH per_block AS (
                    SELECT min(time) AS time, block, sum(value) AS value FROM samples WHERE series_id = ANY(\(series))
                      AND time >= to_timestamp(\(query.from)::float8 / 1000) AND time < to_timestamp(\(query.to)::float8 / 1000)
                    GROUP BY block),
                bucketed AS (SELECT \(unescaped: bucket) AS bucket, time, block, value FROM per_block)
                \(unescaped: aggregate)
                """
        var points = [TimeseriesPoint]()
        for try await (time, value) in try await connection.query(sql, logger: logger).decode((Int64, Double).self) {
            points.append(TimeseriesPoint(time: time, value: value))
        }
        return points
    }
}
