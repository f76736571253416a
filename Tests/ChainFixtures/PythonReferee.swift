import Foundation

/// Runs a Python snippet with an independent implementation (hashlib, xxhash, scalecodec,
/// substrate-interface) and returns what it prints, so tests check our results against a peer
/// rather than against numbers we wrote down ourselves.
public enum PythonReferee {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func run(_ script: String, input: String = "", arguments: [String] = []) async throws -> String {
        let result = try await ChildProcess.run("python3", ["-c", script] + arguments, input: Data(input.utf8))
        guard result.status == 0 else {
            throw Failure(description: "python3 failed (\(result.status)): \(result.stderr)")
        }
        return result.stdout
    }
}
