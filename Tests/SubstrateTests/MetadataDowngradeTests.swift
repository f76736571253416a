import ChainFixtures
import ExactJSON
import SCALE
import Substrate
import Testing

/// V15 and V16 metadata rewritten as V14 (what `state_getMetadata` serves for such a runtime)
/// describe the same runtime: same types, pallets, storage, constants and extrinsic; and an
/// independent reader (scalecodec) reads it.
@Suite(.serialized) struct MetadataDowngradeTests {
    static let newerFiles = ChainData.metadataFiles.filter { $0.hasSuffix("_v15.scale") || $0.hasSuffix("_v16.scale") }
    static let refereed: Set<String> = [
        "metadata/polkadot_2000000_v15.scale", "metadata/polkadot_2003000_v16.scale", "metadata/statemint_1006000_v15.scale", "metadata/statemint_2003001_v16.scale",
    ]

    @Test(arguments: newerFiles)
    func v14FormDescribesTheSameRuntime(path: String) async throws {
        let newerBytes = try ChainData.bytes(path)
        let newer = try RuntimeMetadata.decode(newerBytes)
        let v14Bytes = newer.version == 16 ? try RuntimeMetadata.v14Bytes(fromV16: newerBytes) : try RuntimeMetadata.v14Bytes(fromV15: newerBytes)
        let v14 = try RuntimeMetadata.decode(v14Bytes)
        #expect(v14.version == 14)
        #expect(v14.types.types == newer.types.types)
        #expect(Self.fingerprint(v14) == Self.fingerprint(newer), "\(path)")
        #expect(v14.extrinsic.callType == newer.extrinsic.callType && v14.extrinsic.addressType == newer.extrinsic.addressType)
        #expect(v14.extrinsic.signatureType == newer.extrinsic.signatureType)
        #expect(v14.extrinsic.transactionExtensions.map(\.identifier) == newer.extrinsic.transactionExtensions.map(\.identifier))
        // What only the newer version carries is gone.
        #expect(v14.apis.isEmpty && !newer.apis.isEmpty)
        // scalecodec (seconds of CPU a file) reads one file of each version and kind of chain.
        guard Self.refereed.contains(path) else { return }

        let script = """
            import json, sys
            from scalecodec.base import ScaleBytes, RuntimeConfigurationObject
            from scalecodec.type_registry import load_type_registry_preset
            config = RuntimeConfigurationObject()
            config.update_type_registry(load_type_registry_preset("core"))
            metadata = config.create_scale_object("MetadataVersioned", data=ScaleBytes(bytes.fromhex(sys.stdin.read())))
            metadata.decode()
            v14 = metadata.value[1]["V14"]
            print(json.dumps({"types": len(v14["types"]["types"]), "pallets": [[p["name"], p["index"]] for p in v14["pallets"]]}))
            """
        let output = try await PythonReferee.run(script, input: Hex.encode(v14Bytes, prefix: false))
        let theirs = try JSON.parse(output)
        #expect(theirs["types"]?.uint64Value == UInt64(newer.types.types.count))
        let pallets = try #require(theirs["pallets"]?.arrayValue)
        #expect(pallets.map { $0.arrayValue?.first?.stringValue ?? "" } == newer.pallets.map(\.name))
        #expect(pallets.map { $0.arrayValue?.last?.uint64Value ?? 999 } == newer.pallets.map { UInt64($0.index) })
    }

    @Test func onlyV15IsRewritten() throws {
        #expect(throws: MetadataError.unsupportedVersion(14)) {
            try RuntimeMetadata.v14Bytes(fromV15: try ChainData.bytes("metadata/polkadot_1003000_v14.scale"))
        }
        let cut = Array(try ChainData.bytes("metadata/polkadot_2000000_v15.scale").dropLast(9))
        #expect(throws: MetadataError.self) { try RuntimeMetadata.v14Bytes(fromV15: cut) }
        #expect(throws: MetadataError.unsupportedVersion(15)) {
            try RuntimeMetadata.v14Bytes(fromV16: try ChainData.bytes("metadata/polkadot_2000000_v15.scale"))
        }
    }

    /// Everything a pallet declares, as comparable text.
    static func fingerprint(_ metadata: RuntimeMetadata) -> [String] {
        metadata.pallets.map { pallet in
            let storage = (pallet.storage?.entries ?? []).map { entry in
                "\(entry.name) \(entry.modifier) \(entry.kind) \(Hex.encode(entry.defaultValue))"
            }
            let constants = pallet.constants.map { "\($0.name) \($0.typeID) \(Hex.encode($0.value))" }
            return "\(pallet.name) \(pallet.index) \(String(describing: pallet.callType)) \(String(describing: pallet.eventType)) "
                + "\(String(describing: pallet.errorType)) [\(storage.joined(separator: "; "))] [\(constants.joined(separator: "; "))]"
        }
    }
}
