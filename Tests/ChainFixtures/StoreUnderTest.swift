public import ExactJSON
public import Foundation

/// A store for `--store` on either backend, read back by an independent client: Python's
/// sqlite3 for SQLite, `psql` for PostgreSQL (a database of its own on the test server).
public struct StoreUnderTest: Sendable {
    public enum Backend: String, CaseIterable, Sendable {
        case sqlite, postgres
    }

    public let backend: Backend
    /// What `--store` takes.
    public let argument: String

    public static func make(_ backend: Backend, in directory: URL, name: String) async throws -> StoreUnderTest {
        switch backend {
        case .sqlite:
            return StoreUnderTest(backend: backend, argument: "sqlite:\(directory.appendingPathComponent("\(name).sqlite").path)")
        case .postgres:
            return StoreUnderTest(backend: backend, argument: try await PostgresServer.shared().createDatabase())
        }
    }

    /// Every sample `[metric, labels, block, time ms, exact]` (optionally of some metrics in some
    /// blocks) and every chunk record `[chain, metric, version, first, last, status]`, ordered,
    /// as `{"samples": …, "ranges": …}`.
    public func dump(metrics: [String]? = nil, blocks: ClosedRange<UInt64>? = nil) async throws -> JSON {
        let (low, high) = (blocks?.lowerBound ?? 0, blocks?.upperBound ?? UInt64(Int64.max))
        switch backend {
        case .sqlite:
            let script = """
                import sqlite3, sys, json
                db = sqlite3.connect(sys.argv[1])
                metrics = json.loads(sys.argv[2]); low, high = int(sys.argv[3]), int(sys.argv[4])
                rows = db.execute("SELECT s.metric, s.labels, x.block, x.time, x.exact FROM samples x JOIN series s ON s.id = x.series_id ORDER BY 1, 2, 3").fetchall()
                rows = [list(r) for r in rows if (metrics is None or r[0] in metrics) and low <= r[2] <= high]
                ranges = db.execute("SELECT chain, metric, version, first_block, last_block, status FROM backfill_ranges ORDER BY 1, 2, 3, 4").fetchall()
                print(json.dumps({"samples": rows, "ranges": ranges}))
                """
            let selected = metrics.map { JSON.array($0.map(JSON.string)).serialized() } ?? "null"
            let path = String(argument.dropFirst("sqlite:".count))
            return try JSON.parse(try await PythonReferee.run(script, arguments: [path, selected, String(low), String(high)]))
        case .postgres:
            let filter = metrics.map { " AND s.metric IN (\($0.map { "'\($0)'" }.joined(separator: ", ")))" } ?? ""
            let sql = """
                SELECT json_build_object(
                  'samples', coalesce((SELECT json_agg(json_build_array(s.metric, s.labels::text, x.block, (extract(epoch FROM x.time) * 1000)::int8, x.exact::text)
                                        ORDER BY s.metric, s.labels::text COLLATE "C", x.block)
                                       FROM samples x JOIN series s ON s.id = x.series_id WHERE x.block BETWEEN \(low) AND \(high)\(filter)), '[]'),
                  'ranges', coalesce((SELECT json_agg(json_build_array(chain, metric, version, first_block, last_block, status) ORDER BY chain, metric, version, first_block)
                                      FROM backfill_ranges), '[]'))
                """
            return try JSON.parse(try await psql(sql))
        }
    }

    /// SQL through the backend's independent client (committed), one row per line, columns split at `|`.
    public func query(_ sql: String) async throws -> [[String]] {
        switch backend {
        case .sqlite:
            let output = try await PythonReferee.run("""
                import sqlite3, sys, json
                db = sqlite3.connect(sys.argv[1])
                rows = [[str(v) for v in row] for row in db.execute(sys.argv[2])]
                db.commit()
                print(json.dumps(rows))
                """, arguments: [String(argument.dropFirst("sqlite:".count)), sql])
            return try JSON.parse(output).arrayValue?.map { $0.arrayValue?.compactMap(\.stringValue) ?? [] } ?? []
        case .postgres:
            return try await psql(sql).split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
        }
    }

    private func psql(_ sql: String) async throws -> String {
        try await PostgresServer.shared().psql(PostgresServer.database(of: argument), sql)
    }
}
