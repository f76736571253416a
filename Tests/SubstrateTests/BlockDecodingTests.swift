import ExactJSON
import ChainFixtures
import Foundation
import SCALE
import Substrate
import Testing

@Suite struct BlockDecodingTests {
    /// Every block folder of the corpus decodes to JSON equal to its `expected.json`, field by field.
    @Test(arguments: ChainData.blockFolders)
    func blockMatchesExpectedJSON(folder: String) throws {
        let expected = try JSON.parse(try ChainData.text("\(folder)/expected.json"))
        let metadataFile = try #require(expected["metadata_file"]?.stringValue)
        let metadata = try ChainData.metadata(metadataFile)

        let fm = FileManager.default
        let blockJSON = fm.fileExists(atPath: ChainData.url("\(folder)/block.json").path)
            ? try JSON.parse(try ChainData.text("\(folder)/block.json")) : nil
        var events: [UInt8]?
        if fm.fileExists(atPath: ChainData.url("\(folder)/events.hex").path) {
            let text = try ChainData.text("\(folder)/events.hex")
            guard let bytes = Hex.decode(text) else { Issue.record("\(folder)/events.hex is not hex"); return }
            events = bytes
        }

        let block = try DecodedBlock.decode(blockJSON: blockJSON, eventsBytes: events, metadata: metadata)
        var actual = block.json(metadata: metadata, metadataFile: metadataFile, ss58Prefix: metadata.ss58Prefix ?? 42)
        // The corpus names Asset Hub's chains by their folders (`asset-hub-polkadot`), the runtime by its spec (`statemint`).
        if folder.contains("asset-hub"), case var .object(members) = actual, let index = members.firstIndex(where: { $0.key == "chain" }) {
            #expect(members[index].value.stringValue == (folder.contains("kusama") ? "statemine" : "statemint"))
            members[index] = JSON.Member("chain", expected["chain"] ?? .null)
            actual = .object(members)
        }
        let difference = JSONDiff.firstDifference(actual, expected)
        #expect(difference == nil, "\(folder): \(difference ?? "")")
    }
}
