import GRDB
import GRDBSQLite
import Logging

/// Rollups on the embedded store: kept up to date inside each write's transaction and built
/// for a store's older series when it gains them. Queries read them through `RollupSQL`.
extension SQLiteStore {
    /// Merges and recomputations of one write (`RollupUpdate`), in its transaction.
    static func apply(_ update: RollupUpdate, in db: Database) throws {
        guard !update.isEmpty else { return }
        for step in update.steps {
            let table = step.level.table
            if !step.merges.isEmpty {
                let merge = try db.cachedStatement(sql: """
                    INSERT INTO \(table) (series_id, bucket, count, total, minimum, maximum, first_block, first_value, last_block, last_value)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (series_id, bucket) DO UPDATE SET
                        count = count + excluded.count, total = total + excluded.total,
                        minimum = min(minimum, excluded.minimum), maximum = max(maximum, excluded.maximum),
                        first_block = min(first_block, excluded.first_block),
                        first_value = CASE WHEN excluded.first_block < first_block THEN excluded.first_value ELSE first_value END,
                        last_block = max(last_block, excluded.last_block),
                        last_value = CASE WHEN excluded.last_block > last_block THEN excluded.last_value ELSE last_value END
                    """)
                for (key, summary) in step.merges { try run(merge, key, summary, in: db) }
            }
            for key in step.recomputes {
                let summary = try summarise(series: key.series, from: key.bucket, to: key.bucket + step.level.milliseconds, of: step.level.finer, in: db)
                try replace(key, with: summary, in: step.level, db)
            }
        }
    }

    /// A bucket's row made `summary`, or removed when it holds no samples any more.
    private static func replace(_ key: RollupKey, with summary: BucketSummary?, in level: RollupLevel, _ db: Database) throws {
        if let summary {
            try run(db.cachedStatement(sql: """
                INSERT OR REPLACE INTO \(level.table) (series_id, bucket, count, total, minimum, maximum, first_block, first_value, last_block, last_value)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """), key, summary, in: db)
        } else {
            try db.cachedStatement(sql: "DELETE FROM \(level.table) WHERE series_id = ? AND bucket = ?").execute(arguments: [key.series, key.bucket])
        }
    }

    /// A row's statement bound with SQLite's own calls: a write of many series runs it for each,
    /// and argument arrays would cost more than the statement.
    private static func run(_ statement: Statement, _ key: RollupKey, _ summary: BucketSummary, in db: Database) throws {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_bind_int64(handle, 1, key.series)
        sqlite3_bind_int64(handle, 2, key.bucket)
        sqlite3_bind_int64(handle, 3, summary.count)
        sqlite3_bind_double(handle, 4, summary.total)
        sqlite3_bind_double(handle, 5, summary.minimum)
        sqlite3_bind_double(handle, 6, summary.maximum)
        sqlite3_bind_int64(handle, 7, summary.firstBlock)
        sqlite3_bind_double(handle, 8, summary.firstValue)
        sqlite3_bind_int64(handle, 9, summary.lastBlock)
        sqlite3_bind_double(handle, 10, summary.lastValue)
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
        }
    }


    /// What a series' rows of `level` (nil: its samples) with `from <= time < to` come to.
    static func summarise(series: Int64, from: Int64, to: Int64, of level: RollupLevel?, in db: Database) throws -> BucketSummary? {
        var summary: BucketSummary?
        func add(_ row: BucketSummary) {
            if summary == nil { summary = row } else { summary!.merge(row) }
        }
        guard let level else {
            let rows = try Row.fetchCursor(db, sql: "SELECT block, value FROM samples WHERE series_id = ? AND time >= ? AND time < ?",
                                           arguments: [series, from, to])
            while let row = try rows.next() { add(BucketSummary(block: row[0], value: row[1])) }
            return summary
        }
        let rows = try Row.fetchCursor(db, sql: """
            SELECT count, total, minimum, maximum, first_block, first_value, last_block, last_value FROM \(level.table)
            WHERE series_id = ? AND bucket >= ? AND bucket < ?
            """, arguments: [series, from, to])
        while let row = try rows.next() {
            add(BucketSummary(count: row[0], total: row[1], minimum: row[2], maximum: row[3], firstBlock: row[4], firstValue: row[5],
                              lastBlock: row[6], lastValue: row[7]))
        }
        return summary
    }

    /// Every level of one series computed anew from all its samples.
    static func rebuildRollups(series: Int64, in db: Database) throws {
        var summaries = BucketSummaries()
        let samples = try Row.fetchCursor(db, sql: "SELECT time, block, value FROM samples WHERE series_id = ?", arguments: [series])
        while let row = try samples.next() {
            summaries.add(BucketSummary(block: row[1], value: row[2]), at: RollupKey(series: series, bucket: RollupLevel.finest.start(of: row[0])))
        }
        for level in RollupLevel.allCases {
            if level != .finest { summaries = summaries.rolledUp(to: level) }
            try db.execute(sql: "DELETE FROM \(level.table) WHERE series_id = ?", arguments: [series])
            for (key, summary) in summaries.sorted { try replace(key, with: summary, in: level, db) }
        }
    }

    /// Builds the rollups of the series a store had when it gained them, one series per
    /// transaction (an interrupted build goes on where it stopped), saying how far it is.
    func buildRollupBacklog() async throws {
        let total = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM rollup_backlog") ?? 0 }
        guard total > 0 else { return noteRollupsComplete() }
        logger.info("building the rollups of \(total) series from their samples (\(path))")
        let clock = ContinuousClock()
        var (done, reported) = (0, clock.now)
        while try await pool.write({ db -> Bool in
            guard let series = try Int64.fetchOne(db, sql: "SELECT series_id FROM rollup_backlog ORDER BY series_id LIMIT 1") else { return false }
            try Self.rebuildRollups(series: series, in: db)
            try db.execute(sql: "DELETE FROM rollup_backlog WHERE series_id = ?", arguments: [series])
            return true
        }) {
            done += 1
            if clock.now - reported > .seconds(5) {
                reported = clock.now
                logger.info("rollups built for \(done) of \(total) series")
            }
        }
        logger.info("rollups built for all \(total) series")
        noteRollupsComplete()
    }

    /// Whether queries of these series may read rollups: none is waiting in the backlog.
    func rollupsReady(_ series: [Int64], in db: Database) throws -> Bool {
        if rollupsComplete { return true }
        let list = series.map { _ in "?" }.joined(separator: ", ")
        return try Int.fetchOne(db, sql: "SELECT 1 FROM rollup_backlog WHERE series_id IN (\(list)) LIMIT 1", arguments: StatementArguments(series)) == nil
    }
}
