import ChainFixtures
import ExactJSON
import SCALE
import Substrate
import Testing

/// V15 metadata rewritten as V14 (what `state_getMetadata` serves for a V15 runtime) describes
/// the same runtime: same types, pallets, storage, constants and extrinsic; and an independent
/// reader (scalecodec) reads it.
@Suite struct MetadataDowngradeTests {
    static let v15Files = ChainData.metadataFiles.filter { $0.hasSuffix("_v15.scale") }

    @Test(arguments: v15Files)
    func v14FormDescribesTheSameRuntime(path: String) async throws {
        let v15Bytes = try ChainData.bytes(path)
        let v15 = try RuntimeMetadata.decode(v15Bytes)
        let v14Bytes = try RuntimeMetadata.v14Bytes(fromV15: v15Bytes)
        let v14 = try RuntimeMetadata.decode(v14Bytes)
        #expect(v14.version == 14)
        #expect(v14.types.types == v15.types.types)
        #expect(Self.fingerprint(v14) == Self.fingerprint(v15), "\(path)")
        #expect(v14.extrinsic.callType == v15.extrinsic.callType && v14.extrinsic.addressType == v15.extrinsic.addressType)
        #expect(v14.extrinsic.signatureType == v15.extrinsic.signatureType)
        #expect(v14.extrinsic.transactionExtensions.map(\.identifier) == v15.extrinsic.transactionExtensions.map(\.identifier))
        // What V15 alone carries is gone.
        #expect(v14.apis.isEmpty && !v15.apis.isEmpty)

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
        #expect(theirs["types"]?.uint64Value == UInt64(v15.types.types.count))
        let pallets = try #require(theirs["pallets"]?.arrayValue)
        #expect(pallets.map { $0.arrayValue?.first?.stringValue ?? "" } == v15.pallets.map(\.name))
        #expect(pallets.map { $0.arrayValue?.last?.uint64Value ?? 999 } == v15.pallets.map { UInt64($0.index) })
    }

    @Test func onlyV15IsRewritten() throws {
        #expect(throws: MetadataError.unsupportedVersion(14)) {
            try RuntimeMetadata.v14Bytes(fromV15: try ChainData.bytes("metadata/polkadot_1003000_v14.scale"))
        }
        let cut = Array(try ChainData.bytes("metadata/polkadot_2000000_v15.scale").dropLast(9))
        #expect(throws: MetadataError.self) { try RuntimeMetadata.v14Bytes(fromV15: cut) }
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
