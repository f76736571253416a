import ChainFixtures
import Foundation
import SCALE
import Substrate
import Testing

@Suite struct MetadataTests {
    /// spec_name, spec, version, pallets, types from the corpus README's table.
    static let known: [String: (version: UInt8, pallets: Int, types: Int)] = [
        "polkadot_9110_v14.scale": (14, 46, 580),
        "polkadot_9300_v14.scale": (14, 53, 736),
        "polkadot_1000001_v14.scale": (14, 52, 787),
        "polkadot_1001002_v14.scale": (14, 56, 815),
        "polkadot_1002000_v14.scale": (14, 57, 868),
        "polkadot_1003000_v14.scale": (14, 58, 841),
        "polkadot_1003003_v15.scale": (15, 59, 968),
        "polkadot_1005001_v15.scale": (15, 59, 990),
        "polkadot_2000000_v15.scale": (15, 61, 1081),
        "polkadot_2003000_v16.scale": (16, 61, 1051),
        "kusama_1002000_v14.scale": (14, 65, 969),
        "kusama_2003000_v16.scale": (16, 63, 1116),
    ]

    @Test func corpusHasEveryKnownFile() {
        #expect(Set(ChainData.metadataFiles.map { String($0.dropFirst("metadata/".count)) }) == Set(Self.known.keys))
    }

    @Test(arguments: ChainData.metadataFiles)
    func decodesEveryMetadataFileCompletely(path: String) throws {
        let name = String(path.dropFirst("metadata/".count))
        let metadata = try RuntimeMetadata.decode(try ChainData.bytes(path))
        let expected = try #require(Self.known[name])
        #expect(metadata.version == expected.version)
        #expect(metadata.pallets.count == expected.pallets)
        #expect(metadata.types.count == expected.types)
    }
}
