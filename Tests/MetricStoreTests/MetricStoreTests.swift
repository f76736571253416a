import ChainFixtures
import ExactJSON
import Foundation
import MetricStore
import Testing

/// Both stores, the same expectations: migrations that several processes may run at once,
/// idempotent writes, exact values, chunks replaced on reload, read back by an independent
/// client (Python's sqlite3, `psql`).
@Suite struct MetricStoreTests {
    typealias Backend = StoreUnderTest.Backend

    /// A fresh store of the backend, with a referee that runs SQL on it through another client.
    struct Opened {
        let location: StoreLocation
        let referee: @Sendable (String) async throws -> [[String]]

        func store() throws -> any MetricStore {
            switch location {
            case let .sqlite(path): return try SQLiteStore(path: path)
            case let .postgres(location): return PostgresStore(location: location)
            case .none: throw StoreError(.location, "no store")
            }
        }
    }

    static func open(_ backend: Backend) async throws -> Opened {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try await StoreUnderTest.make(backend, in: directory, name: "store")
        return Opened(location: try StoreLocation(parsing: store.argument)) { sql in try await store.query(sql) }
    }

    static func sample(_ metric: String, block: UInt64, exact: String, labels: [String: String] = [:]) -> StoredSample {
        StoredSample(metric: metric, chain: "polkadot", labels: labels, block: block, timeMilliseconds: 1_700_000_000_000 + Int64(block) * 6000,
                     value: Double(exact) ?? .nan, exact: exact)
    }

    @Test(arguments: Backend.allCases) func migrationsRunOnceEvenFromSeveralStoresAtOnce(_ backend: Backend) async throws {
        let opened = try await Self.open(backend)
        let stores = try (0..<4).map { _ in try opened.store() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in stores { group.addTask { try await store.migrate() } }
            try await group.waitForAll()
        }
        try await stores[0].migrate()
        #expect(try await opened.referee("SELECT version FROM schema_migrations ORDER BY version") == [["1"], ["2"], ["3"], ["4"], ["5"], ["6"], ["7"]])
        let tables = backend == .sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            : "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        let expected = [
            "backfill_chunks", "backfill_ranges", "metric_failures", "metric_metadata", "rollup_backlog", "sample_days", "sample_five_minutes", "sample_hours",
            "samples", "schema_migrations", "series",
        ]
        #expect(try await opened.referee(tables) == expected.map { [$0] })
        for store in stores { try await store.close() }
    }

    /// Failures of followed blocks, one block at a time, kept as runs of consecutive blocks per
    /// metric and reason; a chunk loaded for the metric replaces those inside it.
    @Test(arguments: Backend.allCases) func metricFailuresAreKeptAsRunsOfBlocks(_ backend: Backend) async throws {
        let opened = try await Self.open(backend)
        let store = try opened.store()
        try await store.migrate()
        func failure(_ block: UInt64, _ reason: String = "undecodable") -> MetricFailureRun {
            MetricFailureRun(chain: "polkadot", metric: "fee", reason: reason, firstBlock: block, lastBlock: block, message: "block \(block): bad")
        }
        for block: UInt64 in [5, 6, 7, 9] {
            try await store.write([Self.sample("issuance", block: block, exact: "1")], failures: [failure(block)])
        }
        try await store.write([], failures: [failure(8, "missing")])
        let runs = try await store.metricFailures(chain: "polkadot")
        #expect(runs.map { "\($0.reason) \($0.firstBlock)-\($0.lastBlock) \($0.message)" }
            == ["undecodable 5-7 block 5: bad", "missing 8-8 block 8: bad", "undecodable 9-9 block 9: bad"], "\(runs)")
        #expect(try await store.samples(metric: "issuance", chain: "polkadot").count == 4)
        // History loads blocks 1–8 for the metric: the runs inside go, the one reaching past stays.
        try await store.writeChunk([], loading: [LoadedRange(chain: "polkadot", metric: "fee", version: "1", firstBlock: 1, lastBlock: 8)])
        #expect(try await store.metricFailures(chain: "polkadot").map(\.firstBlock) == [9])
        // Runs given together join.
        #expect(MetricFailureRun.runs([failure(3), failure(1), failure(2), failure(2, "missing")]).map { "\($0.reason) \($0.firstBlock)-\($0.lastBlock)" }
            == ["missing 2-2", "undecodable 1-3"])
        try await store.close()
    }

    @Test(arguments: Backend.allCases) func aSampleWrittenTwiceIsStoredOnceWithTheLaterValue(_ backend: Backend) async throws {
        let opened = try await Self.open(backend)
        let store = try opened.store()
        try await store.migrate()
        let max = "34028236692093846346337460743.1768211455"  // u128::MAX planck in tokens of 10 decimals
        let first = [
            Self.sample("balances_total_issuance_tokens", block: 1, exact: max),
            Self.sample("nomination_pool_members", block: 1, exact: "3", labels: ["pool": "1"]),
            Self.sample("nomination_pool_members", block: 1, exact: "5", labels: ["pool": "2"]),
        ]
        try await store.write(first)
        try await store.write(first)
        var again = first[1]
        again.exact = "4"
        again.value = 4
        // Within one batch too, the later of two samples of a series and block wins.
        var older = again
        older.exact = "9"
        try await store.write([older, again, Self.sample("nomination_pool_members", block: 2, exact: "4", labels: ["pool": "1"])])

        let issuance = try await store.samples(metric: "balances_total_issuance_tokens", chain: "polkadot")
        #expect(issuance.count == 1 && issuance.first?.exact == max)
        #expect(issuance.first?.timeMilliseconds == 1_700_000_006_000)
        let members = try await store.samples(metric: "nomination_pool_members", chain: "polkadot")
        #expect(members.map(\.exact) == ["4", "5", "4"])
        #expect(members.map(\.block) == [1, 1, 2])
        #expect(members.first?.labels == ["pool": "1"])

        // Another client sees the same rows: one series per label set, no duplicate sample, exact values.
        #expect(try await opened.referee("SELECT count(*) FROM series") == [["3"]])
        let rows = try await opened.referee("SELECT s.metric, x.block, x.exact FROM samples x JOIN series s ON s.id = x.series_id ORDER BY s.metric, x.block, x.exact")
        #expect(rows == [["balances_total_issuance_tokens", "1", max], ["nomination_pool_members", "1", "4"], ["nomination_pool_members", "1", "5"],
                         ["nomination_pool_members", "2", "4"]])
        if backend == .postgres {
            // numeric: the sum of u128 values is exact in SQL.
            #expect(try await opened.referee("SELECT sum(exact) FROM samples") == [["34028236692093846346337460756.1768211455"]])
        }
        try await store.close()
    }

    @Test(arguments: Backend.allCases) func definitionsAreKeptByNameWithTheirVersion(_ backend: Backend) async throws {
        let opened = try await Self.open(backend)
        let store = try opened.store()
        try await store.migrate()
        try await store.saveDefinitions([StoredDefinition(name: "a_blocks", version: "1", json: .object(["help": .string("h")]))])
        try await store.saveDefinitions([StoredDefinition(name: "a_blocks", version: "2", json: .object(["help": .string("h2")])),
                                         StoredDefinition(name: "b_calls", version: "1", json: .object(["help": .string("c")]))])
        let rows = try await opened.referee("SELECT metric, version, definition FROM metric_metadata ORDER BY metric")
        #expect(rows.map { Array($0.prefix(2)) } == [["a_blocks", "2"], ["b_calls", "1"]])
        #expect(try rows.map { try JSON.parse($0[2])["help"] } == [.string("h2"), .string("c")])
        try await store.close()
    }

    @Test(arguments: Backend.allCases) func aChunkReloadReplacesItsMetricOnlyAndAFailureNeverUnloads(_ backend: Backend) async throws {
        let opened = try await Self.open(backend)
        let store = try opened.store()
        try await store.migrate()
        func range(_ metric: String, _ version: String) -> LoadedRange {
            LoadedRange(chain: "polkadot", metric: metric, version: version, firstBlock: 100, lastBlock: 199)
        }
        try await store.writeChunk([Self.sample("a", block: 100, exact: "1", labels: ["k": "x"]), Self.sample("a", block: 150, exact: "2", labels: ["k": "y"]),
                                    Self.sample("b", block: 120, exact: "3")],
                                   loading: [range("a", "1"), range("b", "1")])
        // Version 2 of `a` gives a sample at 100 only: 150 (another series) goes, `b` stays.
        try await store.writeChunk([Self.sample("a", block: 100, exact: "7", labels: ["k": "x"])], loading: [range("a", "2")])
        #expect(try await store.samples(metric: "a", chain: "polkadot").map(\.exact) == ["7"])
        #expect(try await store.samples(metric: "b", chain: "polkadot").map(\.exact) == ["3"])
        try await store.recordFailure([range("a", "2"), range("c", "1")], error: "node gone")
        let loaded = try await store.loadedRanges(chain: "polkadot")
        #expect(Set(loaded.map { "\($0.metric)@\($0.version)" }) == ["a@1", "a@2", "b@1"])
        let records = try await opened.referee("SELECT metric, version, status, coalesce(error, ''), loaded_by = '\(StoreOwner.thisProcess)' FROM backfill_ranges ORDER BY metric, version")
        let yes = backend == .sqlite ? "1" : "t"
        #expect(records == [["a", "1", "loaded", "", yes], ["a", "2", "loaded", "", yes], ["b", "1", "loaded", "", yes], ["c", "1", "failed", "node gone", yes]])
        try await store.close()
    }

    /// Processes sharing a PostgreSQL store: one holds a chunk, the other skips it or waits for
    /// it, then sees what the first wrote; a process that goes away frees its chunks.
    @Test func aClaimedChunkIsSkippedOrWaitedForAndFreedWithItsConnection() async throws {
        let opened = try await Self.open(.postgres)
        let first = try opened.store(), second = try opened.store()
        try await first.migrate()
        try await second.migrate()
        let chunk: ClosedRange<UInt64> = 500...999
        let held = try #require(try await first.claimChunk(chain: "polkadot", chunk: chunk, wait: false))
        #expect(try await second.claimChunk(chain: "polkadot", chunk: chunk, wait: false) == nil)
        #expect(try await second.claimChunk(chain: "polkadot", chunk: 0...499, wait: false) != nil)

        async let waited = second.claimChunk(chain: "polkadot", chunk: chunk, wait: true)
        try await Task.sleep(for: .milliseconds(300))
        let range = LoadedRange(chain: "polkadot", metric: "a", version: "1", firstBlock: 500, lastBlock: 999)
        try await held.write([Self.sample("a", block: 600, exact: "1")], loading: [range])
        let next = try #require(try await waited)
        #expect(try await next.loadedRanges() == [range])
        await next.release()
        // Ended claims refuse more commands instead of hanging.
        await #expect(throws: StoreError.self) { try await held.write([], loading: []) }

        let third = try opened.store()
        let orphan = try #require(try await third.claimChunk(chain: "polkadot", chunk: 1000...1499, wait: false))
        #expect(try await second.claimChunk(chain: "polkadot", chunk: 1000...1499, wait: false) == nil)
        try await third.close()  // its connections close, as when its process dies
        _ = orphan
        let freed = try await second.claimChunk(chain: "polkadot", chunk: 1000...1499, wait: true)
        #expect(freed != nil)
        await freed?.release()
        try await first.close()
        try await second.close()
    }

    /// A label set is one series by its text: the text is sorted JSON, written the same whether
    /// it takes the direct path (plain names and values) or the escaping one, as Python writes it.
    @Test func labelTextsAreSortedJSONAsAnotherWriterWritesThem() async throws {
        let sets: [[String: String]] = [
            [:], ["pool": "12"], ["pallet": "Balances", "event": "Transfer", "class": "normal"],
            ["quote": "say \"hi\"", "back\\slash": "a\\b"], ["line": "a\nb\tc\u{1}"], ["name": "Zürich ✓"],
        ]
        let ours = sets.map { StoredSample(metric: "m", chain: "c", labels: $0, block: 1, timeMilliseconds: 0, value: 0, exact: "0").labelsJSON }
        let input = String(decoding: try JSONSerialization.data(withJSONObject: sets), as: UTF8.self)
        let python = try await PythonReferee.run("""
            import json, sys
            for labels in json.load(sys.stdin): print(json.dumps(labels, sort_keys=True, separators=(",", ":"), ensure_ascii=False))
            """, input: input)
        #expect(ours == python.split(separator: "\n").map(String.init))
    }

    @Test func storeLocationsAreReadOrRefusedInOneLine() throws {
        #expect(try StoreLocation(parsing: "none") == .none)
        #expect(try StoreLocation(parsing: "sqlite:data/x.sqlite") == .sqlite(path: "data/x.sqlite"))
        #expect(try StoreLocation(parsing: "sqlite:///tmp/x.sqlite") == .sqlite(path: "/tmp/x.sqlite"))
        #expect(throws: StoreError.self) { try StoreLocation(parsing: "mysql://x") }
        #expect(throws: StoreError.self) { try StoreLocation(parsing: "sqlite:") }
        #expect(throws: StoreError.self) { try SQLiteStore(path: "/nonexistent-directory/x/store.sqlite") }

        let full = try PostgresLocation(url: "postgres://exporter:s%40cret@db.example:6432/history?sslmode=require", environment: [:])
        #expect(full.user == "exporter" && full.password == "s@cret" && full.host == "db.example" && full.port == 6432)
        #expect(full.database == "history" && full.tls == .require)
        // The password never shows in what is printed.
        #expect(StoreLocation.postgres(full).description == "postgres://exporter:***@db.example:6432/history")
        let defaults = try PostgresLocation(url: "postgresql://", environment: ["PGUSER": "me", "PGPORT": "5433"])
        #expect(defaults.user == "me" && defaults.port == 5433 && defaults.host == "localhost" && defaults.database == "me" && defaults.tls == .prefer)
        #expect(throws: StoreError.self) { try PostgresLocation(url: "postgres://x@h/db?sslmode=maybe", environment: [:]) }
        #expect(throws: StoreError.self) { try PostgresLocation(url: "postgres://x@h/db?timeout=3", environment: [:]) }
    }

    @Test func anUnreachableServerIsNamedWithoutItsPassword() async throws {
        let port = ListeningProcess.freePort()
        let location = try StoreLocation(parsing: "postgres://exporter:topsecret@127.0.0.1:\(port)/history?sslmode=disable")
        do {
            _ = try await location.open()
            Issue.record("opened a store on a port nobody listens on")
        } catch {
            let message = "\(error)"
            #expect(message.contains("127.0.0.1:\(port)/history"), "\(message)")
            #expect(message.contains("connecting") && message.contains("Connection refused"), "\(message)")
            #expect(!message.contains("topsecret"), "\(message)")
        }
    }
}
