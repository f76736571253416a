public import Foundation

/// A child process started with `posix_spawn`, for the executables and referees the tests run.
///
/// Foundation's `Process` is avoided on purpose: its pipes are inheritable, so a long-lived child
/// (a devnode) started on another thread at the same moment keeps a copy of a short-lived
/// child's output pipe and that pipe never reaches end-of-file; and its `waitUntilExit` polls a
/// run loop. Here every pipe is close-on-exec from birth, waits poll `waitpid` against a
/// deadline, and a child past its deadline is killed and reported, never waited for forever.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    public let commandLine: String
    private let lock = NSLock()
    private var exitStatus: Int32?

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// What a finished run printed and how it ended (exit code, or 128 + signal number).
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// Where a child's standard stream goes.
    public enum Stream {
        case devNull
        case descriptor(Int32)
    }

    /// A child that crashes reports its crashed thread with addresses and function names, not the
    /// full symbolicated report of every thread: a killed child's backtracer would go on taking a
    /// core for up to half a minute, and tests start hundreds of children on two cores. Set before
    /// the first child starts, unless SWIFT_BACKTRACE is set already.
    private static let cheapBacktraces: Void = {
        setenv("SWIFT_BACKTRACE", "symbolicate=fast,threads=crashed,registers=none,images=none,timeout=10", 0)
    }()

    /// Starts `executable` (a path, or a name looked up on PATH) with the given standard streams,
    /// in this process's environment with `environment` added.
    public init(
        _ executable: String, _ arguments: [String], stdin: Stream, stdout: Stream, stderr: Stream, environment: [String: String] = [:]
    ) throws {
        commandLine = ([executable] + arguments).joined(separator: " ")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (stream, target) in [(stdin, STDIN_FILENO), (stdout, STDOUT_FILENO), (stderr, STDERR_FILENO)] {
            switch stream {
            case .devNull:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == STDIN_FILENO ? O_RDONLY : O_WRONLY, 0)
            case let .descriptor(descriptor):
                posix_spawn_file_actions_adddup2(&actions, descriptor, target)  // the copy is inheritable
            }
        }
        // Nothing else of this process leaks into the child (the test runner's own descriptors included).
        _ = Self.addCloseFrom?(&actions, 3)
        // The child starts with default signal handling and nothing blocked, whatever this process set.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child = pid_t()
        Self.spawnLock.lock()
        defer { Self.spawnLock.unlock() }
        Self.cheapBacktraces
        // Read after the line above, so that the child gets its setting too.
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { _, added in added }
        let envp: [UnsafeMutablePointer<CChar>?] = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in envp { free(pointer) } }
        let status = executable.contains("/")
            ? posix_spawn(&child, executable, &actions, &attributes, argv, envp)
            : posix_spawnp(&child, executable, &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw Failure(description: "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        pid = child
    }

    /// A pipe whose two ends are close-on-exec, so no other child inherits them. (`pipe2` is not
    /// visible from Swift; creating the pipe and spawning under one lock closes the gap instead.)
    public static func pipe() throws -> (read: Int32, write: Int32) {
        spawnLock.lock()
        defer { spawnLock.unlock() }
        var descriptors: [Int32] = [0, 0]
        guard Foundation.pipe(&descriptors) == 0 else {
            throw Failure(description: "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        for descriptor in descriptors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        return (descriptors[0], descriptors[1])
    }

    private static let spawnLock = NSLock()

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift does not import.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddCloseFrom.self) }

    /// The exit status once the child has ended (exit code, or 128 + signal), nil while it runs.
    public var status: Int32? {
        lock.lock()
        defer { lock.unlock() }
        if exitStatus == nil {
            var raw: Int32 = 0
            if waitpid(pid, &raw, WNOHANG) == pid {
                let signal = raw & 0x7f
                exitStatus = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
            }
        }
        return exitStatus
    }

    /// Waits for the child to end; nil if it still runs at the deadline.
    @discardableResult
    public func wait(upTo limit: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(limit)
        while true {
            if let status { return status }
            if Date() >= deadline { return nil }
            usleep(5_000)
        }
    }

    public func signal(_ signal: Int32) {
        if status == nil { kill(pid, signal) }
    }

    /// SIGTERM, as an operator would stop it; SIGKILL if it is still running after `grace`.
    @discardableResult
    public func stop(grace: TimeInterval = 5) -> Int32 {
        signal(SIGTERM)
        if let status = wait(upTo: grace) { return status }
        signal(SIGKILL)
        return wait(upTo: .infinity) ?? 128 + SIGKILL
    }

    deinit {
        if status == nil {
            kill(pid, SIGKILL)
            var raw: Int32 = 0
            waitpid(pid, &raw, 0)
        }
    }
}

extension ChildProcess {
    /// Runs a command to its end with `input` on its standard input and returns what it printed.
    /// A command still running after `limit` seconds is killed and reported as a failure.
    public static func run(
        _ executable: String, _ arguments: [String], input: Data = Data(), limit: TimeInterval = 300, environment: [String: String] = [:]
    ) throws -> Result {
        _ = ignoreBrokenPipes
        let stdin = try pipe(), stdout = try pipe(), stderr = try pipe()
        let child: ChildProcess
        do {
            child = try ChildProcess(
                executable, arguments,
                stdin: .descriptor(stdin.read), stdout: .descriptor(stdout.write), stderr: .descriptor(stderr.write), environment: environment)
        } catch {
            for descriptor in [stdin.read, stdin.write, stdout.read, stdout.write, stderr.read, stderr.write] { close(descriptor) }
            throw error
        }
        for descriptor in [stdin.read, stdout.write, stderr.write] { close(descriptor) }
        // Feed and drain on threads of their own, so neither side can block the other on a full pipe.
        let feeding = DescriptorWork { writeAll(input, to: stdin.write); close(stdin.write); return Data() }
        let output = DescriptorWork { readToEnd(stdout.read) }
        let errors = DescriptorWork { readToEnd(stderr.read) }

        guard let status = child.wait(upTo: limit) else {
            child.stop(grace: 1)
            let partial = errors.result(within: 5) ?? Data()
            throw Failure(description: "\(child.commandLine) still ran after \(Int(limit)) s and was killed; stderr so far: \(String(decoding: partial, as: UTF8.self))")
        }
        _ = feeding.result(within: 5)
        // A grandchild that kept the pipes open would hold these back; give up on it after a while.
        guard let out = output.result(within: 30), let err = errors.result(within: 30) else {
            throw Failure(description: "\(child.commandLine) exited (\(status)) but its output pipes stayed open")
        }
        return Result(status: status, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    /// `run` from async code, on a thread of its own rather than one of the few cooperative ones.
    public static func run(
        _ executable: String, _ arguments: [String], input: Data = Data(), limit: TimeInterval = 300, environment: [String: String] = [:]
    ) async throws -> Result {
        try await OffPool.run { try run(executable, arguments, input: input, limit: limit, environment: environment) }
    }

    /// A child that exits without reading all its input must not take this process down with SIGPIPE.
    private static let ignoreBrokenPipes: Void = { _ = Foundation.signal(SIGPIPE, SIG_IGN) }()

    /// Reads a descriptor until end-of-file, then closes it.
    static func readToEnd(_ descriptor: Int32) -> Data {
        defer { close(descriptor) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count > 0 { data.append(contentsOf: buffer[0..<count]); continue }
            if count < 0 && errno == EINTR { continue }
            return data
        }
    }

    /// Writes all of `data`, stopping early if the reader went away.
    static func writeAll(_ data: Data, to descriptor: Int32) {
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < bytes.count {
                let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written > 0 { offset += written; continue }
                if written < 0 && errno == EINTR { continue }
                return
            }
        }
    }
}

/// Blocking descriptor work on a detached thread, with a bounded wait for its result.
final class DescriptorWork: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var data = Data()

    init(_ work: @escaping @Sendable () -> Data) {
        Thread.detachNewThread {
            self.data = work()
            self.done.signal()
        }
    }

    func result(within limit: TimeInterval) -> Data? {
        done.wait(timeout: .now() + limit) == .success ? data : nil
    }
}
