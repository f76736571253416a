import ExactJSON
import ChainFixtures
import Foundation
import Substrate
import Testing

/// The `decode` command run as a user runs it: the real binary, real corpus files.
@Suite struct DecodeCommandTests {
    /// The relay-chain blocks and one Asset Hub block of each network (the others are decoded
    /// in process by `BlockDecodingTests`).
    static let folders = ChainData.blockFolders.filter { !$0.contains("asset-hub") } + ["blocks/asset-hub-kusama/11058340", "blocks/asset-hub-polkadot/9390789"]

    @Test(arguments: folders)
    func decodeBlockPrintsTheExpectedJSON(folder: String) async throws {
        let expected = try JSON.parse(try ChainData.text("\(folder)/expected.json"))
        let metadataFile = try #require(expected["metadata_file"]?.stringValue)
        var arguments = ["decode", "block", "--metadata", ChainData.url(metadataFile).path]
        if FileManager.default.fileExists(atPath: ChainData.url("\(folder)/block.json").path) {
            arguments += ["--block", ChainData.url("\(folder)/block.json").path]
        }
        if FileManager.default.fileExists(atPath: ChainData.url("\(folder)/events.hex").path) {
            arguments += ["--events", ChainData.url("\(folder)/events.hex").path]
        }
        let result = try await Executable.run("runtime-exporter", arguments)
        #expect(result.status == 0, "\(result.stderr)")
        var actual = try JSON.parse(result.stdout)
        // The command echoes the metadata path it was given; the corpus names it relative to its root.
        guard case var .object(members) = actual else { Issue.record("not an object"); return }
        for index in members.indices where members[index].key == "metadata_file" {
            #expect(members[index].value.stringValue == ChainData.url(metadataFile).path)
            members[index].value = .string(metadataFile)
        }
        // The corpus names Asset Hub's chains by their folders (`asset-hub-kusama`), the command by the runtime's spec name.
        for index in members.indices where members[index].key == "chain" && folder.contains("asset-hub") {
            #expect(members[index].value.stringValue == (folder.contains("kusama") ? "statemine" : "statemint"))
            members[index].value = expected["chain"] ?? .null
        }
        actual = .object(members)
        let difference = JSONDiff.firstDifference(actual, expected)
        #expect(difference == nil, "\(folder): \(difference ?? "")")
    }

    @Test func decodeMetadataSummarisesEveryVersion() async throws {
        for (file, version, pallets, types) in [
            ("polkadot_1000001_v14.scale", 14, 52, 787), ("polkadot_1005001_v15.scale", 15, 59, 990),
            ("kusama_2003000_v16.scale", 16, 63, 1116),
        ] {
            let result = try await Executable.run("runtime-exporter", ["decode", "metadata", ChainData.url("metadata/\(file)").path, "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            let summary = try JSON.parse(result.stdout)
            #expect(summary["metadata_version"] == .number(version))
            #expect(summary["pallet_count"] == .number(pallets))
            #expect(summary["type_count"] == .number(types))
            #expect(summary["pallets"]?.arrayValue?.count == pallets)
            let balances = summary["pallets"]?.arrayValue?.first { $0["name"]?.stringValue == "Balances" }
            #expect(balances?["storage"]?.uint64Value ?? 0 > 0)
            #expect(balances?["calls"]?.uint64Value ?? 0 > 0)
            #expect(balances?["events"]?.uint64Value ?? 0 > 0)
            #expect(balances?["constants"]?.uint64Value ?? 0 > 0)
        }
        let table = try await Executable.run("runtime-exporter", ["decode", "metadata", ChainData.url("metadata/polkadot_9110_v14.scale").path])
        #expect(table.status == 0)
        #expect(table.stdout.contains("metadata version  V14"))
        #expect(table.stdout.contains("spec              polkadot 9110"))
    }

    @Test func decodeMetadataReadsTheWrappedHexForm() async throws {
        let result = try await Executable.run("runtime-exporter", [
            "decode", "metadata", ChainData.url("metadata/wrapped/polkadot_2003000_v16_option_wrapped.hex").path, "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try JSON.parse(result.stdout)["spec_version"] == .number(2_003_000))
    }

    /// Unreadable input: exit code 2 and one line naming the file and the byte offset.
    @Test func badInputGivesOneLineAndExitCode2() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("decode-command-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let truncated = directory.appendingPathComponent("truncated.scale")
        try Data(try ChainData.bytes("metadata/polkadot_1000001_v14.scale").prefix(100_000)).write(to: truncated)
        let metadataFailure = try await Executable.run("runtime-exporter", ["decode", "metadata", truncated.path])
        #expect(metadataFailure.status == 2)
        #expect(metadataFailure.stderr.split(separator: "\n").count == 1)
        #expect(metadataFailure.stderr.contains(truncated.path))
        #expect(metadataFailure.stderr.contains("byte offset"))

        let v13 = directory.appendingPathComponent("v13.scale")
        try Data(Array("meta".utf8) + [13, 0]).write(to: v13)
        let versionFailure = try await Executable.run("runtime-exporter", ["decode", "metadata", v13.path])
        #expect(versionFailure.status == 2)
        #expect(versionFailure.stderr.contains("unsupported metadata version V13"))

        // A block whose second extrinsic lost its last byte.
        var block = try JSON.parse(try ChainData.text("blocks/polkadot/19772575/block.json"))
        guard case var .object(members) = block, let position = members.firstIndex(where: { $0.key == "extrinsics" }),
              case var .array(extrinsics) = members[position].value, case let .string(hex) = extrinsics[2]
        else { Issue.record("unexpected block shape"); return }
        extrinsics[2] = .string(String(hex.dropLast(2)))
        members[position].value = .array(extrinsics)
        block = .object(members)
        let badBlock = directory.appendingPathComponent("block.json")
        try Data(block.serialized().utf8).write(to: badBlock)
        let blockFailure = try await Executable.run("runtime-exporter", [
            "decode", "block", "--metadata", ChainData.url("metadata/polkadot_1001002_v14.scale").path, "--block", badBlock.path,
        ])
        #expect(blockFailure.status == 2)
        #expect(blockFailure.stderr.contains(badBlock.path))
        #expect(blockFailure.stderr.contains("extrinsic 2"))
        #expect(blockFailure.stderr.contains("byte offset"))

        let missing = try await Executable.run("runtime-exporter", ["decode", "metadata", directory.appendingPathComponent("nope").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read"))

        let notJSON = directory.appendingPathComponent("not.json")
        try Data("{\"header\": ".utf8).write(to: notJSON)
        let jsonFailure = try await Executable.run("runtime-exporter", [
            "decode", "block", "--metadata", ChainData.url("metadata/polkadot_1001002_v14.scale").path, "--block", notJSON.path,
        ])
        #expect(jsonFailure.status == 2)
        #expect(jsonFailure.stderr.contains("invalid JSON"))
    }
}
