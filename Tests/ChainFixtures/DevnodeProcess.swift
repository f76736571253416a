public import Foundation

/// A real `runtime-devnode` process on a free loopback port, for tests that need a node.
public final class DevnodeProcess: @unchecked Sendable {
    public let port: Int
    public let arguments: [String]
    private let process: Process

    public var httpURL: String { "http://127.0.0.1:\(port)" }
    public var webSocketURL: String { "ws://127.0.0.1:\(port)" }

    public struct StartFailure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts the devnode and waits until it reports listening on its port. Another process may
    /// take a port between choosing and binding it; answering on the port is then no proof that
    /// our devnode is up, so its own "listening" line is. A chosen port that is taken is retried.
    public init(_ arguments: [String] = [], port: Int? = nil) throws {
        self.arguments = arguments
        var attempt = 0
        while true {
            attempt += 1
            let candidate = port ?? Self.freePort()
            let started = Process()
            started.executableURL = Executable.url("runtime-devnode")
            started.arguments = ["--port", String(candidate)] + arguments
            let output = Pipe()
            started.standardOutput = output
            started.standardError = output
            try started.run()
            if Self.waitUntilListening(started, output: output, port: candidate) {
                self.port = candidate
                process = started
                return
            }
            if started.isRunning { kill(started.processIdentifier, SIGKILL) }
            started.waitUntilExit()
            guard port == nil, attempt < 5 else {
                throw StartFailure(description: "runtime-devnode did not start listening on port \(candidate) (exit \(started.terminationStatus))")
            }
        }
    }

    /// Reads the devnode's log until it says it listens on `port` (true) or ends (false), then
    /// keeps draining the pipe so the child never blocks on a full one.
    private static func waitUntilListening(_ process: Process, output: Pipe, port: Int) -> Bool {
        let handle = output.fileHandleForReading
        let marker = "listening on 127.0.0.1:\(port)"
        var text = ""
        while true {  // a devnode that never logs is caught by the suites' time limits
            let chunk = handle.availableData
            if chunk.isEmpty { return false }  // end of output: the devnode exited
            text += String(decoding: chunk, as: UTF8.self)
            if text.contains(marker) {
                Thread.detachNewThread { while !handle.availableData.isEmpty {} }
                return true
            }
        }
    }

    /// SIGTERM, as an operator would stop it; SIGKILL if it has not exited within 5 s.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
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

extension DevnodeProcess {
    /// Starts a devnode from async code without holding one of the few cooperative threads while
    /// it boots (tests run many at once; blocked pool threads would stall every test).
    public static func launch(_ arguments: [String] = [], port: Int? = nil) async throws -> DevnodeProcess {
        try await OffPool.run { try DevnodeProcess(arguments, port: port) }
    }
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
            throw DevnodeProcess.StartFailure(description: "fewer than \(count) elements within \(limit)")
        }
        defer { group.cancelAll() }
        return try await group.next() ?? []
    }
}
