/// Hex text to bytes and back, in the `0x…` form Substrate nodes speak.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Lowercase hex with a `0x` prefix.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes, prefix: Bool = true) -> String
    where Bytes.Element == UInt8 {
        var out: [UInt8] = prefix ? [UInt8(ascii: "0"), UInt8(ascii: "x")] : []
        out.reserveCapacity(out.count + bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func byte(_ byte: UInt8) -> String {
        String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
    }

    /// Parses hex with or without `0x`; surrounding white space is ignored.
    /// Returns nil for an odd number of digits or a non-hex character.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        if let decoded = text.utf8.withContiguousStorageIfAvailable({ decode(utf8: $0) }) { return decoded }
        return Array(text.utf8).withUnsafeBufferPointer { decode(utf8: $0) }
    }

    /// Decodes pairs of digits straight into the result (hex answers are most of what a node sends).
    private static func decode(utf8: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var start = 0
        var end = utf8.count
        while start < end, isSpace(utf8[start]) { start += 1 }
        while end > start, isSpace(utf8[end - 1]) { end -= 1 }
        if end - start >= 2, utf8[start] == UInt8(ascii: "0"), utf8[start + 1] == UInt8(ascii: "x") { start += 2 }
        guard (end - start) % 2 == 0 else { return nil }
        var valid = true
        let decoded = digitValues.withUnsafeBufferPointer { digit in
            [UInt8](unsafeUninitializedCapacity: (end - start) / 2) { buffer, count in
                var position = start
                while position < end {
                    let high = digit[Int(utf8[position])], low = digit[Int(utf8[position + 1])]
                    guard high | low < 16 else {
                        valid = false
                        break
                    }
                    buffer[count] = high << 4 | low
                    count += 1
                    position += 2
                }
            }
        }
        return valid ? decoded : nil
    }

    /// Every byte's value as a hex digit (255: not one), one load per digit instead of branches.
    private static let digitValues: [UInt8] = (0...255).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt8(byte) - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt8(byte) - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt8(byte) - UInt8(ascii: "A") + 10
        default: 255
        }
    }

    private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }
}

extension Hex {
    /// The bytes a hex text file holds, or nil when the file is not hex text (binary input).
    public static func decodeIfHex(_ raw: [UInt8]) -> [UInt8]? {
        decode(String(decoding: raw, as: UTF8.self))
    }
}
