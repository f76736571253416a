import ChainFixtures
import SCALE
import Substrate
import Testing

/// No corpus block carries a v5 extrinsic, so these build ones from the V16 runtime's own
/// types: a bare `Timestamp.set` and a general `Balances.transfer_keep_alive`.
@Suite struct ExtrinsicV5Tests {
    let metadata: RuntimeMetadata
    let encoder: ValueEncoder

    init() throws {
        metadata = try ChainData.metadata("metadata/polkadot_2003000_v16.scale")
        encoder = ValueEncoder(registry: metadata.types)
    }

    private func call(_ pallet: String, _ name: String, _ arguments: [Value.NamedValue]) throws -> [UInt8] {
        try encoder.encode(try metadata.callValue(pallet: pallet, call: name, arguments: arguments), as: metadata.extrinsic.callType)
    }

    private func withLength(_ body: [UInt8]) -> [UInt8] {
        var encoder = SCALEEncoder()
        encoder.encodeByteVector(body)
        return encoder.bytes
    }

    @Test func bareV5Extrinsic() throws {
        let bytes = withLength([0x05] + (try call("Timestamp", "set", [.init(name: "now", value: .init(.compact(.u64(1_700_000_000_000))))])))
        let extrinsic = try ExtrinsicDecoder(metadata: metadata).decode(bytes)
        #expect(extrinsic.version == 5 && extrinsic.kind == .bare)
        #expect(extrinsic.call.pallet == "Timestamp" && extrinsic.call.name == "set")
        #expect(extrinsic.call.argument("now")?.uint64 == 1_700_000_000_000)
    }

    @Test func generalV5ExtrinsicWithExtensionVersion0() throws {
        let extensions = try #require(metadata.extrinsic.extensions(forExtensionVersion: 0))
        var extensionBytes = [UInt8]()
        for item in extensions {
            extensionBytes += try encoder.encode(try metadata.types.defaultValue(of: item.typeID), as: item.typeID)
        }
        let dest = Value.variant("Id", index: 0, [.init(name: nil, value: .bytes([UInt8](repeating: 9, count: 32)))])
        let callBytes = try call("Balances", "transfer_keep_alive", [
            .init(name: "dest", value: dest), .init(name: "value", value: .init(.compact(.u128(12_345)))),
        ])
        let bytes = withLength([0x45, 0x00] + extensionBytes + callBytes)
        let extrinsic = try ExtrinsicDecoder(metadata: metadata).decode(bytes)
        #expect(extrinsic.version == 5 && extrinsic.kind == .general(extensionVersion: 0))
        #expect(extrinsic.extensions.map(\.identifier) == extensions.map(\.identifier))
        #expect(extrinsic.call.name == "transfer_keep_alive" && extrinsic.call.argument("value")?.uint128 == 12_345)
        #expect(!extrinsic.isSigned)

        // An extension version the runtime does not define is an error, not a guess.
        let unknown = withLength([0x45, 0x7F] + extensionBytes + callBytes)
        #expect(throws: SCALEError.self) { try ExtrinsicDecoder(metadata: metadata).decode(unknown) }
    }
}
