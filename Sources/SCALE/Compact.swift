// SCALE compact integers: the low two bits of the first byte pick the mode.
//   0b00  one byte,   value in the upper 6 bits        (0 ..< 2^6)
//   0b01  two bytes,  value in the upper 14 bits       (2^6 ..< 2^14)
//   0b10  four bytes, value in the upper 30 bits       (2^14 ..< 2^30)
//   0b11  big-integer mode: upper 6 bits + 4 = byte count (4…67), then the value LE
// Only the shortest encoding is accepted, as parity-scale-codec does.

extension SCALEDecoder {
    /// Reads a compact integer into `T` (up to `UInt128`), rejecting values that do not fit.
    @inlinable
    public mutating func decodeCompact<T: FixedWidthInteger & UnsignedInteger>(
        _: T.Type = T.self
    ) throws(SCALEError) -> T {
        let start = position
        let wide = try decodeCompactUInt128()
        guard let value = T(exactly: wide) else {
            throw error(.invalidCompact("\(wide) does not fit in \(T.bitWidth) bits"), at: start)
        }
        return value
    }

    @inlinable
    public mutating func decodeCompactUInt128() throws(SCALEError) -> UInt128 {
        let start = position
        let first = try readByte()
        switch first & 0b11 {
        case 0b00:
            return UInt128(first >> 2)
        case 0b01:
            seek(to: start)
            let value = try decode(UInt16.self) >> 2
            guard value >= 1 << 6 else { throw error(.invalidCompact("non-canonical two-byte form"), at: start) }
            return UInt128(value)
        case 0b10:
            seek(to: start)
            let value = try decode(UInt32.self) >> 2
            guard value >= 1 << 14 else { throw error(.invalidCompact("non-canonical four-byte form"), at: start) }
            return UInt128(value)
        default:
            let count = Int(first >> 2) + 4
            guard count <= 16 else {
                throw error(.invalidCompact("\(count)-byte value is wider than 128 bits"), at: start)
            }
            var value: UInt128 = 0
            for index in 0..<count {
                value |= UInt128(try readByte()) << (8 * index)
            }
            // Shortest form: the top byte is not zero, and values below 2^30 use the smaller modes.
            guard value >> (8 * (count - 1)) != 0, value >= 1 << 30 else {
                throw error(.invalidCompact("non-canonical big-integer form"), at: start)
            }
            return value
        }
    }
}

extension SCALEEncoder {
    public mutating func encodeCompact<T: FixedWidthInteger & UnsignedInteger>(_ value: T) {
        encodeCompact(UInt128(value))
    }

    public mutating func encodeCompact(_ value: UInt128) {
        switch value {
        case 0..<(1 << 6):
            append(UInt8(value) << 2)
        case (1 << 6)..<(1 << 14):
            encode(UInt16(value) << 2 | 0b01)
        case (1 << 14)..<(1 << 30):
            encode(UInt32(value) << 2 | 0b10)
        default:
            let byteCount = (128 - value.leadingZeroBitCount + 7) / 8
            append(UInt8(byteCount - 4) << 2 | 0b11)
            for index in 0..<byteCount { append(UInt8(truncatingIfNeeded: value >> (8 * index))) }
        }
    }
}
