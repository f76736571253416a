import ChainFixtures
import ExactJSON
import Foundation
import MetricStore
import Testing

/// The embedded store: schema migrations that several processes may run at once, idempotent
/// writes, exact values, read back by us and by Python's own sqlite3.
@Suite struct SQLiteStoreTests {
    static func temporaryPath() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("store.sqlite").path
    }

    static func sample(_ metric: String, block: UInt64, exact: String, labels: [String: String] = [:]) -> StoredSample {
        StoredSample(metric: metric, chain: "polkadot", labels: labels, block: block, timeMilliseconds: 1_700_000_000_000 + Int64(block) * 6000,
                     value: Double(exact) ?? .nan, exact: exact)
    }

    @Test func migrationsRunOnceEvenFromSeveralStoresAtOnce() async throws {
        let path = try Self.temporaryPath()
        let stores = try (0..<4).map { _ in try SQLiteStore(path: path) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in stores { group.addTask { try await store.migrate() } }
            try await group.waitForAll()
        }
        try await stores[0].migrate()
        let result = try await PythonReferee.run("""
            import sqlite3, sys, json
            db = sqlite3.connect(sys.argv[1])
            print(json.dumps({"versions": [r[0] for r in db.execute("SELECT version FROM schema_migrations")],
                              "tables": sorted(r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))}))
            """, arguments: [path])
        let json = try JSON.parse(result)
        #expect(json["versions"] == .array([.number("1")]))
        #expect(json["tables"] == .array(["backfill_ranges", "metric_metadata", "samples", "schema_migrations", "series"].map(JSON.string)))
        for store in stores { try await store.close() }
    }

    @Test func aSampleWrittenTwiceIsStoredOnceWithTheLaterValue() async throws {
        let path = try Self.temporaryPath()
        let store = try SQLiteStore(path: path)
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
        try await store.write([again, Self.sample("nomination_pool_members", block: 2, exact: "4", labels: ["pool": "1"])])

        let issuance = try await store.samples(metric: "balances_total_issuance_tokens", chain: "polkadot")
        #expect(issuance.count == 1 && issuance.first?.exact == max)
        let members = try await store.samples(metric: "nomination_pool_members", chain: "polkadot")
        #expect(members.map(\.exact) == ["4", "5", "4"])
        #expect(members.map(\.block) == [1, 1, 2])
        #expect(members.first?.labels == ["pool": "1"])

        // Python's sqlite3 sees the same rows: one series per label set, no duplicate sample.
        let result = try await PythonReferee.run("""
            import sqlite3, sys, json
            db = sqlite3.connect(sys.argv[1])
            rows = db.execute("SELECT s.metric, s.labels, x.block, x.exact FROM samples x JOIN series s ON s.id = x.series_id ORDER BY s.metric, s.labels, x.block").fetchall()
            print(json.dumps({"series": db.execute("SELECT count(*) FROM series").fetchone()[0], "rows": rows}))
            """, arguments: [path])
        let json = try JSON.parse(result)
        #expect(json["series"] == .number("3"))
        #expect(json["rows"]?.arrayValue?.count == 4)
        #expect(json["rows"]?.arrayValue?.first == .array([.string("balances_total_issuance_tokens"), .string("{}"), .number("1"), .string(max)]))
        try await store.close()
    }

    @Test func definitionsAreKeptByNameWithTheirVersion() async throws {
        let store = try SQLiteStore(path: try Self.temporaryPath())
        try await store.migrate()
        try await store.saveDefinitions([StoredDefinition(name: "a_blocks", version: "1", json: .object(["help": .string("h")]))])
        try await store.saveDefinitions([StoredDefinition(name: "a_blocks", version: "2", json: .object(["help": .string("h2")]))])
        try await store.close()
    }

    @Test func storeLocationsAreReadOrRefusedInOneLine() throws {
        #expect(try StoreLocation(parsing: "none") == .none)
        #expect(try StoreLocation(parsing: "sqlite:data/x.sqlite") == .sqlite(path: "data/x.sqlite"))
        #expect(try StoreLocation(parsing: "sqlite:///tmp/x.sqlite") == .sqlite(path: "/tmp/x.sqlite"))
        #expect(throws: StoreError.self) { try StoreLocation(parsing: "mysql://x") }
        #expect(throws: StoreError.self) { try StoreLocation(parsing: "sqlite:") }
        #expect(throws: StoreError.self) { try SQLiteStore(path: "/nonexistent-directory/x/store.sqlite") }
    }
}
