public import BigInt

// u256 and i256 are rare on Substrate chains (EVM-compatible ones use them), so they go
// through BigInt; everything up to 128 bits stays in native fixed-width integers.

extension SCALEDecoder {
    public mutating func decodeUInt256() throws(SCALEError) -> BigUInt {
        let raw = try readBytes(32)
        return BigUInt(words: Self.words(fromLittleEndian: raw))
    }

    /// Two's complement, little endian.
    public mutating func decodeInt256() throws(SCALEError) -> BigInt {
        let raw = try readBytes(32)
        let magnitude = BigUInt(words: Self.words(fromLittleEndian: raw))
        if raw[31] & 0x80 == 0 { return BigInt(magnitude) }
        return BigInt(magnitude) - (BigInt(1) << 256)
    }

    private static func words(fromLittleEndian raw: [UInt8]) -> [UInt] {
        let wordSize = UInt.bitWidth / 8
        return stride(from: 0, to: raw.count, by: wordSize).map { start in
            var word: UInt = 0
            for index in 0..<wordSize { word |= UInt(raw[start + index]) << (8 * index) }
            return word
        }
    }
}

extension SCALEEncoder {
    /// Encodes `value` as 32 little-endian bytes; returns false (and writes nothing) if it does not fit.
    @discardableResult
    public mutating func encodeUInt256(_ value: BigUInt) -> Bool {
        guard value.bitWidth <= 256 else { return false }
        append(contentsOf: Self.littleEndian(value, byteCount: 32))
        return true
    }

    @discardableResult
    public mutating func encodeInt256(_ value: BigInt) -> Bool {
        let limit = BigInt(1) << 255
        guard value >= -limit, value < limit else { return false }
        let twosComplement = value.sign == .minus ? (BigInt(1) << 256) + value : value
        append(contentsOf: Self.littleEndian(twosComplement.magnitude, byteCount: 32))
        return true
    }

    private static func littleEndian(_ value: BigUInt, byteCount: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: byteCount)
        for (wordIndex, word) in value.words.enumerated() {
            for byteIndex in 0..<(UInt.bitWidth / 8) {
                let position = wordIndex * (UInt.bitWidth / 8) + byteIndex
                if position < byteCount { out[position] = UInt8(truncatingIfNeeded: word >> (8 * byteIndex)) }
            }
        }
        return out
    }
}
