import BigInt
import SCALE
import Testing

@Suite struct PrimitiveCodingTests {
    private func roundTrip<T: FixedWidthInteger>(_ value: T, hex: String? = nil) throws {
        var encoder = SCALEEncoder()
        encoder.encode(value)
        if let hex { #expect(Hex.encode(encoder.bytes) == hex) }
        #expect(encoder.bytes.count == T.bitWidth / 8)
        var decoder = SCALEDecoder(encoder.bytes)
        #expect(try decoder.decode(T.self) == value)
        #expect(decoder.isAtEnd)
    }

    @Test func fixedWidthIntegersAreLittleEndian() throws {
        try roundTrip(UInt8(0x2A), hex: "0x2a")
        try roundTrip(UInt16(0x0102), hex: "0x0201")
        try roundTrip(UInt32(0x0102_0304), hex: "0x04030201")
        try roundTrip(UInt64(0x0102_0304_0506_0708), hex: "0x0807060504030201")
        try roundTrip(Int8(-1), hex: "0xff")
        try roundTrip(Int16(-2), hex: "0xfeff")
        try roundTrip(Int32.min, hex: "0x00000080")
        try roundTrip(Int64.max, hex: "0xffffffffffffff7f")
    }

    @Test func u128RoundTripsExactly() throws {
        // Polkadot's total issuance is around 1.4e19 planck; balances reach well past 2^64.
        let values: [UInt128] = [0, 1, UInt128(UInt64.max) + 1, 14_000_000_000_000_000_000_123, .max, .max - 1]
        for value in values { try roundTrip(value) }
        try roundTrip(UInt128(10_000_000_000), hex: "0x00e40b54020000000000000000000000")
        for value: Int128 in [.min, -1, 0, .max] { try roundTrip(value) }
    }

    @Test func u256AndI256RoundTrip() throws {
        let unsigned: [BigUInt] = [0, 1, BigUInt(1) << 128, (BigUInt(1) << 256) - 1]
        for value in unsigned {
            var encoder = SCALEEncoder()
            let fits = encoder.encodeUInt256(value)
            #expect(fits)
            #expect(encoder.bytes.count == 32)
            var decoder = SCALEDecoder(encoder.bytes)
            #expect(try decoder.decodeUInt256() == value)
        }
        let signed: [BigInt] = [0, -1, 1, -(BigInt(1) << 255), (BigInt(1) << 255) - 1, -(BigInt(123_456_789_012_345_678) * BigInt(1_000_000_000_000))]
        for value in signed {
            var encoder = SCALEEncoder()
            let fits = encoder.encodeInt256(value)
            #expect(fits)
            var decoder = SCALEDecoder(encoder.bytes)
            #expect(try decoder.decodeInt256() == value)
        }
        var encoder = SCALEEncoder()
        let tooWide = encoder.encodeUInt256(BigUInt(1) << 256)
        let tooLarge = encoder.encodeInt256(BigInt(1) << 255)
        #expect(!tooWide && !tooLarge && encoder.bytes.isEmpty)
        var minusOne = SCALEDecoder([UInt8](repeating: 0xFF, count: 32))
        #expect(try minusOne.decodeInt256() == -1)
    }

    @Test func boolsOptionsAndResults() throws {
        var encoder = SCALEEncoder()
        encoder.encode(true)
        encoder.encodeOption(UInt32(7)) { $0.encode($1) }
        encoder.encodeOption(UInt32?.none) { $0.encode($1) }
        encoder.encodeResult(Result<UInt8, SCALEResultError<String>>.success(5), ok: { $0.encode($1) }, err: { $0.encode($1) })
        encoder.encodeResult(Result<UInt8, SCALEResultError<String>>.failure(.init(value: "no")), ok: { $0.encode($1) }, err: { $0.encode($1) })
        #expect(Hex.encode(encoder.bytes) == "0x0101070000000000050108" + "6e6f")

        var decoder = SCALEDecoder(encoder.bytes)
        #expect(try decoder.decodeBool() == true)
        #expect(try decoder.decodeOption { (d: inout SCALEDecoder) throws(SCALEError) in try d.decode(UInt32.self) } == 7)
        #expect(try decoder.decodeOption { (d: inout SCALEDecoder) throws(SCALEError) in try d.decode(UInt32.self) } == nil)
        let ok = try decoder.decodeResult(
            ok: { (d: inout SCALEDecoder) throws(SCALEError) in try d.readByte() },
            err: { (d: inout SCALEDecoder) throws(SCALEError) in try d.decodeString() })
        #expect(ok == .success(5))
        let err = try decoder.decodeResult(
            ok: { (d: inout SCALEDecoder) throws(SCALEError) in try d.readByte() },
            err: { (d: inout SCALEDecoder) throws(SCALEError) in try d.decodeString() })
        #expect(err == .failure(.init(value: "no")))
        #expect(decoder.isAtEnd)
    }

    @Test func invalidTagsAreTypedErrorsWithOffsets() {
        var bool = SCALEDecoder([0x02])
        #expect(throws: SCALEError(.invalidBool(2), at: 0)) { try bool.decodeBool() }
        var option = SCALEDecoder([0x00, 0x05], baseOffset: 10)
        _ = try? option.readByte()
        #expect(throws: SCALEError(.invalidOptionTag(5), at: 11)) {
            try option.decodeOption { (d: inout SCALEDecoder) throws(SCALEError) in try d.readByte() }
        }
        var result = SCALEDecoder([0x03])
        #expect(throws: SCALEError(.invalidResultTag(3), at: 0)) {
            try result.decodeResult(
                ok: { (d: inout SCALEDecoder) throws(SCALEError) in try d.readByte() },
                err: { (d: inout SCALEDecoder) throws(SCALEError) in try d.readByte() })
        }
    }

    @Test func vectorsArraysStringsAndTuples() throws {
        var encoder = SCALEEncoder()
        encoder.encodeVector([UInt16(1), 2, 3]) { $0.encode($1) }
        encoder.encode("Grüße")
        encoder.append(contentsOf: [9, 8, 7])  // [u8; 3]
        encoder.encode(UInt8(1)); encoder.encode(UInt64(2))  // (u8, u64)
        var decoder = SCALEDecoder(encoder.bytes)
        #expect(try decoder.decodeVector(minimumElementSize: 2) { (d: inout SCALEDecoder) throws(SCALEError) in try d.decode(UInt16.self) } == [1, 2, 3])
        #expect(try decoder.decodeString() == "Grüße")
        #expect(try decoder.decodeArray(count: 3) { (d: inout SCALEDecoder) throws(SCALEError) in try d.readByte() } == [9, 8, 7])
        #expect(try decoder.readByte() == 1)
        #expect(try decoder.decode(UInt64.self) == 2)
        try decoder.expectEnd()
    }

    @Test func absurdLengthsAreRejectedBeforeAllocating() {
        // Compact length 2^30 followed by 3 bytes.
        var decoder = SCALEDecoder([0x03, 0x00, 0x00, 0x00, 0x40, 1, 2, 3])
        #expect(throws: SCALEError(.lengthTooLarge(1 << 30), at: 0)) { try decoder.decodeByteVector() }
    }

    @Test func invalidUTF8IsAnError() {
        var decoder = SCALEDecoder([0x08, 0xC3, 0x28])
        #expect(throws: SCALEError(.invalidUTF8, at: 0)) { try decoder.decodeString() }
    }

    @Test func trailingBytesAreReported() throws {
        var decoder = SCALEDecoder([1, 2, 3])
        _ = try decoder.readByte()
        #expect(throws: SCALEError(.trailingBytes(2), at: 1)) { try decoder.expectEnd() }
    }
}
