public import Foundation

/// Runs one of the package's built executables (they sit beside the test bundle) as a user would.
public enum Executable {
    public static func url(_ name: String) -> URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return ChainData.packageRoot.appendingPathComponent(".build/debug/\(name)")
    }

    public static func run(_ name: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> ChildProcess.Result {
        try await ChildProcess.run(url(name).path, arguments, environment: environment)
    }
}
