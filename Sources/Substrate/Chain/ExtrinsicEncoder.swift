import SCALE

/// Builds extrinsics in the formats `ExtrinsicDecoder` reads (v4 unsigned/signed, v5 bare/general),
/// from values typed by one runtime's metadata. Extensions are given by identifier and written in
/// the order the runtime declares them, so a caller cannot get the order wrong.
public struct ExtrinsicEncoder: Sendable {
    public let metadata: RuntimeMetadata
    private let values: ValueEncoder

    public init(metadata: RuntimeMetadata) {
        self.metadata = metadata
        values = ValueEncoder(registry: metadata.types)
    }

    public struct EncodingError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// An unsigned v4 (`0x04`) or bare v5 (`0x05`) extrinsic: inherents such as `Timestamp.set`.
    public func bare(call: Value, version: UInt8 = 4) throws(EncodingError) -> [UInt8] {
        guard version == 4 || version == 5 else { throw EncodingError(description: "no extrinsic format v\(version)") }
        return try assemble(prefix: [version], extensions: [], call: call)
    }

    /// A signed v4 extrinsic (`0x84`): address, signature, every transaction extension, call.
    public func signed(address: Value, signature: Value, extensions: [String: Value], call: Value) throws(EncodingError) -> [UInt8] {
        var prefix: [UInt8] = [0x84]
        prefix += try encode(address, as: metadata.extrinsic.addressType, what: "address")
        prefix += try encode(signature, as: metadata.extrinsic.signatureType, what: "signature")
        return try assemble(prefix: prefix, extensions: metadata.extrinsic.transactionExtensions, given: extensions, call: call)
    }

    /// A general v5 extrinsic (`0x45`): the extension version byte, then that version's extensions.
    public func general(extensionVersion: UInt8, extensions: [String: Value], call: Value) throws(EncodingError) -> [UInt8] {
        guard let chosen = metadata.extrinsic.extensions(forExtensionVersion: extensionVersion) else {
            throw EncodingError(description: "the runtime has no transaction extension version \(extensionVersion)")
        }
        return try assemble(prefix: [0x45, extensionVersion], extensions: chosen, given: extensions, call: call)
    }

    private func assemble(
        prefix: [UInt8], extensions: [TransactionExtensionMetadata], given: [String: Value] = [:], call: Value
    ) throws(EncodingError) -> [UInt8] {
        var body = prefix
        for item in extensions {
            if let value = given[item.identifier] {
                body += try encode(value, as: item.typeID, what: "extension \(item.identifier)")
            } else if !isEmpty(item.typeID) {
                throw EncodingError(description: "no value for transaction extension \(item.identifier)")
            }
        }
        let unknown = Set(given.keys).subtracting(extensions.map(\.identifier))
        guard unknown.isEmpty else {
            throw EncodingError(description: "the runtime has no transaction extension \(unknown.sorted().joined(separator: ", "))")
        }
        body += try encode(call, as: metadata.extrinsic.callType, what: "call")
        var encoder = SCALEEncoder()
        encoder.encodeByteVector(body)
        return encoder.bytes
    }

    /// Extensions that carry no data (`CheckSpecVersion`, `CheckGenesis`…) may be left out.
    private func isEmpty(_ typeID: UInt32) -> Bool {
        guard let position = metadata.types.position(of: typeID) else { return false }
        return metadata.types.table.nodes[position].fixedSize == 0
    }

    private func encode(_ value: Value, as typeID: UInt32, what: String) throws(EncodingError) -> [UInt8] {
        do {
            return try values.encode(value, as: typeID)
        } catch {
            throw EncodingError(description: "\(what): \(error)")
        }
    }
}
