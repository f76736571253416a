/// A failure to read SCALE bytes, always with the byte offset where it happened.
///
/// `offset` is absolute within the buffer the decoder was created over (plus the
/// decoder's `baseOffset`), so an error can name the exact byte in the input file.
public struct SCALEError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        /// Needed `needed` more bytes, only `available` were left.
        case unexpectedEnd(needed: Int, available: Int)
        case invalidBool(UInt8)
        case invalidOptionTag(UInt8)
        case invalidResultTag(UInt8)
        /// A compact integer that is not in its shortest form, or too wide for its target.
        case invalidCompact(String)
        case invalidUTF8
        case invalidChar(UInt32)
        /// A length prefix that cannot be right for the bytes that follow it.
        case lengthTooLarge(UInt64)
        /// A value that does not fit the integer type it is read into.
        case valueOutOfRange(String)
        /// Bytes left over after a value that should have consumed the whole input.
        case trailingBytes(Int)
        /// Anything else a higher layer finds wrong at this offset (unknown variant, bad type id, …).
        case invalid(String)
    }

    public var reason: Reason
    public var offset: Int

    public init(_ reason: Reason, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String {
        let what: String
        switch reason {
        case let .unexpectedEnd(needed, available):
            what = "unexpected end of input: needed \(needed) byte(s), \(available) left"
        case let .invalidBool(byte): what = "invalid bool byte 0x\(Hex.byte(byte))"
        case let .invalidOptionTag(byte): what = "invalid Option tag 0x\(Hex.byte(byte))"
        case let .invalidResultTag(byte): what = "invalid Result tag 0x\(Hex.byte(byte))"
        case let .invalidCompact(detail): what = "invalid compact integer: \(detail)"
        case .invalidUTF8: what = "string is not valid UTF-8"
        case let .invalidChar(scalar): what = "invalid char U+\(String(scalar, radix: 16, uppercase: true))"
        case let .lengthTooLarge(length): what = "length \(length) is larger than the remaining input allows"
        case let .valueOutOfRange(detail): what = "value out of range: \(detail)"
        case let .trailingBytes(count): what = "\(count) byte(s) left over after the value"
        case let .invalid(detail): what = detail
        }
        return "\(what) (at byte offset \(offset))"
    }
}
