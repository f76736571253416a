import ChainFixtures
import Foundation
import MetricStore
import Testing

/// Whether a new PostgreSQL store uses TimescaleDB, decided from the server's answers before
/// `CREATE EXTENSION` is ever sent: with the extension on the server but not preloaded, that
/// statement ends the session (FATAL), so the store must choose plain tables first.
@Suite struct TimescaleDecisionTests {
    @Test(arguments: [
        (false, "", TimescaleDecision.plainTables(warning: nil)),
        (false, "timescaledb", .plainTables(warning: nil)),
        (true, "timescaledb", .create),
        (true, "pg_stat_statements, timescaledb", .create),
        (true, "'$libdir/timescaledb'", .create),
        (true, "\"timescaledb\",auto_explain", .create),
    ])
    func theServersAnswersDecide(available: Bool, preloaded: String, expected: TimescaleDecision) {
        #expect(TimescaleDecision.decide(available: available, preloadLibraries: preloaded) == expected, "\(available) \(preloaded)")
    }

    /// Available but not loaded (nothing preloaded, another library, TimescaleDB's toolkit
    /// alone): plain tables, with one warning that says what to change.
    @Test(arguments: ["", "pg_stat_statements", "timescaledb_toolkit", "auto_explain,pg_stat_statements"])
    func availableButNotPreloadedMeansPlainTablesAndAWarning(preloaded: String) throws {
        guard case let .plainTables(warning) = TimescaleDecision.decide(available: true, preloadLibraries: preloaded) else {
            Issue.record("\(preloaded): TimescaleDB would be created"); return
        }
        let text = try #require(warning)
        #expect(text.contains("shared_preload_libraries") && text.contains(preloaded.isEmpty ? "empty" : preloaded) && !text.contains("\n"))
    }

    /// A real server's answer to `SHOW shared_preload_libraries`, once a library is preloaded
    /// the way an operator does it (`ALTER SYSTEM`, then a restart), decides as its text says.
    @Test func aRealServersPreloadListIsRead() async throws {
        let server = try await PostgresServer.dedicated()
        #expect(try await server.psql("postgres", "SHOW shared_preload_libraries").trimmingCharacters(in: .whitespacesAndNewlines) == "")
        _ = try await server.psql("postgres", "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'")
        try await server.stop()
        try await server.start()
        let answer = try await server.psql("postgres", "SHOW shared_preload_libraries").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(answer == "pg_stat_statements")
        #expect(TimescaleDecision.decide(available: true, preloadLibraries: answer) != .create)
        #expect(TimescaleDecision.decide(available: true, preloadLibraries: answer + ", timescaledb") == .create)
    }
}
