import ChainFixtures
import ExactJSON
@testable import Exporter
import Foundation
import SCALE
import Substrate
import Testing

/// Parachains named from the table of the `parachain_info` definition, by relay chain, and a
/// table of one's own taking the shipped one's place.
@Suite struct ParachainNamesTests {
    /// The live parachains (`Paras.Parachains` as a block stores it) with their names on the
    /// relay chain the runtime is; an unlisted one is named by its id.
    @Test(arguments: [("metadata/polkadot_2003000_v16.scale", ["2000": "Acala", "2034": "Hydration"]), ("metadata/kusama_2003000_v16.scale", ["2000": "Karura", "2034": "2034"])])
    func liveParachainsAreNamedForTheirRelayChain(path: String, expected: [String: String]) throws {
        let metadata = try ChainData.metadata(path)
        let definition = try #require(try DefinitionTests.shipped().first { $0.name == "parachain_info" })
        guard case let .collector(name, _, options) = definition.source, case let .bound(collector) = try #require(CollectorCatalog.spec(named: name)).bind(metadata, options: options) else {
            Issue.record("parachain_names does not bind to \(path)"); return
        }
        let storage = CollectorStorage(collector: "test", metadata: metadata)
        let key = try storage.key("Paras", "Parachains")
        let listType = try #require(metadata.storageEntry(pallet: "Paras", item: "Parachains")?.valueType)
        let stored = try ValueEncoder(registry: metadata.types).encode(try ValueJSONReader(registry: metadata.types).read(.array([.number(2000), .number(2034)]), as: listType), as: listType)
        let block = BlockContext(
            number: 1, metadata: metadata, tokenDecimals: 10, timestampMilliseconds: nil, parentTimestampMilliseconds: nil, extrinsics: [], events: [], storage: [key: stored])
        #expect(collector.storageKeys == [key])
        let named = Dictionary(uniqueKeysWithValues: try collector.collect(block).map { sample in
            (sample.labels.first { $0.name == "para_id" }?.value ?? "", sample.labels.first { $0.name == "name" }?.value ?? "")
        })
        #expect(named == expected, "\(path)")
        let samples = try BoundCollector.samples(try collector.collect(block), for: [definition], tokenDecimals: 10)
        #expect(samples.count == 2 && samples.allSatisfy { $0.value.integer == 1 && Set($0.labels.map(\.name)) == ["para_id", "name"] }, "\(samples)")
    }

    /// A `parachain_info` of one's own replaces the shipped one; two of one's own by one name
    /// are still a mistake naming both places.
    @Test func aDefinitionOfOnesOwnReplacesTheShippedOne() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("names-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let own = """
        - name: parachain_info
          help: Parachains by the names we use.
          type: gauge
          labels: [para_id, name]
          source: {collector: parachain_names, names: {polkadot: {2034: HydraDX}}}
        """
        try own.write(to: directory.appendingPathComponent("names.yaml"), atomically: true, encoding: .utf8)
        let shipped = try #require(DefinitionLoader.shippedDirectory)
        let loaded = try DefinitionLoader.load(directories: [shipped, directory])
        #expect(loaded.count == DefinitionTests.shippedCount)
        let info = try #require(loaded.first { $0.name == "parachain_info" })
        #expect(info.origin.hasPrefix(directory.appendingPathComponent("names.yaml").path))
        #expect(info.source == .collector(name: "parachain_names", value: "info", options: .object(["names": .object(["polkadot": .object(["2034": .string("HydraDX")])])])))

        try own.write(to: directory.appendingPathComponent("again.yaml"), atomically: true, encoding: .utf8)
        #expect(throws: DefinitionError.self) { try DefinitionLoader.load(directories: [shipped, directory]) }
    }
}
