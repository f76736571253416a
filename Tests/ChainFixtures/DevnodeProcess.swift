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
