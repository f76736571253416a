import SCALE

/// SS58 addresses: base58 of (network prefix ‖ account ‖ first two bytes of
/// blake2b-512("SS58PRE" ‖ prefix ‖ account)).
public enum SS58 {
    public enum DecodingError: Error, Sendable, Equatable {
        case invalidBase58
        case invalidLength(Int)
        case badChecksum
        case reservedPrefix
    }

    /// Encodes a 32-byte (or 1/2/4/8/33-byte) account for network `prefix` (0…16383).
    public static func encode(_ account: [UInt8], prefix: UInt16) -> String {
        precondition(prefix < 16384, "SS58 prefixes are below 16384")
        var payload: [UInt8]
        if prefix < 64 {
            payload = [UInt8(prefix)]
        } else {
            payload = [
                UInt8((prefix & 0b0000_0000_1111_1100) >> 2) | 0b0100_0000,
                UInt8(prefix >> 8) | UInt8((prefix & 0b11) << 6),
            ]
        }
        payload += account
        let checksum = Blake2b.hash(checksumPreimage + payload, digestLength: 64)
        return Base58.encode(payload + checksum.prefix(checksumLength(accountLength: account.count)))
    }

    /// Decodes an address to its network prefix and account bytes, checking the checksum.
    public static func decode(_ address: String) throws(DecodingError) -> (prefix: UInt16, account: [UInt8]) {
        guard let raw = Base58.decode(address), raw.count >= 3 else { throw .invalidBase58 }
        let prefix: UInt16
        let prefixLength: Int
        switch raw[0] {
        case 0..<64:
            prefix = UInt16(raw[0])
            prefixLength = 1
        case 64..<128:
            let lower = (raw[0] << 2) | (raw[1] >> 6)
            let upper = raw[1] & 0b0011_1111
            prefix = UInt16(lower) | UInt16(upper) << 8
            prefixLength = 2
        default:
            throw .reservedPrefix
        }
        let bodyLength = raw.count - prefixLength
        let accountLength: Int
        switch bodyLength {
        case 3, 4, 6, 10: accountLength = bodyLength - 1
        case 34, 35: accountLength = 32 + bodyLength - 34
        default: throw .invalidLength(raw.count)
        }
        let account = Array(raw[prefixLength..<prefixLength + accountLength])
        let given = Array(raw[(prefixLength + accountLength)...])
        let checksum = Blake2b.hash(checksumPreimage + raw[..<(prefixLength + accountLength)], digestLength: 64)
        guard Array(checksum.prefix(given.count)) == given else { throw .badChecksum }
        return (prefix, account)
    }

    private static let checksumPreimage = Array("SS58PRE".utf8)

    private static func checksumLength(accountLength: Int) -> Int {
        switch accountLength {
        case 1, 2, 4, 8: 1
        case 32, 33: 2
        default: 2
        }
    }
}

/// Bitcoin's base58 alphabet, as SS58 uses it.
public enum Base58 {
    private static let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)
    private static let indexes: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, char) in alphabet.enumerated() { table[Int(char)] = Int8(index) }
        return table
    }()

    public static func encode(_ bytes: [UInt8]) -> String {
        let zeros = bytes.prefix { $0 == 0 }.count
        var digits = [UInt8]()  // base-58 digits, least significant first
        for byte in bytes {
            var carry = Int(byte)
            for index in digits.indices {
                carry += Int(digits[index]) << 8
                digits[index] = UInt8(carry % 58)
                carry /= 58
            }
            while carry > 0 {
                digits.append(UInt8(carry % 58))
                carry /= 58
            }
        }
        let text = [UInt8](repeating: alphabet[0], count: zeros) + digits.reversed().map { alphabet[Int($0)] }
        return String(decoding: text, as: UTF8.self)
    }

    public static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        let zeros = chars.prefix { $0 == alphabet[0] }.count
        var bytes = [UInt8]()  // base-256, least significant first
        for char in chars {
            let value = indexes[Int(char)]
            guard value >= 0 else { return nil }
            var carry = Int(value)
            for index in bytes.indices {
                carry += Int(bytes[index]) * 58
                bytes[index] = UInt8(carry & 0xFF)
                carry >>= 8
            }
            while carry > 0 {
                bytes.append(UInt8(carry & 0xFF))
                carry >>= 8
            }
        }
        return [UInt8](repeating: 0, count: zeros) + bytes.reversed()
    }
}
