import SCALE
import Testing

@Suite struct CompactTests {
    /// Encodings from the SCALE specification's compact table.
    @Test(arguments: [
        (UInt128(0), "0x00"), (1, "0x04"), (42, "0xa8"), (63, "0xfc"),
        (64, "0x0101"), (69, "0x1501"), (16383, "0xfdff"),
        (16384, "0x02000100"), (65535, "0xfeff0300"), (1_073_741_823, "0xfeffffff"),
        (1_073_741_824, "0x0300000040"), (4_294_967_295, "0x03ffffffff"),
        (100_000_000_000_000, "0x0b00407a10f35a"),
        (UInt128.max, "0x33ffffffffffffffffffffffffffffffff"),
    ])
    func knownEncodings(value: UInt128, hex: String) throws {
        var encoder = SCALEEncoder()
        encoder.encodeCompact(value)
        #expect(Hex.encode(encoder.bytes) == hex)
        var decoder = SCALEDecoder(try #require(Hex.decode(hex)))
        #expect(try decoder.decodeCompactUInt128() == value)
        #expect(decoder.isAtEnd)
    }

    @Test func roundTripsEveryModeBoundary() throws {
        var values: [UInt128] = []
        for bits in 0..<128 {
            let power = UInt128(1) << bits
            values += [power - 1, power, power + 1]
        }
        values.append(.max)
        for value in values {
            var encoder = SCALEEncoder()
            encoder.encodeCompact(value)
            var decoder = SCALEDecoder(encoder.bytes)
            #expect(try decoder.decodeCompactUInt128() == value)
            #expect(decoder.isAtEnd)
        }
    }

    @Test func rejectsNonCanonicalForms() {
        for hex in ["0x0100", "0x02000000", "0x0300000000", "0x07000000400000"] {
            var decoder = SCALEDecoder(Hex.decode(hex)!)
            #expect(throws: SCALEError.self, "\(hex)") { try decoder.decodeCompactUInt128() }
        }
    }

    @Test func rejectsValuesTooWideForTheTarget() throws {
        var decoder = SCALEDecoder(try #require(Hex.decode("0x0300000040")))  // 2^30
        #expect(throws: SCALEError.self) { try decoder.decodeCompact(UInt16.self) }
        // 17 bytes is wider than u128.
        var wide = SCALEDecoder([0x37] + [UInt8](repeating: 0xFF, count: 17))
        #expect(throws: SCALEError.self) { try wide.decodeCompactUInt128() }
    }

    @Test func truncatedInputNamesTheOffset() {
        var decoder = SCALEDecoder([0xFE, 0xFF, 0x03], baseOffset: 100)
        do {
            _ = try decoder.decodeCompactUInt128()
            Issue.record("decoded a truncated compact")
        } catch {
            #expect(error.reason == .unexpectedEnd(needed: 4, available: 3))
            #expect(error.offset == 100)
        }
    }
}
