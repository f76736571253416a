import ExactJSON
import Foundation
import GRDB
import GRDBSQLite
public import Logging

/// The embedded store: one SQLite file (WAL mode, so readers never wait on the writer), the
/// shared schema (`StoreSchema`) with epoch-millisecond times. Series ids are cached after
/// their first use. Each write keeps the rollups (`RollupLevel`) up to date in its transaction.
public final class SQLiteStore: MetricStore, @unchecked Sendable {
    /// Internal: the query file reads through it too.
    let pool: DatabasePool
    private let lock = NSLock()
    private var seriesIDs: [SeriesKey: Int64] = [:]
    /// Set once no series waits for its rollups to be built (it stays so: new series start with them).
    private var complete = false
    let path: String
    let logger: Logger

    private struct SeriesKey: Hashable {
        let metric: String
        let chain: String
        let labels: String
    }

    /// Written into `backfill_ranges.loaded_by`.
    let owner: String

    public init(path: String, owner: String = StoreOwner.thisProcess, logger: Logger = Logger(label: "runtime-exporter")) throws {
        self.owner = owner
        self.path = path
        self.logger = logger
        var configuration = Configuration()
        // Another process migrating or writing holds the lock for a moment: wait, do not fail.
        configuration.busyMode = .timeout(30)
        configuration.prepareDatabase { db in
            // WAL with NORMAL sync: a commit survives the process being killed (the history
            // loader relies on that); only a power cut may lose the last few. A larger page
            // cache and memory-mapped reads keep index pages out of read() copies.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA cache_size = -65536")
            try db.execute(sql: "PRAGMA mmap_size = 268435456")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw StoreError(.unreachable, "cannot open the SQLite store \(path): \(error)")
        }
    }

    public func migrate() async throws {
        try await pool.writeWithoutTransaction { db in
            // IMMEDIATE: the first process to start takes the write lock; the others wait and
            // then find the versions applied.
            try db.inTransaction(.immediate) {
                try db.execute(sql: SQLDialect.sqlite.migrationsTable)
                let applied = Set(try Int.fetchAll(db, sql: "SELECT version FROM schema_migrations"))
                for migration in SQLDialect.sqlite.migrations(applied: applied) {
                    for statement in migration.statements { try db.execute(sql: statement) }
                    try db.execute(sql: "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                                   arguments: [migration.version, Date().ISO8601Format()])
                }
                return .commit
            }
        }
        try await buildRollupBacklog()
    }

    var rollupsComplete: Bool { lock.withLock { complete } }

    func noteRollupsComplete() {
        lock.withLock { complete = true }
    }

    public func saveDefinitions(_ definitions: [StoredDefinition]) async throws {
        try await pool.write { db in
            for definition in definitions {
                try db.execute(
                    sql: """
                        INSERT INTO metric_metadata (metric, version, definition) VALUES (?, ?, ?)
                        ON CONFLICT (metric) DO UPDATE SET version = excluded.version, definition = excluded.definition
                        """,
                    arguments: [definition.name, definition.version, definition.json.serialized()])
            }
        }
    }

    public func writeChunk(_ samples: [StoredSample], loading ranges: [LoadedRange], failing: [FailedRange], failures: [MetricFailureRun]) async throws {
        guard !samples.isEmpty || !ranges.isEmpty || !failing.isEmpty || !failures.isEmpty else { return }
        let known = lock.withLock { seriesIDs }
        let loadedAt = Date().ISO8601Format()
        let owner = owner
        let created = try await pool.write { db -> [SeriesKey: Int64] in
            var rollups = RollupUpdate()
            for range in ranges + failing.map(\.range) {
                let removed = try Row.fetchCursor(db, sql: """
                    DELETE FROM samples WHERE block BETWEEN ? AND ? AND series_id IN (SELECT id FROM series WHERE metric = ? AND chain = ?)
                    RETURNING series_id, time
                    """, arguments: [Int64(range.firstBlock), Int64(range.lastBlock), range.metric, range.chain])
                while let row = try removed.next() { rollups.change(series: row[0], time: row[1]) }
                try db.execute(sql: """
                    DELETE FROM metric_failures WHERE chain = ? AND metric = ? AND first_block >= ? AND last_block <= ?
                    """, arguments: [range.chain, range.metric, Int64(range.firstBlock), Int64(range.lastBlock)])
            }
            for failed in failing { try Self.recordFailure(failed.range, error: failed.error, owner: owner, at: loadedAt, in: db) }
            for run in failures { try Self.record(run, at: loadedAt, in: db) }
            for range in ranges {
                try db.execute(sql: """
                    INSERT INTO backfill_ranges (chain, metric, version, first_block, last_block, status, error, loaded_by, updated_at) VALUES (?, ?, ?, ?, ?, 'loaded', NULL, ?, ?)
                    ON CONFLICT (chain, metric, version, first_block) DO UPDATE
                    SET last_block = excluded.last_block, status = 'loaded', error = NULL, loaded_by = excluded.loaded_by, updated_at = excluded.updated_at
                    """, arguments: [range.chain, range.metric, range.version, Int64(range.firstBlock), Int64(range.lastBlock), owner, loadedAt])
            }
            var ids = known
            var created = [SeriesKey: Int64]()
            // New samples (the usual case) are inserted and merged into the rollups; one that is
            // there already is replaced, and its buckets recomputed.
            let insert = try db.cachedStatement(sql: """
                INSERT INTO samples (series_id, time, block, value, exact) VALUES (?, ?, ?, ?, ?) ON CONFLICT (series_id, time, block) DO NOTHING
                """)
            let replace = try db.cachedStatement(sql: "UPDATE samples SET value = ?, exact = ? WHERE series_id = ? AND time = ? AND block = ?")
            var labelTexts = [[String: String]: String]()
            for sample in samples {
                let labels = labelTexts[sample.labels] ?? sample.labelsJSON
                labelTexts[sample.labels] = labels
                let key = SeriesKey(metric: sample.metric, chain: sample.chain, labels: labels)
                let id: Int64
                if let cached = ids[key] {
                    id = cached
                } else {
                    try db.execute(sql: "INSERT OR IGNORE INTO series (metric, chain, labels) VALUES (?, ?, ?)", arguments: [key.metric, key.chain, key.labels])
                    guard let found = try Int64.fetchOne(db, sql: "SELECT id FROM series WHERE metric = ? AND chain = ? AND labels = ?",
                                                         arguments: [key.metric, key.chain, key.labels])
                    else { throw StoreError(.failed, "series \(key.metric) of \(key.chain) was not stored") }
                    id = found
                    ids[key] = found
                    created[key] = found
                }
                if try Self.insert(id, sample, with: insert, in: db) {
                    rollups.add(series: id, time: sample.timeMilliseconds, block: Int64(sample.block), value: sample.value)
                } else {
                    try replace.execute(arguments: [sample.value, sample.exact, id, sample.timeMilliseconds, Int64(sample.block)])
                    rollups.change(series: id, time: sample.timeMilliseconds)
                }
            }
            try Self.apply(rollups, in: db)
            return created
        }
        // Only once the transaction committed: a rolled-back series id must not be remembered.
        lock.withLock { seriesIDs.merge(created) { first, _ in first } }
    }

    /// One sample through the prepared insert, bound with SQLite's own calls: this runs for
    /// every sample of a history load, and argument arrays cost more than the insert. False
    /// when the series had a sample at that block already.
    private static func insert(_ seriesID: Int64, _ sample: StoredSample, with statement: Statement, in db: Database) throws -> Bool {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_bind_int64(handle, 1, seriesID)
        sqlite3_bind_int64(handle, 2, sample.timeMilliseconds)
        sqlite3_bind_int64(handle, 3, Int64(sample.block))
        sqlite3_bind_double(handle, 4, sample.value)
        let code = sample.exact.withCString { sqlite3_bind_text(handle, 5, $0, -1, transientText) == SQLITE_OK ? sqlite3_step(handle) : SQLITE_NOMEM }
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
        }
        return sqlite3_changes(db.sqliteConnection) > 0
    }

    public func recordFailure(_ ranges: [LoadedRange], error: String) async throws {
        let failedAt = Date().ISO8601Format()
        let owner = owner
        try await pool.write { db in
            for range in ranges { try Self.recordFailure(range, error: error, owner: owner, at: failedAt, in: db) }
        }
    }

    private static func recordFailure(_ range: LoadedRange, error: String, owner: String, at failedAt: String, in db: Database) throws {
        // A chunk loaded before (at this version) stays loaded.
        try db.execute(sql: """
            INSERT INTO backfill_ranges (chain, metric, version, first_block, last_block, status, error, loaded_by, updated_at) VALUES (?, ?, ?, ?, ?, 'failed', ?, ?, ?)
            ON CONFLICT (chain, metric, version, first_block) DO UPDATE
            SET error = excluded.error, loaded_by = excluded.loaded_by, updated_at = excluded.updated_at, status = 'failed'
            WHERE backfill_ranges.status <> 'loaded'
            """, arguments: [range.chain, range.metric, range.version, Int64(range.firstBlock), Int64(range.lastBlock), error, owner, failedAt])
    }

    /// A run of failed blocks: it extends a run of the same metric and reason that it touches
    /// (a metric failing block after block while following stays one row).
    private static func record(_ run: MetricFailureRun, at time: String, in db: Database) throws {
        try db.execute(sql: """
            UPDATE metric_failures SET last_block = MAX(last_block, ?), updated_at = ?
            WHERE chain = ? AND metric = ? AND reason = ? AND first_block <= ? AND last_block + 1 >= ?
            """, arguments: [Int64(run.lastBlock), time, run.chain, run.metric, run.reason, Int64(run.firstBlock), Int64(run.firstBlock)])
        guard db.changesCount == 0 else { return }
        try db.execute(sql: """
            INSERT INTO metric_failures (chain, metric, reason, first_block, last_block, message, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (chain, metric, reason, first_block) DO UPDATE SET last_block = MAX(last_block, excluded.last_block), updated_at = excluded.updated_at
            """, arguments: [run.chain, run.metric, run.reason, Int64(run.firstBlock), Int64(run.lastBlock), run.message, time])
    }

    public func metricFailures(chain: String) async throws -> [MetricFailureRun] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT metric, reason, first_block, last_block, message FROM metric_failures WHERE chain = ? ORDER BY metric, first_block, reason
                """, arguments: [chain]).map { row in
                MetricFailureRun(chain: chain, metric: row["metric"], reason: row["reason"], firstBlock: UInt64(row["first_block"] as Int64),
                                 lastBlock: UInt64(row["last_block"] as Int64), message: row["message"])
            }
        }
    }

    public func loadedRanges(chain: String) async throws -> [LoadedRange] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT metric, version, first_block, last_block FROM backfill_ranges WHERE chain = ? AND status = 'loaded' ORDER BY first_block
                """, arguments: [chain]).map { row in
                LoadedRange(chain: chain, metric: row["metric"], version: row["version"],
                            firstBlock: UInt64(row["first_block"] as Int64), lastBlock: UInt64(row["last_block"] as Int64))
            }
        }
    }

    public func samples(metric: String, chain: String) async throws -> [StoredSample] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.labels, x.block, x.time, x.value, x.exact FROM samples x JOIN series s ON s.id = x.series_id
                WHERE s.metric = ? AND s.chain = ? ORDER BY x.time, s.labels
                """, arguments: [metric, chain]).map { row in
                var labels = [String: String]()
                if case let .object(members)? = try? JSON.parse(row["labels"] as String) {
                    for member in members { labels[member.key] = member.value.stringValue }
                }
                return StoredSample(metric: metric, chain: chain, labels: labels, block: UInt64(row["block"] as Int64),
                                    timeMilliseconds: row["time"], value: row["value"], exact: row["exact"])
            }
        }
    }

    public func close() async throws {
        try pool.close()
    }
}

extension SQLiteStore {
    /// One process per SQLite file loads history: claims always succeed (processes sharing a
    /// range need PostgreSQL).
    public func claimChunk(chain: String, chunk: ClosedRange<UInt64>, wait: Bool) async throws -> (any ChunkClaim)? {
        LocalClaim(store: self, chain: chain, chunk: chunk)
    }

    private struct LocalClaim: ChunkClaim {
        let store: SQLiteStore
        let chain: String
        let chunk: ClosedRange<UInt64>

        func loadedRanges() async throws -> [LoadedRange] {
            try await store.loadedRanges(chain: chain).filter { chunk.contains($0.firstBlock) }
        }

        func write(_ samples: [StoredSample], loading ranges: [LoadedRange], failing: [FailedRange], failures: [MetricFailureRun]) async throws {
            try await store.writeChunk(samples, loading: ranges, failing: failing, failures: failures)
        }

        func recordFailure(_ ranges: [LoadedRange], error: String) async throws {
            try await store.recordFailure(ranges, error: error)
        }

        func release() async {}
    }
}

/// SQLite copies bound text at once (the Swift string's buffer lives only for the call).
private let transientText = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
