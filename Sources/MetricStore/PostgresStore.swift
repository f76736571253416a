import ExactJSON
import Foundation
public import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import OwnedTasks

/// The server store: the common schema in PostgreSQL, as a TimescaleDB hypertable when the
/// extension is there. Samples go in with `COPY` into a session table, then one upsert, so a
/// sample written twice is stored once; processes sharing a range claim its chunks with
/// `FOR UPDATE SKIP LOCKED`. Each write keeps the rollups (`RollupLevel`) up to date in its
/// transaction.
public final class PostgresStore: MetricStore, @unchecked Sendable {
    let client: PostgresClient
    let location: PostgresLocation
    let logger: Logger
    /// Written into `backfill_ranges.loaded_by`: which process loaded a chunk.
    let owner: String
    /// The pool's connections, for as long as the store is open (ended by `close()`).
    private let running: Task<Void, Never>
    /// Chunk claims, each holding a connection in an open transaction until it ends.
    let claims = TaskSet()
    private let lock = NSLock()
    private var seriesIDs: [SeriesKey: Int64] = [:]
    private var timescale: String?
    /// Set once no series waits for its rollups to be built (it stays so: new series start with them).
    private var complete = false

    struct SeriesKey: Hashable {
        let metric: String
        let chain: String
        let labels: String
    }

    public init(location: PostgresLocation, owner: String = StoreOwner.thisProcess, maximumConnections: Int = 16,
                logger: Logger = Logger(label: "runtime-exporter")) {
        let tls: PostgresClient.Configuration.TLS =
            switch location.tls {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password, database: location.database, tls: tls)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(10)
        let client = PostgresClient(configuration: configuration)
        self.client = client
        self.location = location
        self.owner = owner
        self.logger = logger
        running = Task { await client.run() }
    }

    var rollupsComplete: Bool { lock.withLock { complete } }

    func noteRollupsComplete() {
        lock.withLock { complete = true }
    }

    /// The TimescaleDB version when `samples` is a hypertable (known after `migrate`).
    public var timescaleVersion: String? { lock.withLock { timescale } }

    // MARK: Schema

    public func migrate() async throws {
        try await probe()
        try await withConnection("migrating the schema") { connection in
            // A schema already up to date is only read: a role that may not write (the API's,
            // Grafana's) opens the store too.
            if try await self.appliedVersions(connection).contains(StoreSchema.latestVersion) {
                try await self.noteTimescale(connection)
                return
            }
            try await connection.query("BEGIN", logger: self.logger)
            do {
                // One process at a time; the others then find the versions applied.
                try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.migrationLock))", logger: self.logger)
                try await connection.query(PostgresQuery(unsafeSQL: SQLDialect.postgres.migrationsTable), logger: self.logger)
                var applied = Set<Int>()
                for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: self.logger).decode(Int.self) {
                    applied.insert(version)
                }
                let timescale = applied.isEmpty ? try await self.enableTimescale(connection) : nil
                for migration in SQLDialect.postgres.migrations(applied: applied) {
                    for statement in migration.statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger) }
                    if migration.version == 1, timescale != nil {
                        for statement in PostgresSchema.timescale { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger) }
                    }
                    try await connection.query("INSERT INTO schema_migrations (version, applied_at) VALUES (\(migration.version), now())", logger: self.logger)
                }
                try await connection.query("COMMIT", logger: self.logger)
            } catch {
                await connection.rollBack(after: error, logger: self.logger)
                throw error
            }
            try await self.noteTimescale(connection)
        }
        try await buildRollupBacklog()
    }

    /// The migrations applied, none before the first (read only).
    private func appliedVersions(_ connection: PostgresConnection) async throws -> Set<Int> {
        guard try await first(Int.self, "SELECT 1 WHERE to_regclass('schema_migrations') IS NOT NULL", on: connection) != nil else { return [] }
        var applied = Set<Int>()
        for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger).decode(Int.self) {
            applied.insert(version)
        }
        return applied
    }

    /// Whether `samples` is a TimescaleDB hypertable, and of which version.
    private func noteTimescale(_ connection: PostgresConnection) async throws {
        var installed: String?
        if let version = try await first(String.self, "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'", on: connection),
           try await first(Int.self, "SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_name = 'samples'", on: connection) != nil {
            installed = version
        }
        lock.withLock { timescale = installed }
    }

    /// One direct connection first: a server that is down or refuses us is reported at once,
    /// where the pool would keep trying to connect.
    private func probe() async throws {
        do {
            let tls: PostgresConnection.Configuration.TLS =
                switch location.tls {
                case .disable: .disable
                case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
                case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
                }
            var configuration = PostgresConnection.Configuration(
                host: location.host, port: location.port, username: location.user, password: location.password, database: location.database, tls: tls)
            configuration.options.connectTimeout = .seconds(10)
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            try await connection.close()
        } catch {
            throw StoreError(.unreachable, "PostgreSQL store \(location), connecting: \(Self.describe(error))")
        }
    }

    /// What the server says about TimescaleDB: whether it offers the extension, and its
    /// `shared_preload_libraries`.
    func timescaleDecision(_ connection: PostgresConnection) async throws -> TimescaleDecision {
        let available = try await first(Int.self, "SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'", on: connection) != nil
        let preloaded = try await first(String.self, "SHOW shared_preload_libraries", on: connection) ?? ""
        return TimescaleDecision.decide(available: available, preloadLibraries: preloaded)
    }

    /// Creates the TimescaleDB extension when the server can load it (`TimescaleDecision`); the
    /// version in use, or nil for plain tables (with one warning when TimescaleDB is there but
    /// cannot be used).
    private func enableTimescale(_ connection: PostgresConnection) async throws -> String? {
        if case let .plainTables(warning) = try await timescaleDecision(connection) {
            if let warning { logger.warning("\(location): \(warning)") }
            return nil
        }
        do {
            try await connection.query("SAVEPOINT timescale", logger: logger)
            try await connection.query("CREATE EXTENSION IF NOT EXISTS timescaledb", logger: logger)
            try await connection.query("RELEASE SAVEPOINT timescale", logger: logger)
        } catch {
            try await connection.query("ROLLBACK TO SAVEPOINT timescale", logger: logger)
            logger.warning("\(location): TimescaleDB is available but could not be enabled (\(Self.describe(error))); samples go in a plain table")
            return nil
        }
        return try await first(String.self, "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'", on: connection)
    }

    /// The first column of a query's first row, all rows read.
    func first<T: PostgresDecodable>(_: T.Type, _ query: PostgresQuery, on connection: PostgresConnection) async throws -> T? {
        try await connection.query(query, logger: logger).collect().first?.decode(T.self)
    }

    public func saveDefinitions(_ definitions: [StoredDefinition]) async throws {
        guard !definitions.isEmpty else { return }
        try await withConnection("saving metric definitions") { connection in
            try await connection.query("""
                INSERT INTO metric_metadata (metric, version, definition)
                SELECT * FROM unnest(\(definitions.map(\.name))::text[], \(definitions.map(\.version))::text[], \(definitions.map { $0.json.serialized() })::jsonb[])
                ON CONFLICT (metric) DO UPDATE SET version = excluded.version, definition = excluded.definition
                """, logger: self.logger)
        }
    }

    // MARK: Writes

    public func writeChunk(_ samples: [StoredSample], loading ranges: [LoadedRange], failing: [FailedRange], failures: [MetricFailureRun]) async throws {
        guard !samples.isEmpty || !ranges.isEmpty || !failing.isEmpty || !failures.isEmpty else { return }
        try await withConnection("writing \(samples.count) samples") { connection in
            // A server going away mid-transaction must fail the write (it is tried again), not
            // leave it waiting on a query the closing connection never answers.
            try await connection.untilClosed {
                try await self.inTransaction(connection) {
                    try await self.insert(samples, loading: ranges, failing: failing, failures: failures, on: connection)
                }
            }
        }
    }

    public func recordFailure(_ ranges: [LoadedRange], error: String) async throws {
        guard !ranges.isEmpty else { return }
        try await withConnection("recording a failed chunk") { connection in
            try await self.recordFailure(ranges, error: error, on: connection)
        }
    }

    /// Runs `body` in a transaction; the series it created are remembered once it committed.
    func inTransaction(_ connection: PostgresConnection, _ body: () async throws -> [SeriesKey: Int64]) async throws {
        try await connection.query("BEGIN", logger: logger)
        let created: [SeriesKey: Int64]
        do {
            created = try await body()
            try await connection.query("COMMIT", logger: logger)
        } catch {
            await connection.rollBack(after: error, logger: logger)
            throw error
        }
        remember(created)
    }

    /// Series ids are cached only once the transaction creating them committed.
    func remember(_ created: [SeriesKey: Int64]) {
        guard !created.isEmpty else { return }
        lock.withLock { seriesIDs.merge(created) { first, _ in first } }
    }

    /// A chunk's samples and its record, on a connection inside a transaction; the series it created.
    func insert(
        _ samples: [StoredSample], loading loadedRanges: [LoadedRange], failing: [FailedRange] = [], failures: [MetricFailureRun] = [],
        on connection: PostgresConnection
    ) async throws -> [SeriesKey: Int64] {
        // Failing metrics' samples in the chunk go as well: a rerun reloads them.
        let ranges = loadedRanges + failing.map(\.range)
        var rollups = RollupUpdate()
        if !ranges.isEmpty {
            // A reload (a version bump) replaces the metric's samples in the chunk.
            let chains = ranges.map(\.chain), metrics = ranges.map(\.metric)
            let firsts = ranges.map { Int64($0.firstBlock) }, lasts = ranges.map { Int64($0.lastBlock) }
            // By block range (the BRIN index) within the metrics' series: a chunk's rows only,
            // however long the series are. The rollup buckets they were in are recomputed.
            let removed = try await connection.query("""
                WITH removed AS (
                    DELETE FROM samples x USING series s, unnest(\(chains)::text[], \(metrics)::text[], \(firsts)::int8[], \(lasts)::int8[]) AS r(chain, metric, first_block, last_block)
                    WHERE x.block BETWEEN \(firsts.min() ?? 0) AND \(lasts.max() ?? 0)
                      AND x.series_id = s.id AND s.chain = r.chain AND s.metric = r.metric AND x.block BETWEEN r.first_block AND r.last_block
                    RETURNING x.series_id, x.time)
                SELECT DISTINCT series_id, (extract(epoch FROM time) * 1000)::int8 / \(unescaped: String(RollupLevel.finest.milliseconds)) * \(unescaped: String(RollupLevel.finest.milliseconds)) FROM removed
                """, logger: logger)
            for try await (series, bucket) in removed.decode((Int64, Int64).self) { rollups.change(series: series, time: bucket) }
            try await connection.query("""
                DELETE FROM metric_failures f USING unnest(\(chains)::text[], \(metrics)::text[], \(firsts)::int8[], \(lasts)::int8[]) AS r(chain, metric, first_block, last_block)
                WHERE f.chain = r.chain AND f.metric = r.metric AND f.first_block >= r.first_block AND f.last_block <= r.last_block
                """, logger: logger)
            for failed in failing { try await recordFailure([failed.range], error: failed.error, on: connection) }
        }
        for run in failures { try await record(run, on: connection) }
        if !loadedRanges.isEmpty {
            let ranges = loadedRanges
            let chains = ranges.map(\.chain), metrics = ranges.map(\.metric)
            let firsts = ranges.map { Int64($0.firstBlock) }, lasts = ranges.map { Int64($0.lastBlock) }
            try await connection.query("""
                INSERT INTO backfill_ranges (chain, metric, version, first_block, last_block, status, error, loaded_by, updated_at)
                SELECT chain, metric, version, first_block, last_block, 'loaded', NULL, \(owner), now()
                FROM unnest(\(chains)::text[], \(metrics)::text[], \(ranges.map(\.version))::text[], \(firsts)::int8[], \(lasts)::int8[]) AS r(chain, metric, version, first_block, last_block)
                ON CONFLICT (chain, metric, version, first_block) DO UPDATE
                SET last_block = excluded.last_block, status = 'loaded', error = NULL, loaded_by = excluded.loaded_by, updated_at = excluded.updated_at
                """, logger: logger)
        }
        guard !samples.isEmpty else {
            try await apply(rollups, on: connection)
            return [:]
        }
        let (ids, created) = try await seriesIDs(for: samples, on: connection)

        // The later of two samples of one series and block wins, as an upsert would have it.
        var rows = [(series: Int64, sample: Int)]()
        rows.reserveCapacity(samples.count)
        var position = [SeriesBlock: Int]()
        for (index, id) in ids.enumerated() {
            let key = SeriesBlock(series: id, block: samples[index].block)
            if let earlier = position[key] {
                rows[earlier].sample = index
            } else {
                position[key] = rows.count
                rows.append((id, index))
            }
        }
        // Straight into the table, the fast path: new samples (the usual case) need no upsert,
        // and are merged into the rollups. Only when some are there already does the batch go
        // through the session table and one upsert, and its buckets are recomputed.
        let text = Self.copyRows(rows.map { ($0.series, samples[$0.sample]) })
        try await connection.query("SAVEPOINT fresh", logger: logger)
        do {
            try await connection.copy(text, into: "samples", columns: ["series_id", "time", "block", "value", "exact"], logger: logger)
            try await connection.query("RELEASE SAVEPOINT fresh", logger: logger)
            for (series, index) in rows {
                let sample = samples[index]
                rollups.add(series: series, time: sample.timeMilliseconds, block: Int64(sample.block), value: sample.value)
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            for (series, index) in rows { rollups.change(series: series, time: samples[index].timeMilliseconds) }
            try await connection.query("ROLLBACK TO SAVEPOINT fresh", logger: logger)
            try await connection.query("""
                CREATE TEMPORARY TABLE IF NOT EXISTS staged_samples (series_id bigint, time timestamptz, block bigint, value double precision, exact numeric)
                ON COMMIT DELETE ROWS
                """, logger: logger)
            try await connection.copy(text, into: "staged_samples", columns: ["series_id", "time", "block", "value", "exact"], logger: logger)
            try await connection.query("""
                INSERT INTO samples (series_id, time, block, value, exact) SELECT series_id, time, block, value, exact FROM staged_samples
                ON CONFLICT (series_id, time, block) DO UPDATE SET value = excluded.value, exact = excluded.exact
                """, logger: logger)
        }
        try await apply(rollups, on: connection)
        return created
    }

    /// Rows in COPY's text format, in pieces of about 64 KiB.
    static func copyRows(_ rows: [(series: Int64, sample: StoredSample)]) -> [ByteBuffer] {
        var pieces = [ByteBuffer]()
        var buffer = ByteBuffer()
        buffer.reserveCapacity(66 * 1024)
        // Samples come block by block: a block's time is formatted once.
        var time: (milliseconds: Int64, text: String) = (.min, "")
        var row = [UInt8]()
        row.reserveCapacity(256)
        for (series, sample) in rows {
            if sample.timeMilliseconds != time.milliseconds { time = (sample.timeMilliseconds, timestampText(sample.timeMilliseconds)) }
            // Each row assembled apart and written at once: an interpolated line, or a write into
            // the buffer per field, cost more than the server's parse of it.
            row.removeAll(keepingCapacity: true)
            row.append(contentsOf: String(series).utf8)
            row.append(UInt8(ascii: "\t"))
            row.append(contentsOf: time.text.utf8)
            row.append(UInt8(ascii: "\t"))
            row.append(contentsOf: String(sample.block).utf8)
            row.append(UInt8(ascii: "\t"))
            row.append(contentsOf: copyText(sample.value).utf8)
            row.append(UInt8(ascii: "\t"))
            row.append(contentsOf: copyText(sample.exact).utf8)
            row.append(UInt8(ascii: "\n"))
            buffer.writeBytes(row)
            if buffer.readableBytes >= 64 * 1024 {
                pieces.append(buffer)
                buffer = ByteBuffer()
                buffer.reserveCapacity(66 * 1024)
            }
        }
        if buffer.readableBytes > 0 { pieces.append(buffer) }
        return pieces
    }

    /// A block time as COPY reads a `timestamptz`. Formatted by hand: a date formatter made per
    /// block cost more than the rest of the row when a block has few samples.
    static func timestampText(_ milliseconds: Int64) -> String {
        QueryTime.iso8601(milliseconds)
    }

    private struct SeriesBlock: Hashable {
        let series: Int64
        let block: UInt64
    }

    /// Each sample's series id: cached, or created (concurrent creators meet at the unique key).
    private func seriesIDs(for samples: [StoredSample], on connection: PostgresConnection) async throws -> (ids: [Int64], created: [SeriesKey: Int64]) {
        var known = lock.withLock { seriesIDs }
        var keys = [SeriesKey]()
        keys.reserveCapacity(samples.count)
        var unknown = [SeriesKey]()
        var unknownSet = Set<SeriesKey>()
        // A batch holds each label set many times (once per block): its JSON is made once.
        var labelTexts = [[String: String]: String]()
        for sample in samples {
            let labels = labelTexts[sample.labels] ?? sample.labelsJSON
            labelTexts[sample.labels] = labels
            let key = SeriesKey(metric: sample.metric, chain: sample.chain, labels: labels)
            keys.append(key)
            if known[key] == nil, unknownSet.insert(key).inserted { unknown.append(key) }
        }
        var created = [SeriesKey: Int64]()
        if !unknown.isEmpty {
            let (metrics, chains, labels) = (unknown.map(\.metric), unknown.map(\.chain), unknown.map(\.labels))
            try await connection.query("""
                INSERT INTO series (metric, chain, labels) SELECT * FROM unnest(\(metrics)::text[], \(chains)::text[], \(labels)::jsonb[]) ON CONFLICT DO NOTHING
                """, logger: logger)
            let rows = try await connection.query("""
                SELECT u.position, s.id FROM unnest(\(metrics)::text[], \(chains)::text[], \(labels)::jsonb[]) WITH ORDINALITY AS u(metric, chain, labels, position)
                JOIN series s ON s.metric = u.metric AND s.chain = u.chain AND s.labels = u.labels
                """, logger: logger)
            for try await (position, id) in rows.decode((Int64, Int64).self) {
                created[unknown[Int(position) - 1]] = id
            }
            known.merge(created) { first, _ in first }
        }
        var ids = [Int64]()
        ids.reserveCapacity(samples.count)
        for key in keys {
            guard let id = known[key] else { throw StoreError(.failed, "\(location): series \(key.metric) of \(key.chain) \(key.labels) was not stored") }
            ids.append(id)
        }
        return (ids, created)
    }

    /// A run of failed blocks: it extends a run of the same metric and reason that it touches
    /// (a metric failing block after block while following stays one row).
    func record(_ run: MetricFailureRun, on connection: PostgresConnection) async throws {
        let (first, last) = (Int64(run.firstBlock), Int64(run.lastBlock))
        try await connection.query("""
            WITH extended AS (
                UPDATE metric_failures SET last_block = greatest(last_block, \(last)), updated_at = now()
                WHERE chain = \(run.chain) AND metric = \(run.metric) AND reason = \(run.reason) AND first_block <= \(first) AND last_block + 1 >= \(first)
                RETURNING 1)
            INSERT INTO metric_failures (chain, metric, reason, first_block, last_block, message, updated_at)
            SELECT \(run.chain), \(run.metric), \(run.reason), \(first), \(last), \(run.message), now() WHERE NOT EXISTS (SELECT 1 FROM extended)
            ON CONFLICT (chain, metric, reason, first_block) DO UPDATE SET last_block = greatest(metric_failures.last_block, excluded.last_block), updated_at = now()
            """, logger: logger)
    }

    public func metricFailures(chain: String) async throws -> [MetricFailureRun] {
        try await withConnection("reading the metric failures of \(chain)") { connection in
            var runs = [MetricFailureRun]()
            let rows = try await connection.query("""
                SELECT metric, reason, first_block, last_block, message FROM metric_failures WHERE chain = \(chain) ORDER BY metric, first_block, reason
                """, logger: self.logger)
            for try await (metric, reason, first, last, message) in rows.decode((String, String, Int64, Int64, String).self) {
                runs.append(MetricFailureRun(chain: chain, metric: metric, reason: reason, firstBlock: UInt64(first), lastBlock: UInt64(last), message: message))
            }
            return runs
        }
    }

    func recordFailure(_ ranges: [LoadedRange], error: String, on connection: PostgresConnection) async throws {
        // A chunk loaded before (at this version) stays loaded.
        try await connection.query("""
            INSERT INTO backfill_ranges (chain, metric, version, first_block, last_block, status, error, loaded_by, updated_at)
            SELECT chain, metric, version, first_block, last_block, 'failed', \(error), \(owner), now()
            FROM unnest(\(ranges.map(\.chain))::text[], \(ranges.map(\.metric))::text[], \(ranges.map(\.version))::text[],
                        \(ranges.map { Int64($0.firstBlock) })::int8[], \(ranges.map { Int64($0.lastBlock) })::int8[]) AS r(chain, metric, version, first_block, last_block)
            ON CONFLICT (chain, metric, version, first_block) DO UPDATE
            SET error = excluded.error, loaded_by = excluded.loaded_by, updated_at = excluded.updated_at, status = 'failed'
            WHERE backfill_ranges.status <> 'loaded'
            """, logger: logger)
    }

    /// COPY's text format: a backslash, tab or line break in a value would end its field.
    static func copyText(_ text: String) -> String {
        let special: (UInt8) -> Bool = { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
        guard text.utf8.contains(where: special) else { return text }
        return text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\t", with: "\\t")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
    }

    static func copyText(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        return "\(value)"
    }

    // MARK: Claims

    public func claimChunk(chain: String, chunk: ClosedRange<UInt64>, wait: Bool) async throws -> (any ChunkClaim)? {
        try await PostgresChunkClaim.take(store: self, chain: chain, chunk: chunk, wait: wait)
    }

    // MARK: Reads

    public func loadedRanges(chain: String) async throws -> [LoadedRange] {
        try await withConnection("reading the loaded ranges of \(chain)") { connection in
            try await self.loadedRanges(chain: chain, chunk: nil, on: connection)
        }
    }

    func loadedRanges(chain: String, chunk: ClosedRange<UInt64>?, on connection: PostgresConnection) async throws -> [LoadedRange] {
        let (low, high) = (Int64(chunk?.lowerBound ?? 0), Int64(clamping: chunk?.upperBound ?? UInt64(Int64.max)))
        var ranges = [LoadedRange]()
        let rows = try await connection.query("""
            SELECT metric, version, first_block, last_block FROM backfill_ranges
            WHERE chain = \(chain) AND status = 'loaded' AND first_block BETWEEN \(low) AND \(high) ORDER BY first_block, metric
            """, logger: logger)
        for try await (metric, version, first, last) in rows.decode((String, String, Int64, Int64).self) {
            ranges.append(LoadedRange(chain: chain, metric: metric, version: version, firstBlock: UInt64(first), lastBlock: UInt64(last)))
        }
        return ranges
    }

    public func samples(metric: String, chain: String) async throws -> [StoredSample] {
        try await withConnection("reading samples of \(metric)") { connection in
            var samples = [StoredSample]()
            let rows = try await connection.query("""
                SELECT s.labels::text, x.block, (extract(epoch FROM x.time) * 1000)::int8, x.value, x.exact::text
                FROM samples x JOIN series s ON s.id = x.series_id WHERE s.metric = \(metric) AND s.chain = \(chain) ORDER BY x.time, s.labels::text
                """, logger: self.logger)
            for try await (labelsText, block, time, value, exact) in rows.decode((String, Int64, Int64, Double, String).self) {
                var labels = [String: String]()
                if case let .object(members)? = try? JSON.parse(labelsText) {
                    for member in members { labels[member.key] = member.value.stringValue }
                }
                samples.append(StoredSample(metric: metric, chain: chain, labels: labels, block: UInt64(block), timeMilliseconds: time, value: value, exact: exact))
            }
            return samples
        }
    }

    /// Rolls back the claims still open, then closes the pool's connections.
    public func close() async throws {
        await claims.cancelAndWait()
        running.cancel()
        _ = await running.value
    }

    // MARK: Errors

    /// A connection for `body`; any failure is rethrown naming the server and what was being done.
    @discardableResult
    func withConnection<T: Sendable>(_ doing: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in try await body(connection) }
        } catch let error as StoreError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw StoreError(.failed, "PostgreSQL store \(location), \(doing): \(Self.describe(error))")
        }
    }

    /// What went wrong, in the server's words when it said something (PSQLError's own
    /// description hides them, for fear of secrets in queries; ours carry none).
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let info = error.serverInfo, let message = info[.message] {
            let state = info[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            let detail = info[.detail].map { ": \($0)" } ?? ""
            return message + detail + state
        }
        if let underlying = error.underlying { return "\(error.code): \(underlying)" }
        return "\(error.code)"
    }
}
