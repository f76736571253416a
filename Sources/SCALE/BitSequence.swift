/// A `BitVec<Store, Order>` from the `bitvec` crate, as SCALE encodes it: a `Compact<u32>` bit
/// count, then just enough `Store` words (little endian) to hold the bits.
///
/// Bits are kept packed in logical order whatever the wire layout, so the common
/// `BitVec<u8, Lsb0>` (parachain availability bitfields) decodes with a single copy.
public struct BitSequence: Hashable, Sendable {
    public enum Store: Int, Sendable, CaseIterable {
        case u8 = 8, u16 = 16, u32 = 32, u64 = 64
        var byteCount: Int { rawValue / 8 }
    }

    /// `Lsb0`: bit 0 is the least significant bit of the first word; `Msb0`: the most significant.
    public enum Order: Sendable, CaseIterable {
        case lsb0, msb0
    }

    public let count: Int
    /// Bit `i` is bit `i % 8` (least significant first) of byte `i / 8`; unused high bits are zero.
    public let packed: [UInt8]

    public init(bits: [Bool]) {
        var packed = [UInt8](repeating: 0, count: (bits.count + 7) / 8)
        for (index, bit) in bits.enumerated() where bit { packed[index / 8] |= 1 << UInt8(index % 8) }
        self.count = bits.count
        self.packed = packed
    }

    /// `packed` must hold at least `count` bits; bits beyond `count` are cleared.
    public init(count: Int, packed: [UInt8]) {
        precondition(packed.count * 8 >= count, "not enough bytes for \(count) bits")
        var bytes = packed
        let used = (count + 7) / 8
        if bytes.count > used { bytes.removeLast(bytes.count - used) }
        if count % 8 != 0 { bytes[used - 1] &= UInt8((1 << (count % 8)) - 1) }
        self.count = count
        self.packed = bytes
    }

    public subscript(index: Int) -> Bool {
        packed[index / 8] >> UInt8(index % 8) & 1 == 1
    }

    public var bits: [Bool] { (0..<count).map { self[$0] } }

    /// `"0110…"`, bit 0 first.
    public var binaryString: String {
        String(decoding: (0..<count).map { self[$0] ? UInt8(ascii: "1") : UInt8(ascii: "0") }, as: UTF8.self)
    }
}

extension SCALEDecoder {
    public mutating func decodeBitSequence(
        store: BitSequence.Store, order: BitSequence.Order
    ) throws(SCALEError) -> BitSequence {
        let start = position
        let bitCount = Int(try decodeCompact(UInt32.self))
        let wordBits = store.rawValue
        let wordCount = (bitCount + wordBits - 1) / wordBits
        guard wordCount * store.byteCount <= remaining else {
            throw error(.lengthTooLarge(UInt64(bitCount)), at: start)
        }
        if store == .u8, order == .lsb0 {
            return BitSequence(count: bitCount, packed: try readBytes(wordCount))
        }
        var packed = [UInt8](repeating: 0, count: (bitCount + 7) / 8)
        var index = 0
        for _ in 0..<wordCount {
            let word: UInt64
            switch store {
            case .u8: word = UInt64(try decode(UInt8.self))
            case .u16: word = UInt64(try decode(UInt16.self))
            case .u32: word = UInt64(try decode(UInt32.self))
            case .u64: word = try decode(UInt64.self)
            }
            for bit in 0..<wordBits where index < bitCount {
                let shift = order == .lsb0 ? bit : wordBits - 1 - bit
                if word >> UInt64(shift) & 1 == 1 { packed[index / 8] |= 1 << UInt8(index % 8) }
                index += 1
            }
        }
        return BitSequence(count: bitCount, packed: packed)
    }
}

extension SCALEDecoder {
    /// Moves past a bit sequence without building it.
    public mutating func skipBitSequence(store: BitSequence.Store) throws(SCALEError) {
        let start = position
        let bitCount = Int(try decodeCompact(UInt32.self))
        let byteCount = (bitCount + store.rawValue - 1) / store.rawValue * store.byteCount
        guard byteCount <= remaining else { throw error(.lengthTooLarge(UInt64(bitCount)), at: start) }
        try skip(byteCount)
    }
}

extension SCALEEncoder {
    public mutating func encode(_ sequence: BitSequence, store: BitSequence.Store, order: BitSequence.Order) {
        encodeCompact(UInt32(sequence.count))
        if store == .u8, order == .lsb0 {
            append(contentsOf: sequence.packed)
            return
        }
        let wordBits = store.rawValue
        var index = 0
        while index < sequence.count {
            var word: UInt64 = 0
            for bit in 0..<wordBits where index + bit < sequence.count && sequence[index + bit] {
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
