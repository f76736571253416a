import PostgresNIO

/// Rollups on PostgreSQL: kept up to date inside each write's transaction (a few set-based
/// statements per level, whatever the number of series) and built for a store's older series
/// when it gains them. Queries read them through `RollupSQL`.
extension PostgresStore {
    /// Merges and recomputations of one write (`RollupUpdate`), in its transaction.
    func apply(_ update: RollupUpdate, on connection: PostgresConnection) async throws {
        guard !update.isEmpty else { return }
        for step in update.steps {
            if !step.merges.isEmpty { try await merge(step.merges, into: step.level, on: connection) }
            guard !step.recomputes.isEmpty else { continue }
            let summaries = try await summarise(step.recomputes, in: step.level, on: connection)
            try await replace(step.recomputes, with: summaries, in: step.level, on: connection)
        }
    }

    /// Summaries merged into a level's rows: each new sample's bucket as it stands, or a new row.
    private func merge(_ merges: [(key: RollupKey, summary: BucketSummary)], into level: RollupLevel, on connection: PostgresConnection) async throws {
        try await insert(merges, into: level, onConflict: """
            count = t.count + excluded.count, total = t.total + excluded.total,
            minimum = least(t.minimum, excluded.minimum), maximum = greatest(t.maximum, excluded.maximum),
            first_block = least(t.first_block, excluded.first_block),
            first_value = CASE WHEN excluded.first_block < t.first_block THEN excluded.first_value ELSE t.first_value END,
            last_block = greatest(t.last_block, excluded.last_block),
            last_value = CASE WHEN excluded.last_block > t.last_block THEN excluded.last_value ELSE t.last_value END
            """, on: connection)
    }

    /// Buckets' rows made what `summaries` says; those without a summary (no samples any more) removed.
    private func replace(_ keys: [RollupKey], with summaries: BucketSummaries, in level: RollupLevel, on connection: PostgresConnection) async throws {
        let kept = summaries.sorted
        if !kept.isEmpty {
            try await insert(kept, into: level, onConflict: """
                count = excluded.count, total = excluded.total, minimum = excluded.minimum, maximum = excluded.maximum,
                first_block = excluded.first_block, first_value = excluded.first_value, last_block = excluded.last_block, last_value = excluded.last_value
                """, on: connection)
        }
        let emptied = keys.filter { summaries.byKey[$0] == nil }
        guard !emptied.isEmpty else { return }
        try await connection.query("""
            DELETE FROM \(unescaped: level.table) t USING unnest(\(emptied.map(\.series))::int8[], \(emptied.map(\.bucket))::int8[]) AS k(series_id, bucket)
            WHERE t.series_id = k.series_id AND t.bucket = k.bucket
            """, logger: logger)
    }

    /// Rows into a level's table in one statement; a row already there (`t`) becomes what
    /// `assignments` say.
    private func insert(_ rows: [(key: RollupKey, summary: BucketSummary)], into level: RollupLevel, onConflict assignments: String,
                        on connection: PostgresConnection) async throws {
        let columns = RollupColumns(rows)
        try await connection.query("""
            INSERT INTO \(unescaped: level.table) AS t (series_id, bucket, count, total, minimum, maximum, first_block, first_value, last_block, last_value)
            SELECT * FROM unnest(\(columns.series)::int8[], \(columns.buckets)::int8[], \(columns.counts)::int8[], \(columns.totals)::float8[],
                                 \(columns.minimums)::float8[], \(columns.maximums)::float8[], \(columns.firstBlocks)::int8[], \(columns.firstValues)::float8[],
                                 \(columns.lastBlocks)::int8[], \(columns.lastValues)::float8[])
            ON CONFLICT (series_id, bucket) DO UPDATE SET \(unescaped: assignments)
            """, logger: logger)
    }

    /// What the rows below `level` (samples, or the finer level) in each bucket of `keys` come to.
    private func summarise(_ keys: [RollupKey], in level: RollupLevel, on connection: PostgresConnection) async throws -> BucketSummaries {
        let (series, buckets, width) = (keys.map(\.series), keys.map(\.bucket), level.milliseconds)
        let rows = if let finer = level.finer {
            try await summaryRows("""
                SELECT k.series_id, k.bucket, m.count, m.total, m.minimum, m.maximum, m.first_block, m.first_value, m.last_block, m.last_value
                FROM unnest(\(series)::int8[], \(buckets)::int8[]) AS k(series_id, bucket)
                JOIN \(unescaped: finer.table) m ON m.series_id = k.series_id AND m.bucket >= k.bucket AND m.bucket < k.bucket + \(width)
                """, on: connection)
        } else {
            try await sampleRows("""
                SELECT k.series_id, k.bucket, x.block, x.value FROM unnest(\(series)::int8[], \(buckets)::int8[]) AS k(series_id, bucket)
                JOIN samples x ON x.series_id = k.series_id
                 AND x.time >= to_timestamp(k.bucket::float8 / 1000) AND x.time < to_timestamp((k.bucket + \(width))::float8 / 1000)
                """, on: connection)
        }
        var summaries = BucketSummaries()
        for row in rows { summaries.add(row.summary, at: RollupKey(series: row.series, bucket: row.time)) }
        return summaries
    }

    /// A query's rows `(series, time, block, value)`, each sample a summary of one.
    private func sampleRows(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> [(series: Int64, time: Int64, summary: BucketSummary)] {
        var found = [(series: Int64, time: Int64, summary: BucketSummary)]()
        for try await (series, time, block, value) in try await connection.query(query, logger: logger).decode((Int64, Int64, Int64, Double).self) {
            found.append((series, time, BucketSummary(block: block, value: value)))
        }
        return found
    }

    /// A query's rows `(series, bucket)` and a summary's eight columns in the tables' order.
    private func summaryRows(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> [(series: Int64, time: Int64, summary: BucketSummary)] {
        var found = [(series: Int64, time: Int64, summary: BucketSummary)]()
        let rows = try await connection.query(query, logger: logger)
        for try await (series, bucket, count, total, minimum, maximum, firstBlock, firstValue, lastBlock, lastValue)
            in rows.decode((Int64, Int64, Int64, Double, Double, Double, Int64, Double, Int64, Double).self) {
            found.append((series, bucket, BucketSummary(count: count, total: total, minimum: minimum, maximum: maximum, firstBlock: firstBlock,
                                                        firstValue: firstValue, lastBlock: lastBlock, lastValue: lastValue)))
        }
        return found
    }

    /// Every level of one series computed anew from all its samples.
    private func rebuildRollups(series: Int64, on connection: PostgresConnection) async throws {
        var summaries = BucketSummaries()
        let rows = try await connection.query(
            "SELECT (extract(epoch FROM time) * 1000)::int8, block, value FROM samples WHERE series_id = \(series)", logger: logger)
        for try await (time, block, value) in rows.decode((Int64, Int64, Double).self) {
            summaries.add(BucketSummary(block: block, value: value), at: RollupKey(series: series, bucket: RollupLevel.finest.start(of: time)))
        }
        for level in RollupLevel.allCases {
            if level != .finest { summaries = summaries.rolledUp(to: level) }
            try await connection.query("DELETE FROM \(unescaped: level.table) WHERE series_id = \(series)", logger: logger)
            let sorted = summaries.sorted
            for start in stride(from: 0, to: sorted.count, by: 20_000) {
                let piece = Array(sorted[start..<min(start + 20_000, sorted.count)])
                try await replace(piece.map(\.key), with: BucketSummaries(piece), in: level, on: connection)
            }
        }
    }

    /// Builds the rollups of the series a store had when it gained them, one series per
    /// transaction (an interrupted build goes on where it stopped; processes starting together
    /// share the work), saying how far it is. A role that may not write leaves them to another
    /// process: its queries read samples meanwhile.
    func buildRollupBacklog() async throws {
        let waiting = { @Sendable (connection: PostgresConnection) async throws -> Int64 in
            try await self.first(Int64.self, "SELECT count(*) FROM rollup_backlog", on: connection) ?? 0
        }
        let total = try await withConnection("counting the series without rollups", waiting)
        guard total > 0 else { return noteRollupsComplete() }
        logger.info("\(location): building the rollups of \(total) series from their samples")
        let clock = ContinuousClock()
        var (done, reported) = (0, clock.now)
        do {
            while try await withConnection("building rollups", { connection in
                var built = false
                try await self.inTransaction(connection) {
                    let next = "SELECT series_id FROM rollup_backlog ORDER BY series_id LIMIT 1 FOR UPDATE SKIP LOCKED"
                    guard let series = try await self.first(Int64.self, PostgresQuery(unsafeSQL: next), on: connection) else { return [:] }
                    try await self.rebuildRollups(series: series, on: connection)
                    try await connection.query("DELETE FROM rollup_backlog WHERE series_id = \(series)", logger: self.logger)
                    built = true
                    return [:]
                }
                return built
            }) {
                done += 1
                if clock.now - reported > .seconds(5) {
                    reported = clock.now
                    logger.info("\(location): rollups built for \(done) of \(total) series")
                }
            }
        } catch let error as StoreError where error.description.contains("SQLSTATE 42501") {
            logger.warning("\(location): the rollups of \(total - Int64(done)) series are not built (\(error)); their queries read samples")
            return
        }
        if try await withConnection("counting the series without rollups", waiting) == 0 {
            logger.info("\(location): rollups built for all \(total) series")
            noteRollupsComplete()
        }
    }

    /// Whether queries of these series may read rollups: none is waiting in the backlog.
    func rollupsReady(_ series: [Int64], on connection: PostgresConnection) async throws -> Bool {
        if rollupsComplete { return true }
        return try await first(Int.self, "SELECT 1 FROM rollup_backlog WHERE series_id = ANY(\(series)) LIMIT 1", on: connection) == nil
    }
}

/// Summaries as one array per column, for `unnest`.
private struct RollupColumns {
    var series = [Int64](), buckets = [Int64](), counts = [Int64](), totals = [Double](), minimums = [Double](), maximums = [Double]()
    var firstBlocks = [Int64](), firstValues = [Double](), lastBlocks = [Int64](), lastValues = [Double]()

    init(_ rows: [(key: RollupKey, summary: BucketSummary)]) {
        for (key, summary) in rows {
            series.append(key.series)
            buckets.append(key.bucket)
            counts.append(summary.count)
            totals.append(summary.total)
            minimums.append(summary.minimum)
            maximums.append(summary.maximum)
            firstBlocks.append(summary.firstBlock)
            firstValues.append(summary.firstValue)
            lastBlocks.append(summary.lastBlock)
            lastValues.append(summary.lastValue)
        }
    }
}
