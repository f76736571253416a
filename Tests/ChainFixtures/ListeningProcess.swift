public import Foundation

/// A server process of this package on a free loopback port, started once it says it listens.
public final class ListeningProcess: @unchecked Sendable {
    public let port: Int
    public let arguments: [String]
    private let child: ChildProcess
    private let output = LogText()

    /// Its process id, while it runs.
    public var pid: Int32? { isRunning ? child.pid : nil }

    /// Everything it has written to standard output and error so far.
    public var log: String { output.text }

    public struct StartFailure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts `executable` with the arguments for a port and waits until it reports listening on
    /// it. Another process may take a port between choosing and binding it; answering on the
    /// port is then no proof that ours is up, so its own "listening" line is. A chosen port that
    /// is taken is retried.
    public init(
        _ executable: String, port: Int? = nil, startLimit: TimeInterval = 60, environment: [String: String] = [:], arguments: (Int) -> [String]
    ) throws {
        var attempt = 0
        while true {
            attempt += 1
            let candidate = port ?? Self.freePort()
            let log = try ChildProcess.pipe()
            let started: ChildProcess
            do {
                started = try ChildProcess(
                    Executable.url(executable).path, arguments(candidate),
                    stdin: .devNull, stdout: .descriptor(log.write), stderr: .descriptor(log.write), environment: environment)
            } catch {
                close(log.read)
                close(log.write)
                throw error
            }
            close(log.write)
            let outcome = Self.waitUntilListening(log: log.read, port: candidate, limit: startLimit, into: output)
            if outcome == .listening {
                self.port = candidate
                self.arguments = arguments(candidate)
                child = started
                return
            }
            let status = started.stop(grace: 1)
            close(log.read)
            guard port == nil, attempt < 5, outcome == .exited else {
                throw StartFailure(description: "\(executable) \(arguments(candidate).joined(separator: " ")) did not start listening on port \(candidate) within \(Int(startLimit)) s (\(outcome), exit \(status))")
            }
        }
    }

    private enum StartOutcome { case listening, exited, silent }

    /// Reads the process's log until it says it listens on `port`, ends, or stays silent past the
    /// limit; once listening, keeps draining the log so the child never blocks on a full pipe.
    private static func waitUntilListening(log: Int32, port: Int, limit: TimeInterval, into output: LogText) -> StartOutcome {
        let marker = "listening on 127.0.0.1:\(port)"
        let deadline = Date().addingTimeInterval(limit)
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return .silent }
            var ready = pollfd(fd: log, events: Int16(POLLIN), revents: 0)
            if poll(&ready, 1, Int32(min(remaining, 1) * 1000)) <= 0 { continue }
            let count = read(log, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return .exited }
            text += String(decoding: buffer[0..<count], as: UTF8.self)
            output.append(buffer[0..<count])
            if text.contains(marker) {
                Thread.detachNewThread {
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    while true {
                        let count = read(log, &buffer, buffer.count)
                        if count < 0 && errno == EINTR { continue }
                        if count <= 0 { break }
                        output.append(buffer[0..<count])
                    }
                }
                return .listening
            }
        }
    }

    /// Whether it still runs.
    public var isRunning: Bool { child.status == nil }

    /// SIGTERM, as an operator would stop it, without waiting: a thread of its own reaps the
    /// process and sends SIGKILL if it has not exited within 5 s. (Tests stop servers in `defer`,
    /// on one of the few cooperative threads, which must never block.)
    public func stop() {
        child.signal(SIGTERM)
        let child = child
        Thread.detachNewThread { child.stop() }
    }

    /// Stops the process and returns once it has exited and released its port.
    public func stopAndWait() async {
        let child = child
        _ = try? await OffPool.run { child.stop() }
    }

    /// SIGKILL, as a crash or the OOM killer ends a process, and returns once it is gone.
    public func killAndWait() async {
        child.signal(SIGKILL)
        await stopAndWait()
    }

    deinit { stop() }

    /// A port the kernel just handed out and released (bind to 0, read it back).
    public static func freePort() -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// What a child wrote, kept as it arrives (read by the tests that look at logs).
final class LogText: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes = [UInt8]()

    func append(_ chunk: ArraySlice<UInt8>) { lock.withLock { bytes += chunk } }
    var text: String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }
}

/// A real `runtime-devnode` process on a free loopback port, for tests that need a node.
public final class DevnodeProcess: Sendable {
    public let server: ListeningProcess
    public var port: Int { server.port }
    public var httpURL: String { "http://127.0.0.1:\(port)" }
    public var webSocketURL: String { "ws://127.0.0.1:\(port)" }

    public init(_ arguments: [String] = [], port: Int? = nil) throws {
        server = try ListeningProcess("runtime-devnode", port: port) { ["--port", String($0)] + arguments }
    }

    /// Starts a devnode from async code without holding one of the few cooperative threads while
    /// it boots (tests run many at once; blocked pool threads would stall every test).
    public static func launch(_ arguments: [String] = [], port: Int? = nil) async throws -> DevnodeProcess {
        try await OffPool.run { try DevnodeProcess(arguments, port: port) }
    }

    public func stop() { server.stop() }
    public func stopAndWait() async { await server.stopAndWait() }
    public func killAndWait() async { await server.killAndWait() }
}

/// A real `runtime-exporter serve` process on a free loopback port.
public final class ExporterProcess: Sendable {
    public let server: ListeningProcess
    public var metricsURL: String { "http://127.0.0.1:\(server.port)/metrics" }

    public init(_ arguments: [String]) throws {
        // No history store unless a test asks for one (serve's default is a file in the working directory).
        let store = arguments.contains("--store") ? [] : ["--store", "none"]
        server = try ListeningProcess("runtime-exporter") { ["serve", "--web.listen-address", "127.0.0.1:\($0)"] + store + arguments }
    }

    public static func launch(_ arguments: [String]) async throws -> ExporterProcess {
        try await OffPool.run { try ExporterProcess(arguments) }
    }

    public func stop() { server.stop() }
}

/// Runs blocking work (process launches, waits) on a thread of its own.
public enum OffPool {
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
        }
    }
}

/// Collects the first `count` elements of an async sequence, failing instead of hanging when
/// they do not arrive within `limit`.
public func firstElements<S: AsyncSequence & Sendable>(
    _ count: Int, of sequence: S, within limit: Duration
) async throws -> [S.Element] where S.Element: Sendable {
    try await withThrowingTaskGroup(of: [S.Element].self) { group in
        group.addTask {
            var collected = [S.Element]()
            for try await element in sequence {
                collected.append(element)
                if collected.count == count { break }
            }
            return collected
        }
        group.addTask {
            try await Task.sleep(for: limit)
            throw ListeningProcess.StartFailure(description: "fewer than \(count) elements within \(limit)")
        }
        defer { group.cancelAll() }
        return try await group.next() ?? []
    }
}
