/// The schema of both stores, written once: tables, keys and indexes in terms the stores share.
/// Each store renders it in its own SQL (`SQLDialect`). A new store is created at the latest
/// version in one step; a store made by an earlier version takes the steps it lacks.
enum StoreSchema {
    static let series = Table(
        "series",
        [Column("id", .serial), Column("metric", .text), Column("chain", .text), Column("labels", .json)],
        primaryKey: ["id"], unique: ["metric", "chain", "labels"])

    /// One row per series and block. `time` is in the key because a TimescaleDB hypertable's
    /// unique keys must hold it; a block has one time, so the key still finds a sample written
    /// again. In the key's order, queries by series and time read the table itself. No foreign
    /// key: its check per row would halve the write rate.
    static let samples = Table(
        "samples",
        [Column("series_id", .integer), Column("time", .sampleTime), Column("block", .integer), Column("value", .real),
         Column("exact", .exact)],
        primaryKey: ["series_id", "time", "block"], clustered: true,
        indexes: [
            // Replacing a metric's samples in a chunk of blocks: a summary index where the
            // database has one (BRIN, next to nothing per write), since blocks arrive in order.
            Index("samples_by_block", ["series_id", "block"], summary: true),
        ])

    static let metricMetadata = Table(
        "metric_metadata", [Column("metric", .text), Column("version", .text), Column("definition", .json)], primaryKey: ["metric"])

    static let loadedBy = Column("loaded_by", .text, nullable: true)

    static let backfillRanges = Table(
        "backfill_ranges",
        [Column("chain", .text), Column("metric", .text), Column("version", .text), Column("first_block", .integer),
         Column("last_block", .integer), Column("status", .text, oneOf: ["loaded", "failed"]), Column("error", .text, nullable: true),
         Column("updated_at", .wallClock), loadedBy],
        primaryKey: ["chain", "metric", "version", "first_block"])

    /// The chunks processes sharing a range claim (PostgreSQL's `FOR UPDATE SKIP LOCKED`; one
    /// process loads an SQLite file, which leaves the table empty).
    static let backfillChunks = Table(
        "backfill_chunks", [Column("chain", .text), Column("first_block", .integer), Column("last_block", .integer)],
        primaryKey: ["chain", "first_block"])

    /// The blocks at which a metric gave no sample, as runs of consecutive blocks.
    static let metricFailures = Table(
        "metric_failures",
        [Column("chain", .text), Column("metric", .text), Column("reason", .text), Column("first_block", .integer),
         Column("last_block", .integer), Column("message", .text), Column("updated_at", .wallClock)],
        primaryKey: ["chain", "metric", "reason", "first_block"])

    /// A series' samples summarised per bucket of a `RollupLevel` (`BucketSummary`), kept up to
    /// date by every write. `bucket` is the bucket's start in Unix milliseconds.
    static func rollup(_ name: String) -> Table {
        Table(
            name,
            [Column("series_id", .integer), Column("bucket", .integer), Column("count", .integer), Column("total", .real),
             Column("minimum", .real), Column("maximum", .real), Column("first_block", .integer), Column("first_value", .real),
             Column("last_block", .integer), Column("last_value", .real)],
            primaryKey: ["series_id", "bucket"], clustered: true, updatedInPlace: true)
    }

    static let rollups = RollupLevel.allCases.map { rollup($0.table) }

    /// Series whose rollups are still to be computed from their samples (those a store had
    /// when it gained rollups); their queries read samples until then.
    static let rollupBacklog = Table("rollup_backlog", [Column("series_id", .integer)], primaryKey: ["series_id"])

    static let tables = [series, samples, metricMetadata, backfillRanges, backfillChunks, metricFailures] + rollups + [rollupBacklog]

    /// The versions applied to a store, created before any of them.
    static let migrationsTable = Table(
        "schema_migrations", [Column("version", .integer), Column("applied_at", .wallClock)], primaryKey: ["version"])

    /// What a store made at the version before each takes to reach it. Version 1 is the first
    /// schema shipped.
    static let upgrades: [(version: Int, steps: [Step])] = [
        (2, [.addColumn("backfill_ranges", loadedBy), .create(backfillChunks)]),
        (3, [.create(metricFailures)]),
        (4, [
            // SQLite keyed samples on (series_id, block), with a foreign key and an index on
            // time. PostgreSQL had this key; its BRIN index on `block` alone stays (rebuilding
            // an index of a compressed hypertable is not worth the same plans).
            .rebuild(samples, only: .sqlite),
            .rebuild(backfillRanges, only: .sqlite),
            .create(backfillChunks),
        ]),
        (5, ["sample_minutes", "sample_hours", "sample_days"].map { .create(rollup($0)) } + [
            .create(rollupBacklog), .statement("INSERT INTO rollup_backlog (series_id) SELECT id FROM series"),
        ]),
        // Five-minute buckets instead of minutes, computed again from the samples (`WHERE true`:
        // SQLite would read `ON` as a join's).
        (6, [
            .statement("DROP TABLE sample_minutes"), .create(rollup("sample_five_minutes")),
            .statement("INSERT INTO rollup_backlog (series_id) SELECT id FROM series WHERE true ON CONFLICT DO NOTHING"),
        ]),
        // polkadot-runtime-prom-exporter's tables, as views over the samples.
        (7, [.referenceViews]),
    ]

    static let latestVersion = upgrades.last?.version ?? 1
}

extension StoreSchema {
    enum ColumnType {
        /// A key the database numbers.
        case serial
        case integer
        case real
        /// A number kept exactly (u128 and decimals): `numeric`, or its text in SQLite.
        case exact
        case text
        case json
        /// A block's time: `timestamptz`, or epoch milliseconds in SQLite (bucketed as numbers).
        case sampleTime
        /// When a record was written: `timestamptz`, or ISO 8601 text in SQLite.
        case wallClock
    }

    struct Column {
        let name: String
        let type: ColumnType
        let nullable: Bool
        /// The only values allowed, if limited.
        let oneOf: [String]?

        init(_ name: String, _ type: ColumnType, nullable: Bool = false, oneOf: [String]? = nil) {
            self.name = name
            self.type = type
            self.nullable = nullable
            self.oneOf = oneOf
        }
    }

    struct Index {
        let name: String
        let columns: [String]
        /// A summary of ranges is enough (BRIN where the database has it, a B-tree elsewhere).
        let summary: Bool

        init(_ name: String, _ columns: [String], summary: Bool = false) {
            self.name = name
            self.columns = columns
            self.summary = summary
        }
    }

    struct Table {
        let name: String
        let columns: [Column]
        let primaryKey: [String]
        let unique: [String]?
        /// Rows stored in key order (SQLite's `WITHOUT ROWID`; PostgreSQL keeps a heap).
        let clustered: Bool
        /// Rows updated again and again: PostgreSQL leaves room in each page, so that an update
        /// stays on its page and needs no new index entry.
        let updatedInPlace: Bool
        let indexes: [Index]

        init(_ name: String, _ columns: [Column], primaryKey: [String], unique: [String]? = nil, clustered: Bool = false, updatedInPlace: Bool = false,
             indexes: [Index] = []) {
            self.updatedInPlace = updatedInPlace
            self.name = name
            self.columns = columns
            self.primaryKey = primaryKey
            self.unique = unique
            self.clustered = clustered
            self.indexes = indexes
        }
    }

    /// One change of an upgrade, for both stores unless it names one.
    struct Step {
        enum Change {
            /// Creates the table and its indexes, unless it exists.
            case create(Table)
            case addColumn(String, Column)
            /// Copies the table's rows into a new table of the described shape, which takes its place.
            case rebuild(Table)
            /// A statement both stores read alike.
            case statement(String)
            /// Creates again every view of `ReferenceViews`, in each store's SQL.
            case referenceViews
        }

        let change: Change
        let only: SQLDialect?

        static func create(_ table: Table) -> Step { Step(change: .create(table), only: nil) }
        static func addColumn(_ table: String, _ column: Column) -> Step { Step(change: .addColumn(table, column), only: nil) }
        static func rebuild(_ table: Table, only: SQLDialect) -> Step { Step(change: .rebuild(table), only: only) }
        static func statement(_ sql: String) -> Step { Step(change: .statement(sql), only: nil) }
        static let referenceViews = Step(change: .referenceViews, only: nil)
    }
}
