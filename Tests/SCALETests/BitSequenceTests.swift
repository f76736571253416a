import SCALE
import Testing

@Suite struct BitSequenceTests {
    /// bitvec's own encodings: `bitvec![u8, Lsb0; 1, 0, 1, 1]` and its Msb0 twin.
    @Test func knownEncodings() throws {
        let bits = BitSequence(bits: [true, false, true, true])
        var lsb = SCALEEncoder()
        lsb.encode(bits, store: .u8, order: .lsb0)
        #expect(Hex.encode(lsb.bytes) == "0x100d")
        var msb = SCALEEncoder()
        msb.encode(bits, store: .u8, order: .msb0)
        #expect(Hex.encode(msb.bytes) == "0x10b0")
        var wide = SCALEEncoder()
        wide.encode(BitSequence(bits: [true] + [Bool](repeating: false, count: 8) + [true]), store: .u16, order: .lsb0)
        #expect(Hex.encode(wide.bytes) == "0x280102")
    }

    @Test(arguments: BitSequence.Store.allCases)
    func roundTripsEveryStoreAndOrder(store: BitSequence.Store) throws {
        var generator = SystemRandomNumberGenerator()
        for order in BitSequence.Order.allCases {
            for count in [0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 130] {
                let bits = BitSequence(bits: (0..<count).map { _ in Bool.random(using: &generator) })
                var encoder = SCALEEncoder()
                encoder.encode(bits, store: store, order: order)
                let words = (count + store.rawValue - 1) / store.rawValue
                var lengthEncoder = SCALEEncoder()
                lengthEncoder.encodeCompact(UInt32(count))
                #expect(encoder.bytes.count == lengthEncoder.bytes.count + words * store.rawValue / 8)
                #expect(bits.count == count)
                var decoder = SCALEDecoder(encoder.bytes)
                #expect(try decoder.decodeBitSequence(store: store, order: order) == bits)
                #expect(decoder.isAtEnd)
            }
        }
    }

    @Test func truncatedBitSequenceIsAnError() {
        var decoder = SCALEDecoder([0x40, 0xFF])  // 16 bits, one byte present
        #expect(throws: SCALEError.self) { try decoder.decodeBitSequence(store: .u8, order: .lsb0) }
    }
}
