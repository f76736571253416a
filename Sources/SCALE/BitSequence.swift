/// A `BitVec<Store, Order>` from the `bitvec` crate, as SCALE encodes it: a `Compact<u32>`
/// bit count, then just enough `Store` words (little endian) to hold the bits.
public struct BitSequence: Hashable, Sendable {
    public enum Store: Int, Sendable, CaseIterable {
        case u8 = 8, u16 = 16, u32 = 32, u64 = 64
        var byteCount: Int { rawValue / 8 }
    }

    /// `Lsb0`: bit 0 is the least significant bit of the first word; `Msb0`: the most significant.
    public enum Order: Sendable, CaseIterable {
        case lsb0, msb0
    }

    public var bits: [Bool]

    public init(bits: [Bool]) { self.bits = bits }

    /// `"0110…"`, bit 0 first.
    public var binaryString: String {
        String(decoding: bits.map { $0 ? UInt8(ascii: "1") : UInt8(ascii: "0") }, as: UTF8.self)
    }
}

extension SCALEDecoder {
    public mutating func decodeBitSequence(
        store: BitSequence.Store, order: BitSequence.Order
    ) throws(SCALEError) -> BitSequence {
        let start = position
        let bitCount = try decodeCompact(UInt32.self)
        let wordBits = store.rawValue
        let wordCount = (Int(bitCount) + wordBits - 1) / wordBits
        guard wordCount * store.byteCount <= remaining else {
            throw error(.lengthTooLarge(UInt64(bitCount)), at: start)
        }
        var bits = [Bool]()
        bits.reserveCapacity(Int(bitCount))
        for _ in 0..<wordCount {
            let word: UInt64
            switch store {
            case .u8: word = UInt64(try decode(UInt8.self))
            case .u16: word = UInt64(try decode(UInt16.self))
            case .u32: word = UInt64(try decode(UInt32.self))
            case .u64: word = try decode(UInt64.self)
            }
            for bit in 0..<wordBits where bits.count < Int(bitCount) {
                let shift = order == .lsb0 ? bit : wordBits - 1 - bit
                bits.append(word >> UInt64(shift) & 1 == 1)
            }
        }
        return BitSequence(bits: bits)
    }
}

extension SCALEEncoder {
    public mutating func encode(_ sequence: BitSequence, store: BitSequence.Store, order: BitSequence.Order) {
        encodeCompact(UInt32(sequence.bits.count))
        let wordBits = store.rawValue
        var index = 0
        while index < sequence.bits.count {
            var word: UInt64 = 0
            for bit in 0..<wordBits where index + bit < sequence.bits.count && sequence.bits[index + bit] {
                let shift = order == .lsb0 ? bit : wordBits - 1 - bit
                word |= 1 << UInt64(shift)
            }
            switch store {
            case .u8: encode(UInt8(word))
            case .u16: encode(UInt16(word))
            case .u32: encode(UInt32(word))
            case .u64: encode(word)
            }
            index += wordBits
        }
    }
}
