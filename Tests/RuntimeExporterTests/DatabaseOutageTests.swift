import AsyncHTTPClient
import ChainFixtures
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// PostgreSQL goes away while `serve` follows a chain, and comes back: no block's samples are
/// lost (each block is written before it counts as processed, and retried until it is), the
/// exporter says clearly what it waits for, keeps answering scrapes, and its memory does not
/// grow with the outage. `RUNTIME_EXPORTER_OUTAGE_SECONDS` sets the outage (default 15; the long
/// form is 60).
@Suite(.timeLimit(.minutes(4))) struct DatabaseOutageTests {
    @Test func noSampleIsLostWhilePostgreSQLIsDown() async throws {
        let outage = ProcessInfo.processInfo.environment["RUNTIME_EXPORTER_OUTAGE_SECONDS"].flatMap(Int.init) ?? 15
        let server = try await PostgresServer.dedicated()
        let (database, node, exporter) = try await Self.following(into: server)
        defer { node.stop(); exporter.stop() }
        let before = try await MetricsSnapshot.scrape(exporter.metricsURL, chain: "dev", atLeast: 16)
        let residentBefore = Self.residentKilobytes(of: exporter.server)

        try await server.stop()
        let stoppedAt = ContinuousClock.now
        var scrapes = 0
        while ContinuousClock.now - stoppedAt < .seconds(outage) {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: exporter.metricsURL), timeout: .seconds(20))
            #expect(response.status == .ok, "a scrape during the outage")
            _ = try await response.body.collect(upTo: 16 << 20)
            scrapes += 1
            try await Task.sleep(for: .seconds(1))
        }
        let residentDuring = Self.residentKilobytes(of: exporter.server)
        try await server.start()
        // The chain went on meanwhile: following catches up and passes where it stood.
        let headAtRestart = before.block + UInt64(2 * outage)
        let after: MetricsSnapshot
        do {
            after = try await MetricsSnapshot.scrape(exporter.metricsURL, chain: "dev", within: .seconds(120)) { $0.block >= headAtRestart + 6 }
        } catch {
            Issue.record("following did not catch up after the outage; the exporter's log ends: \(exporter.server.log.suffix(6000))")
            throw error
        }
        await exporter.server.stopAndWait()

        let rows = try await server.psql(database, """
            SELECT x.block FROM samples x JOIN series s ON s.id = x.series_id
            WHERE s.metric = 'system_block_number' AND s.chain = 'dev' ORDER BY x.block
            """).split(separator: "\n").compactMap { UInt64($0) }
        let first = try #require(rows.first)
        #expect(first <= before.block)
        #expect(rows == Array(first...(rows.last ?? first)), "a gap or a duplicate in blocks \(first)…\(rows.last ?? 0)")
        #expect((rows.last ?? 0) >= after.block)
        // Calls of every block made it: the store's per-block increments add up to the counter.
        let stored = try await server.psql(database, """
            SELECT sum(CAST(x.exact AS bigint)) FROM samples x JOIN series s ON s.id = x.series_id
            WHERE s.metric = 'extrinsics_total' AND s.chain = 'dev' AND x.block <= \(after.block)
            """).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(UInt128(stored) == after.callTotal, "stored \(stored), counted \(after.callTotal)")
        let log = exporter.server.log
        #expect(log.contains("has not taken its samples for 10 s; following waits for it"), "the log says what it waits for")
        #expect(!log.contains(" error runtime-exporter:"), "the outage is waited out, not failed")
        // PostgresNIO drops the continuation of a COPY whose connection closes before the copy
        // began; the store does not wait on it (the write is tried again on a new connection).
        let dropped = log.components(separatedBy: "leaked its continuation").count - 1
        print("""
            database outage: \(outage) s, \(scrapes) scrapes answered meanwhile; blocks \(first)…\(rows.last ?? 0) stored once each; \
            \(dropped) COPY continuations dropped by PostgresNIO and not waited on; \
            RSS \(residentBefore.map(String.init) ?? "?") kB before, \(residentDuring.map(String.init) ?? "?") kB during
            """)
        if let before = residentBefore, let during = residentDuring { #expect(during < before + 50_000, "memory grew by \(during - before) kB in the outage") }
    }

    /// Writes cut short by the server (a table locked, then the waiting writers' connections
    /// terminated, as a server shutting down does) are tried again until they land. It caught
    /// two faults: a scheduled read's write failed the read, logged an error and left that
    /// block's values out of the store; and the ROLLBACK sent after the server's FATAL error
    /// went to a connection that was closing and was never answered, so following hung.
    @Test func writesCutShortByTheServerAreTriedAgainNotDropped() async throws {
        let server = try await PostgresServer.shared()
        let (database, node, exporter) = try await Self.following(into: server)
        defer { node.stop(); exporter.stop() }
        let before = try await MetricsSnapshot.scrape(exporter.metricsURL, chain: "dev", atLeast: 14)

        // Writers queue behind the lock; after 3 s every one of them has its connection cut.
        async let locked = server.psql(database, "LOCK TABLE samples IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(6)")
        try await Task.sleep(for: .seconds(3))
        let cut = try await server.psql(database, """
            SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = '\(database)' AND wait_event_type = 'Lock') terminated
            """).trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try await locked
        let after: MetricsSnapshot
        do {
            after = try await MetricsSnapshot.scrape(exporter.metricsURL, chain: "dev", within: .seconds(60)) { $0.block >= before.block + 12 }
        } catch {
            Issue.record("following did not go on after the lock (\(cut) connections cut); the exporter's log ends: \(exporter.server.log.suffix(4000))")
            throw error
        }
        await exporter.server.stopAndWait()

        #expect((Int(cut) ?? 0) >= 1, "no write was waiting on the lock")
        let rows = try await server.psql(database, """
            SELECT x.block FROM samples x JOIN series s ON s.id = x.series_id
            WHERE s.metric = 'system_block_number' AND s.chain = 'dev' ORDER BY x.block
            """).split(separator: "\n").compactMap { UInt64($0) }
        let first = try #require(rows.first)
        #expect(rows == Array(first...(rows.last ?? first)), "a gap or a duplicate in blocks \(first)…\(rows.last ?? 0)")
        #expect((rows.last ?? 0) >= after.block)
        let log = exporter.server.log
        #expect(log.contains("failed to take its samples"), "the cut writes are reported")
        #expect(!log.contains(" error runtime-exporter:"), "the cut writes are tried again, not failed")
        print("writes cut short: \(cut) connections terminated; blocks \(first)…\(rows.last ?? 0) stored once each")
    }

    /// `serve` following a devnode chain (`dev`, a block every 0.5 s) into a new database on `server`.
    static func following(into server: PostgresServer) async throws -> (database: String, node: DevnodeProcess, exporter: ExporterProcess) {
        let url = try await server.createDatabase()
        let node = try await DevnodeProcess.launch(["--history", "12", "--block-time", "0.5", "--finality-lag", "1"])
        do {
            let exporter = try await ExporterProcess.launch(["--rpc", node.webSocketURL, "--chain", "dev", "--store", url])
            return (PostgresServer.database(of: url), node, exporter)
        } catch {
            node.stop()
            throw error
        }
    }

    /// The resident set of the process listening on the exporter's port, from /proc.
    static func residentKilobytes(of process: ListeningProcess) -> Int? {
        guard let pid = process.pid, let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }
}
