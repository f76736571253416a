public import SCALE

/// A block header as the node's `chain_getHeader` gives it, with its hash computed the way the
/// chain does: blake2b-256 of the SCALE-encoded header.
public struct BlockHeader: Sendable, Hashable {
    public var parentHash: [UInt8]
    public var number: UInt64
    public var stateRoot: [UInt8]
    public var extrinsicsRoot: [UInt8]
    public var digest: [DigestItem]

    public init(parentHash: [UInt8], number: UInt64, stateRoot: [UInt8], extrinsicsRoot: [UInt8], digest: [DigestItem]) {
        self.parentHash = parentHash
        self.number = number
        self.stateRoot = stateRoot
        self.extrinsicsRoot = extrinsicsRoot
        self.digest = digest
    }

    /// `parent_hash ‖ Compact<number> ‖ state_root ‖ extrinsics_root ‖ Vec<DigestItem>`.
    public var encoded: [UInt8] {
        var encoder = SCALEEncoder()
        encoder.append(contentsOf: parentHash)
        encoder.encodeCompact(number)
        encoder.append(contentsOf: stateRoot)
        encoder.append(contentsOf: extrinsicsRoot)
        encoder.encodeLength(digest.count)
        for item in digest { item.encode(into: &encoder) }
        return encoder.bytes
    }

    public var hash: [UInt8] { Blake2b.hash256(encoded) }

    public static func decode(_ bytes: [UInt8]) throws(SCALEError) -> BlockHeader {
        var decoder = SCALEDecoder(bytes)
        let parent = try decoder.readBytes(32)
        let number = try decoder.decodeCompact(UInt64.self)
        let state = try decoder.readBytes(32)
        let extrinsics = try decoder.readBytes(32)
        let digest = try decoder.decodeVector { (d: inout SCALEDecoder) throws(SCALEError) in try DigestItem.decode(from: &d) }
        try decoder.expectEnd()
        return BlockHeader(parentHash: parent, number: number, stateRoot: state, extrinsicsRoot: extrinsics, digest: digest)
    }
}

/// `sp_runtime::generic::DigestItem`.
public enum DigestItem: Sendable, Hashable {
    case preRuntime(engine: [UInt8], data: [UInt8])
    case consensus(engine: [UInt8], data: [UInt8])
    case seal(engine: [UInt8], data: [UInt8])
    case other([UInt8])
    case runtimeEnvironmentUpdated

    public var index: UInt8 {
        switch self {
        case .other: 0
        case .consensus: 4
        case .seal: 5
        case .preRuntime: 6
        case .runtimeEnvironmentUpdated: 8
        }
    }

    public func encode(into encoder: inout SCALEEncoder) {
        encoder.append(index)
        switch self {
        case let .preRuntime(engine, data), let .consensus(engine, data), let .seal(engine, data):
            encoder.append(contentsOf: engine)
            encoder.encodeByteVector(data)
        case let .other(data):
            encoder.encodeByteVector(data)
        case .runtimeEnvironmentUpdated:
            break
        }
    }

    public static func decode(from decoder: inout SCALEDecoder) throws(SCALEError) -> DigestItem {
        let start = decoder.position
        switch try decoder.readByte() {
        case 0: return .other(try decoder.decodeByteVector())
        case 4: return .consensus(engine: try decoder.readBytes(4), data: try decoder.decodeByteVector())
        case 5: return .seal(engine: try decoder.readBytes(4), data: try decoder.decodeByteVector())
        case 6: return .preRuntime(engine: try decoder.readBytes(4), data: try decoder.decodeByteVector())
        case 8: return .runtimeEnvironmentUpdated
        case let tag: throw decoder.error(.invalid("unknown digest item \(tag)"), at: start)
        }
    }
}
