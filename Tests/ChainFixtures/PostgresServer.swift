import Foundation

/// A real PostgreSQL server (Debian's `postgresql`) of the test process's own: a cluster made by
/// `initdb` in a temporary directory, on a free loopback port, with trust authentication. One
/// server serves the whole test process; each test takes a database of its own. A watchdog
/// shell started with it stops the server and removes its files once the test process is gone,
/// however it ends.
public final class PostgresServer: Sendable {
    public let port: Int
    let directory: URL
    /// The shell that runs the server and stops it after this process (kept: dropping it kills it).
    private let watchdog: ChildProcess
    /// Set for a server a test may stop and start (`dedicated()`).
    private let control: Control?

    /// How a dedicated server is stopped and started again, on the same port and data.
    private struct Control: Sendable {
        let pgCtl: [String]
        let data: String
        let options: String
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The server, started at first use.
    public static func shared() async throws -> PostgresServer {
        try await Starter.shared.server()
    }

    private actor Starter {
        static let shared = Starter()
        /// The one start, which every caller awaits (several tests ask at once).
        private var starting: Task<PostgresServer, any Error>?

        func server() async throws -> PostgresServer {
            if let starting { return try await starting.value }
            let task = Task { try await OffPool.run { try PostgresServer() } }
            starting = task
            return try await task.value
        }
    }

    /// The newest installed server's programs (`/usr/lib/postgresql/VERSION/bin`).
    static func binaries() throws -> URL {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path))?.compactMap(Int.init).sorted() ?? []
        guard let newest = versions.last else {
            throw Failure(description: "no PostgreSQL server in /usr/lib/postgresql (apt-get install postgresql)")
        }
        return root.appendingPathComponent("\(newest)/bin")
    }

    /// A server of the caller's own, which it may `stop()` and `start()` (the shared one stays up).
    /// It is removed once the test process is gone.
    public static func dedicated() async throws -> PostgresServer {
        try await OffPool.run { try PostgresServer(restartable: true) }
    }

    private init(restartable: Bool = false) throws {
        let bin = try Self.binaries()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("postgres-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // The server refuses to run as root: then it runs as the `postgres` account.
        let asAccount: [String] = geteuid() == 0 ? ["runuser", "-u", "postgres", "--"] : []
        if geteuid() == 0 {
            let chown = try ChildProcess.run("chown", ["postgres:postgres", directory.path], limit: 30)
            guard chown.status == 0 else { throw Failure(description: "chown postgres \(directory.path): \(chown.stderr)") }
        }
        let data = directory.appendingPathComponent("data").path
        let initdb = try ChildProcess.run(
            asAccount.first ?? bin.appendingPathComponent("initdb").path,
            Array(asAccount.dropFirst()) + (asAccount.isEmpty ? [] : [bin.appendingPathComponent("initdb").path])
                + ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"],
            limit: 120)
        guard initdb.status == 0 else { throw Failure(description: "initdb failed (\(initdb.status)): \(initdb.stderr)") }
        if restartable {
            let port = ListeningProcess.freePort()
            let control = Control(
                pgCtl: asAccount + [bin.appendingPathComponent("pg_ctl").path], data: data,
                options: "-p \(port) -k \(directory.path) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200")
            // The watchdog watches this process only: the server may be stopped and started meanwhile.
            let stop = (control.pgCtl + ["-D", data, "-m", "immediate", "stop"]).map(Self.quoted)
            let script = """
                while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done
                \(stop.joined(separator: " ")) >/dev/null 2>&1
                rm -rf \(Self.quoted(directory.path))
                """
            watchdog = try ChildProcess("/bin/sh", ["-c", script], stdin: .devNull, stdout: .devNull, stderr: .devNull)
            self.port = port
            self.control = control
            try Self.pgCtl(control, ["start", "-w", "-t", "60", "-l", directory.appendingPathComponent("server.log").path, "-o", control.options])
            return
        }
        control = nil
        var lastError = ""
        for _ in 0..<5 {
            let port = ListeningProcess.freePort()
            // Durability is not under test here (the exporter's crashes are, not the server's).
            let start = (asAccount + [bin.appendingPathComponent("postgres").path, "-D", data, "-p", "\(port)", "-k", directory.path,
                                      "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200"]).map(Self.quoted)
            let stop = (asAccount + [bin.appendingPathComponent("pg_ctl").path, "-D", data, "-m", "immediate", "stop"]).map(Self.quoted)
            let script = """
                \(start.joined(separator: " ")) >/dev/null 2>&1 &
                server=$!
                while kill -0 \(getpid()) 2>/dev/null && kill -0 $server 2>/dev/null; do sleep 1; done
                kill -0 \(getpid()) 2>/dev/null && exit 1
                \(stop.joined(separator: " ")) >/dev/null 2>&1
                rm -rf \(Self.quoted(directory.path))
                """
            let server = try ChildProcess("/bin/sh", ["-c", script], stdin: .devNull, stdout: .devNull, stderr: .devNull)
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline, server.status == nil {
                let ready = try ChildProcess.run(bin.appendingPathComponent("pg_isready").path, ["-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres"], limit: 10)
                if ready.status == 0 {
                    self.port = port
                    self.watchdog = server
                    return
                }
                lastError = ready.stdout + ready.stderr
                Thread.sleep(forTimeInterval: 0.2)
            }
            _ = server.stop(grace: 5)
        }
        throw Failure(description: "PostgreSQL did not start in \(data): \(lastError)")
    }

    /// A dedicated server ends with its test. `pg_ctl` detaches the server from this process,
    /// and the watchdog is killed as the server is dropped, so nothing else would stop it.
    deinit {
        guard let control else { return }
        _ = try? Self.pgCtl(control, ["stop", "-m", "immediate", "-w"])
        try? FileManager.default.removeItem(at: directory)
    }

    private static func pgCtl(_ control: Control, _ arguments: [String]) throws {
        let command = control.pgCtl + ["-D", control.data] + arguments
        let result = try ChildProcess.run(command[0], Array(command.dropFirst()), limit: 90)
        guard result.status == 0 else { throw Failure(description: "pg_ctl \(arguments.joined(separator: " ")): \(result.stdout)\(result.stderr)") }
    }

    /// Stops a dedicated server (`fast`: sessions are cut, as when a database goes away).
    public func stop() async throws {
        guard let control else { throw Failure(description: "only a dedicated server is stopped by a test") }
        try await OffPool.run { try Self.pgCtl(control, ["stop", "-m", "fast", "-w"]) }
    }

    /// Starts a stopped dedicated server again, on its port and data.
    public func start() async throws {
        guard let control else { throw Failure(description: "only a dedicated server is started by a test") }
        let log = directory.appendingPathComponent("server.log").path
        try await OffPool.run { try Self.pgCtl(control, ["start", "-w", "-t", "60", "-l", log, "-o", control.options]) }
    }

    /// A word for `sh -c`, single-quoted.
    static func quoted(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A new empty database; its `postgres://` URL for the store.
    public func createDatabase() async throws -> String {
        let name = "test_\(UUID().uuidString.prefix(8).lowercased())"
        _ = try await psql("postgres", "CREATE DATABASE \(name)")
        return url(database: name)
    }

    public func url(database: String, user: String = "postgres") -> String {
        "postgres://\(user)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// Runs SQL with `psql` (an independent client) and returns its unaligned rows.
    public func psql(_ database: String, _ sql: String, user: String = "postgres") async throws -> String {
        let bin = try Self.binaries()
        let result = try await ChildProcess.run(
            bin.appendingPathComponent("psql").path,
            ["-h", "127.0.0.1", "-p", "\(port)", "-U", user, "-d", database, "-v", "ON_ERROR_STOP=1", "-At", "-F", "|", "-c", sql],
            limit: 120)
        guard result.status == 0 else { throw Failure(description: "psql \(sql): \(result.stderr)") }
        return result.stdout
    }

    /// The database named in a URL from `createDatabase`.
    public static func database(of url: String) -> String {
        String(url.split(separator: "/").last?.split(separator: "?").first ?? "")
    }
}
