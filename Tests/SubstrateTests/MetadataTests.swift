import ExactJSON
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
        // Asset Hub Polkadot (statemint) and Kusama (statemine), before and after the migration:
        // counts from scalecodec (`Tests/referees/metadata_counts.py`, `countsAgreeWithScalecodec`).
        "statemint_1005001_v15.scale": (15, 28, 557),
        "statemint_1006000_v15.scale": (15, 28, 571),
        "statemint_2003001_v16.scale": (16, 60, 1131),
        "statemine_1007001_v15.scale": (15, 58, 1247),
        "statemine_2003000_v16.scale": (16, 62, 1210),
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

    /// The version, type and pallet counts of an Asset Hub runtime of each layout that differs
    /// (V15 and V16), as scalecodec reads them live (about 4 s of CPU a file: the other rows of
    /// `known` came from the same script, run once).
    @Test func countsAgreeWithScalecodec() async throws {
        let script = try String(contentsOf: ChainData.packageRoot.appendingPathComponent("Tests/referees/metadata_counts.py"), encoding: .utf8)
        let files = ["metadata/statemint_1005001_v15.scale", "metadata/statemint_2003001_v16.scale"]
        let output = try await PythonReferee.run(script, arguments: files.map { ChainData.url($0).path })
        let theirs = try JSON.parse(output)
        for path in files {
            let name = String(path.dropFirst("metadata/".count))
            let metadata = try ChainData.metadata(path)
            let counts = (theirs[name]?.arrayValue ?? []).compactMap { $0.uint64Value }
            #expect(counts == [UInt64(metadata.version), UInt64(metadata.types.count), UInt64(metadata.pallets.count)], "\(name)")
        }
    }
}

@Suite struct MetadataDetailsTests {
    /// Constants decoded from three metadata versions equal `metadata_constants_expected.json`.
    @Test func constantsMatchTheCorpus() throws {
        let expected = try JSON.parse(try ChainData.text("metadata_constants_expected.json"))
        guard case let .object(files) = expected else { Issue.record("not an object"); return }
        #expect(files.count == 3)
        for file in files {
            let metadata = try RuntimeMetadata.decode(try ChainData.bytes("metadata/\(file.key)"))
            guard case let .object(constants) = file.value else { continue }
            for constant in constants {
                let parts = constant.key.split(separator: ".").map(String.init)
                let found = try #require(metadata.constant(pallet: parts[0], name: parts[1]), "\(file.key) \(constant.key)")
                #expect(Hex.encode(found.value) == constant.value["raw"]?.stringValue, "\(file.key) \(constant.key) raw")
                let value = try #require(try metadata.constantValue(pallet: parts[0], name: parts[1]))
                switch constant.value["value"] {
                case let .number(text)?:
                    #expect(value.uint128.map { String($0) } == text, "\(file.key) \(constant.key)")
                case let .string(text)?:  // PalletId: the 8 bytes as ASCII
                    #expect(value.bytes.map { String(decoding: $0, as: UTF8.self) } == text, "\(file.key) \(constant.key)")
                default:
                    Issue.record("unexpected expected value for \(constant.key)")
                }
            }
        }
    }

    @Test func optionWrappedHexEqualsTheBareFile() throws {
        let wrapped = try ChainData.text("metadata/wrapped/polkadot_2003000_v16_option_wrapped.hex")
        let fromHex = try RuntimeMetadata.decode(hex: wrapped)
        let bare = try ChainData.metadata("metadata/polkadot_2003000_v16.scale")
        #expect(fromHex.version == 16)
        #expect(fromHex.types.count == bare.types.count)
        #expect(fromHex.pallets.map(\.name) == bare.pallets.map(\.name))
        // The wrapper: 0x01, Compact<u32> length 461165 (b6251c00), then the metadata.
        let bytes = try #require(Hex.decode(wrapped))
        #expect(Array(bytes[0..<5]) == [0x01, 0xB6, 0x25, 0x1C, 0x00])
        #expect(Array(bytes[5...]) == (try ChainData.bytes("metadata/polkadot_2003000_v16.scale")))
        // Vec<u8>-wrapped (OpaqueMetadata) form as well.
        let opaque = Array(bytes[1...])
        #expect(try RuntimeMetadata.decode(opaque).pallets.count == 61)
    }

    @Test func runtimeVersionAndPrefixComeFromConstants() throws {
        let polkadot = try ChainData.metadata("metadata/polkadot_1003003_v15.scale")
        #expect(polkadot.runtimeVersion?.specName == "polkadot")
        #expect(polkadot.runtimeVersion?.specVersion == 1_003_003)
        #expect(polkadot.ss58Prefix == 0)
        let kusama = try ChainData.metadata("metadata/kusama_1002000_v14.scale")
        #expect(kusama.runtimeVersion?.specName == "kusama")
        #expect(kusama.ss58Prefix == 2)
    }

    @Test func v16CarriesExtrinsicFormatsAndExtensionVersions() throws {
        let metadata = try ChainData.metadata("metadata/polkadot_2003000_v16.scale")
        #expect(metadata.extrinsic.versions.contains(4))
        #expect(metadata.extrinsic.versions.contains(5))
        let forVersion0 = try #require(metadata.extrinsic.extensions(forExtensionVersion: 0))
        #expect(forVersion0.map(\.identifier).contains("CheckNonce"))
        #expect(metadata.apis.contains { $0.name == "Core" && $0.version != nil })
        #expect(metadata.outerEnums.errorType != nil)
    }

    @Test func storageEntriesCarryHashersAndTypes() throws {
        let metadata = try ChainData.metadata("metadata/polkadot_1000001_v14.scale")
        let account = try #require(metadata.storageEntry(pallet: "System", item: "Account"))
        guard case let .map(hashers, _, _) = account.kind else { Issue.record("System.Account is not a map"); return }
        #expect(hashers == [.blake2_128Concat])
        #expect(account.modifier == .default)
        let issuance = try #require(metadata.storageEntry(pallet: "Balances", item: "TotalIssuance"))
        guard case let .plain(valueType) = issuance.kind else { Issue.record("TotalIssuance is not plain"); return }
        #expect(metadata.types[valueType]?.definition == .primitive(.u128))
    }

    @Test func unsupportedVersionIsATypedError() throws {
        // A V13 header: magic, version 13, anything after.
        #expect(throws: MetadataError.unsupportedVersion(13)) {
            try RuntimeMetadata.decode(Array("meta".utf8) + [13, 0, 0, 0])
        }
        #expect(throws: MetadataError.unsupportedVersion(9)) {
            try RuntimeMetadata.decode(Array("meta".utf8) + [9])
        }
        #expect(throws: MetadataError.missingMagic(found: Array("nope".utf8))) {
            try RuntimeMetadata.decode(Array("nope and more".utf8))
        }
        #expect(throws: MetadataError.notHex) { try RuntimeMetadata.decode(hex: "0xzz") }
        #expect(MetadataError.unsupportedVersion(13).description.contains("V13"))
    }

    @Test func trailingBytesAreRejected() throws {
        let bytes = try ChainData.bytes("metadata/polkadot_9110_v14.scale") + [0]
        do {
            _ = try RuntimeMetadata.decode(bytes)
            Issue.record("accepted trailing bytes")
        } catch let MetadataError.malformed(error) {
            #expect(error.reason == .trailingBytes(1))
            #expect(error.offset == bytes.count - 1)
        }
    }
}

/// Every constant and every storage default of every corpus runtime decodes with its declared
/// type, consuming exactly its bytes, and encodes back to the same bytes: thousands of real
/// values across V14, V15 and V16 type registries.
@Suite struct RegistryCoverageTests {
    @Test(arguments: ChainData.metadataFiles)
    func constantsAndStorageDefaultsRoundTrip(path: String) throws {
        let metadata = try ChainData.metadata(path)
        let decoder = ValueDecoder(registry: metadata.types)
        let encoder = ValueEncoder(registry: metadata.types)
        var checked = 0
        for pallet in metadata.pallets {
            for constant in pallet.constants {
                let value = try decoder.decode(constant.typeID, bytes: constant.value)
                #expect(try encoder.encode(value, as: constant.typeID) == constant.value, "\(path) \(pallet.name).\(constant.name)")
                checked += 1
            }
            for entry in pallet.storage?.entries ?? [] {
                switch entry.modifier {
                case .optional:
                    // An absent optional value reads as None.
                    #expect(entry.defaultValue == [0], "\(path) \(pallet.name).\(entry.name)")
                case .default:
                    let value = try decoder.decode(entry.valueType, bytes: entry.defaultValue)
                    #expect(try encoder.encode(value, as: entry.valueType) == entry.defaultValue, "\(path) \(pallet.name).\(entry.name)")
                }
                checked += 1
            }
        }
        // Asset Hub's pre-migration runtimes are small (28 pallets).
        #expect(checked > 150, "\(path): only \(checked) values")
    }
}
