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

    /// Starts the devnode and waits until it answers JSON-RPC.
    public init(_ arguments: [String] = [], port: Int? = nil) throws {
        self.port = port ?? Self.freePort()
        self.arguments = arguments
        process = Process()
        process.executableURL = Executable.url("runtime-devnode")
        process.arguments = ["--port", String(self.port)] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if Self.answers(port: self.port) { return }
            guard process.isRunning else { throw StartFailure(description: "runtime-devnode exited with \(process.terminationStatus)") }
            Thread.sleep(forTimeInterval: 0.05)
        }
        stop()
        throw StartFailure(description: "runtime-devnode did not answer on port \(self.port) within 30 s")
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

    private static func answers(port: Int) -> Bool {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
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
