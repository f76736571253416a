public import SCALE

/// Why runtime metadata could not be read.
public enum MetadataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Metadata versions below 14 have no portable type registry and cannot be decoded here.
    case unsupportedVersion(UInt8)
    /// The bytes do not start with the `meta` magic (after any Option/Vec wrapper was removed).
    case missingMagic(found: [UInt8])
    case notHex
    /// The SCALE bytes are malformed.
    case malformed(SCALEError)
    /// The type registry refers to types it does not define, or defines one twice.
    case invalidRegistry(String)
    /// The metadata lacks something every runtime has (e.g. the extrinsic's call type).
    case incomplete(String)

    public static let supportedVersions: ClosedRange<UInt8> = 14...16

    public var description: String {
        switch self {
        case let .unsupportedVersion(version):
            "unsupported metadata version V\(version) (supported: V14, V15, V16)"
        case let .missingMagic(found):
            "not runtime metadata: expected the magic 0x6d657461 (\"meta\"), found \(Hex.encode(found))"
        case .notHex:
            "not runtime metadata: the text is not a 0x-prefixed hex string"
        case let .malformed(error):
            "malformed metadata: \(error)"
        case let .invalidRegistry(detail):
            "invalid type registry: \(detail)"
        case let .incomplete(detail):
            "incomplete metadata: \(detail)"
        }
    }
}
