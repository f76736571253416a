public import Foundation
public import Substrate

/// Locates the chain-data corpus (`../shared/chaindata` beside the package) for tests and tools.
/// `RUNTIME_EXPORTER_CHAINDATA` overrides the location.
public enum ChainData {
    public static let root: URL = {
        if let override = ProcessInfo.processInfo.environment["RUNTIME_EXPORTER_CHAINDATA"] {
            return URL(fileURLWithPath: override)
        }
        // …/Tests/ChainFixtures/Fixtures.swift → package root → ../shared/chaindata
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/chaindata")
    }()

    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static func url(_ relativePath: String) -> URL {
        root.appendingPathComponent(relativePath)
    }

    public static func bytes(_ relativePath: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url(relativePath)))
    }

    public static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: url(relativePath), encoding: .utf8)
    }

    /// A corpus metadata file, decoded once per test process: dozens of tests read the same
    /// runtimes, and decoding a large one takes a core a good second in a debug build.
    public static func metadata(_ relativePath: String) throws -> RuntimeMetadata {
        if let decoded = decodedMetadata.withLock({ $0[relativePath] }) { return decoded }
        let decoded = try RuntimeMetadata.decode(try bytes(relativePath))
        decodedMetadata.withLock { $0[relativePath] = decoded }
        return decoded
    }

    private static let decodedMetadata = LockedDictionary()

    private final class LockedDictionary: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [String: RuntimeMetadata] = [:]

        func withLock<T>(_ body: (inout [String: RuntimeMetadata]) -> T) -> T {
            lock.withLock { body(&values) }
        }
    }

    public static func json(_ relativePath: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url(relativePath)), options: [.fragmentsAllowed])
    }

    /// `metadata/*.scale`, sorted.
    public static var metadataFiles: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url("metadata").path)) ?? []
        return names.filter { $0.hasSuffix(".scale") }.sorted().map { "metadata/\($0)" }
    }

    /// Block folders of every chain (`blocks/polkadot/*`, `blocks/asset-hub-polkadot/*`…) that
    /// hold an `expected.json`, sorted.
    public static var blockFolders: [String] {
        let chains = ((try? FileManager.default.contentsOfDirectory(atPath: url("blocks").path)) ?? []).sorted()
        return chains.flatMap { chain in
            (((try? FileManager.default.contentsOfDirectory(atPath: url("blocks/\(chain)").path)) ?? []).sorted()).map { "blocks/\(chain)/\($0)" }
        }.filter { FileManager.default.fileExists(atPath: url("\($0)/expected.json").path) }
    }
}
