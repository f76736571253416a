public import SCALE

/// A failure to decode a piece of a block: what was being decoded, and the SCALE error
/// (with the byte offset within that piece).
public struct ChainDecodingError: Error, Sendable, CustomStringConvertible {
    /// E.g. `"extrinsic 2"`, `"System.Events record 14"`.
    public let context: String
    public let error: SCALEError

    public init(_ context: String, _ error: SCALEError) {
        self.context = context
        self.error = error
    }

    public var description: String { "\(context): \(error)" }
}
