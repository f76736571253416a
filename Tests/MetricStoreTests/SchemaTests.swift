import ChainFixtures
import ExactJSON
import Foundation
@testable import MetricStore
import Testing

/// One schema for both stores: the same tables, columns, nullability and keys, as each
/// database describes itself to its own client; and stores made by earlier versions reach it
/// with their rows.
@Suite struct SchemaTests {
    typealias Backend = MetricStoreTests.Backend

    /// `[table, column, position in the primary key (0: none), not null]`, as the database
    /// reports them. A key column counts as not null: SQLite lets a rowid key be declared
    /// without it, and never stores a null there.
    /// `views`: the views' columns instead (their keys and nullability as the database infers them are left out).
    static func shape(of opened: MetricStoreTests.Opened, _ backend: Backend, views: Bool = false) async throws -> [[String]] {
        if views {
            return try await opened.referee(backend == .sqlite
                ? "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'view' ORDER BY m.name, p.cid"
                : """
                SELECT c.table_name, c.column_name FROM information_schema.columns c JOIN information_schema.tables t
                  ON t.table_name = c.table_name AND t.table_schema = c.table_schema
                WHERE c.table_schema = 'public' AND t.table_type = 'VIEW' ORDER BY c.table_name, c.ordinal_position
                """)
        }
        let sql = switch backend {
        case .sqlite:
            """
            SELECT m.name, p.name, p.pk, CASE WHEN p."notnull" = 1 OR p.pk > 0 THEN 1 ELSE 0 END
            FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY m.name, p.cid
            """
        case .postgres:
            """
            SELECT c.table_name, c.column_name,
                   coalesce((SELECT k.ordinal_position FROM information_schema.table_constraints t
                             JOIN information_schema.key_column_usage k ON k.constraint_name = t.constraint_name AND k.table_name = t.table_name
                             WHERE t.table_schema = 'public' AND t.constraint_type = 'PRIMARY KEY' AND t.table_name = c.table_name
                               AND k.column_name = c.column_name), 0),
                   CASE WHEN c.is_nullable = 'NO' THEN 1 ELSE 0 END
            FROM information_schema.columns c JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema
            WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' ORDER BY c.table_name, c.ordinal_position
            """
        }
        return try await opened.referee(sql)
    }

    @Test func bothStoresHaveTheSameTablesColumnsAndKeys() async throws {
        var shapes = [[[String]]]()
        var views = [[[String]]]()
        for backend in Backend.allCases {
            let opened = try await MetricStoreTests.open(backend)
            let store = try opened.store()
            try await store.migrate()
            shapes.append(try await Self.shape(of: opened, backend))
            views.append(try await Self.shape(of: opened, backend, views: true))
            try await store.close()
        }
        #expect(shapes[0] == shapes[1])
        // polkadot-runtime-prom-exporter's tables, as views with its columns, in both.
        #expect(views[0] == views[1])
        #expect(Set(views[0].map { $0[0] }) == Set(ReferenceViews.all.map(\.name)))
        #expect(views[0].filter { $0[0] == "pallets_methods_calls" }.map { $0[1] } == ["time", "chain", "section", "method", "is_signed", "calls"])
        let samples = shapes[0].filter { $0[0] == "samples" }.map { [$0[1], $0[2]] }
        #expect(samples == [["series_id", "1"], ["time", "2"], ["block", "3"], ["value", "0"], ["exact", "0"]])
        #expect(Set(shapes[0].map { $0[0] }) == [
            "backfill_chunks", "backfill_ranges", "metric_failures", "metric_metadata", "rollup_backlog", "sample_days", "sample_five_minutes", "sample_hours",
            "samples", "schema_migrations", "series",
        ])
        let minutes = shapes[0].filter { $0[0] == "sample_five_minutes" }.map { [$0[1], $0[2]] }
        #expect(minutes.prefix(3) == [["series_id", "1"], ["bucket", "2"], ["count", "0"]] && minutes.count == 10)
    }

    /// Without a database: a new store is made at the latest version in one step; a store of
    /// version 3 takes version 4, which rebuilds two tables in SQLite and, in PostgreSQL,
    /// creates nothing that is there already, version 5, the rollups and their backlog, and
    /// version 6, five-minute rollups instead of minutes, built again for every series.
    @Test func migrationsMakeNewStoresAtOnceAndUpgradeOldOnesByStep() {
        for dialect in [SQLDialect.sqlite, .postgres] {
            let fresh = dialect.migrations(applied: [])
            #expect(fresh.map(\.version) == [1, 2, 3, 4, 5, 6, 7])
            #expect(fresh[0].statements.filter { $0.hasPrefix("CREATE TABLE samples ") }.count == 1)
            #expect(fresh.dropFirst().allSatisfy { $0.statements.isEmpty })
            #expect(dialect.migrations(applied: [1, 2, 3, 4, 5, 6, 7]).isEmpty)
            // The views are made again by the version that changes them; a new store has them at once.
            #expect(dialect.migrations(applied: [1, 2, 3, 4, 5, 6]).flatMap(\.statements) == dialect.referenceViews)
            #expect(fresh[0].statements.suffix(dialect.referenceViews.count) == dialect.referenceViews[...])
            // A new store has no series to build rollups for; an older one lists all of its own.
            #expect(!fresh[0].statements.contains { $0.hasPrefix("INSERT") })
            #expect(dialect.migrations(applied: [1, 2, 3, 4]).flatMap(\.statements).contains("INSERT INTO rollup_backlog (series_id) SELECT id FROM series"))
            let sixth = dialect.migrations(applied: [1, 2, 3, 4, 5]).first { $0.version == 6 }?.statements ?? []
            #expect(sixth.first == "DROP TABLE sample_minutes" && sixth.last == "INSERT INTO rollup_backlog (series_id) SELECT id FROM series WHERE true ON CONFLICT DO NOTHING")
        }
        let sqlite = SQLDialect.sqlite.migrations(applied: [1, 2, 3])
        #expect(sqlite.map(\.version) == [4, 5, 6, 7])
        #expect(sqlite[0].statements.filter { $0.hasPrefix("ALTER TABLE") } == [
            "ALTER TABLE samples_rebuilt RENAME TO samples", "ALTER TABLE backfill_ranges_rebuilt RENAME TO backfill_ranges",
        ])
        #expect(SQLDialect.postgres.migrations(applied: [1, 2, 3]).first?.statements == [
            "CREATE TABLE IF NOT EXISTS backfill_chunks (chain text NOT NULL, first_block bigint NOT NULL, last_block bigint NOT NULL, PRIMARY KEY (chain, first_block))",
        ])
        #expect(SQLDialect.sqlite.migrations(applied: [1]).map(\.version) == [2, 3, 4, 5, 6, 7])
    }

    /// A store made by the schema's first three versions, with rows in it, takes the fourth and
    /// fifth: its rows stay, its series gain rollups, a sample written again replaces the old
    /// one, and it ends with the same shape as a store made new.
    @Test(arguments: Backend.allCases) func aStoreOfEarlierVersionsUpgradesWithItsRows(_ backend: Backend) async throws {
        let opened = try await MetricStoreTests.open(backend)
        for statement in Self.firstThreeVersions(backend) { _ = try await opened.referee(statement) }
        let time = { (block: Int) in backend == .sqlite ? "\(1_700_000_000_000 + block * 6000)" : "to_timestamp(\(1_700_000_000 + block * 6))" }
        let now = backend == .sqlite ? "'2026-01-01T00:00:00Z'" : "now()"
        for statement in [
            "INSERT INTO series (metric, chain, labels) VALUES ('issuance', 'polkadot', '{}')",
            "INSERT INTO samples (series_id, time, block, value, exact) VALUES (1, \(time(1)), 1, 10, '10'), (1, \(time(2)), 2, 11, '11'), (1, \(time(3)), 3, 12, '12')",
            "INSERT INTO backfill_ranges (chain, metric, version, first_block, last_block, status, updated_at, loaded_by) VALUES ('polkadot', 'issuance', '1', 0, 999, 'loaded', \(now), 'earlier')",
            "INSERT INTO schema_migrations (version, applied_at) VALUES (1, \(now)), (2, \(now)), (3, \(now))",
        ] { _ = try await opened.referee(statement) }

        let store = try opened.store()
        try await store.migrate()
        #expect(try await opened.referee("SELECT version FROM schema_migrations ORDER BY version") == [["1"], ["2"], ["3"], ["4"], ["5"], ["6"], ["7"]])
        #expect(try await store.samples(metric: "issuance", chain: "polkadot").map(\.exact) == ["10", "11", "12"])
        for table in ["sample_five_minutes", "sample_hours", "sample_days"] {
            #expect(try await opened.referee("SELECT series_id, count, CAST(total AS integer), first_block, CAST(last_value AS integer) FROM \(table)")
                == [["1", "3", "33", "1", "12"]])
        }
        #expect(try await opened.referee("SELECT count(*) FROM rollup_backlog") == [["0"]])
        #expect(try await store.loadedRanges(chain: "polkadot").map(\.lastBlock) == [999])
        try await store.write([MetricStoreTests.sample("issuance", block: 2, exact: "21")])
        #expect(try await store.samples(metric: "issuance", chain: "polkadot").map(\.exact) == ["10", "21", "12"])
        try await store.close()

        let fresh = try await MetricStoreTests.open(backend)
        let freshStore = try fresh.store()
        try await freshStore.migrate()
        #expect(try await Self.shape(of: opened, backend) == (try await Self.shape(of: fresh, backend)))
        try await freshStore.close()
    }

    /// The schema as versions 1 to 3 created it, one statement at a time.
    static func firstThreeVersions(_ backend: Backend) -> [String] {
        switch backend {
        case .sqlite:
            [
                "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
                "CREATE TABLE series (id INTEGER PRIMARY KEY, metric TEXT NOT NULL, chain TEXT NOT NULL, labels TEXT NOT NULL, UNIQUE (metric, chain, labels))",
                """
                CREATE TABLE samples (series_id INTEGER NOT NULL REFERENCES series (id), time INTEGER NOT NULL, block INTEGER NOT NULL,
                    value REAL NOT NULL, exact TEXT NOT NULL, PRIMARY KEY (series_id, block)) WITHOUT ROWID
                """,
                "CREATE INDEX samples_by_time ON samples (series_id, time)",
                "CREATE TABLE metric_metadata (metric TEXT PRIMARY KEY, version TEXT NOT NULL, definition TEXT NOT NULL)",
                """
                CREATE TABLE backfill_ranges (chain TEXT NOT NULL, metric TEXT NOT NULL, version TEXT NOT NULL, first_block INTEGER NOT NULL,
                    last_block INTEGER NOT NULL, status TEXT NOT NULL, error TEXT, updated_at TEXT NOT NULL, PRIMARY KEY (chain, metric, version, first_block))
                """,
                "ALTER TABLE backfill_ranges ADD COLUMN loaded_by TEXT",
                """
                CREATE TABLE metric_failures (chain TEXT NOT NULL, metric TEXT NOT NULL, reason TEXT NOT NULL, first_block INTEGER NOT NULL,
                    last_block INTEGER NOT NULL, message TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (chain, metric, reason, first_block))
                """,
            ]
        case .postgres:
            [
                "CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL)",
                "CREATE TABLE series (id bigserial PRIMARY KEY, metric text NOT NULL, chain text NOT NULL, labels jsonb NOT NULL, UNIQUE (metric, chain, labels))",
                """
                CREATE TABLE samples (series_id bigint NOT NULL, time timestamptz NOT NULL, block bigint NOT NULL,
                    value double precision NOT NULL, exact numeric NOT NULL, PRIMARY KEY (series_id, time, block))
                """,
                "CREATE INDEX samples_by_block ON samples USING brin (block)",
                "CREATE TABLE metric_metadata (metric text PRIMARY KEY, version text NOT NULL, definition jsonb NOT NULL)",
                """
                CREATE TABLE backfill_ranges (chain text NOT NULL, metric text NOT NULL, version text NOT NULL, first_block bigint NOT NULL,
                    last_block bigint NOT NULL, status text NOT NULL CHECK (status IN ('loaded', 'failed')), error text,
                    updated_at timestamptz NOT NULL, PRIMARY KEY (chain, metric, version, first_block))
                """,
                "ALTER TABLE backfill_ranges ADD COLUMN loaded_by text",
                "CREATE TABLE backfill_chunks (chain text NOT NULL, first_block bigint NOT NULL, last_block bigint NOT NULL, PRIMARY KEY (chain, first_block))",
                """
                CREATE TABLE metric_failures (chain text NOT NULL, metric text NOT NULL, reason text NOT NULL, first_block bigint NOT NULL,
                    last_block bigint NOT NULL, message text NOT NULL, updated_at timestamptz NOT NULL, PRIMARY KEY (chain, metric, reason, first_block))
                """,
            ]
        }
    }
}
