import CCrypt
import Foundation

/// bcrypt password hashes (`$2a$`, `$2b$`, `$2y$`), checked with libxcrypt's `crypt_r`.
enum BCrypt {
    /// Whether `text` has the form of a bcrypt hash: `$2?$CC$` and 53 characters of salt and hash.
    static func isHash(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 60, bytes[0] == UInt8(ascii: "$"), bytes[1] == UInt8(ascii: "2"),
              [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "y")].contains(bytes[2]), bytes[3] == UInt8(ascii: "$"),
              let cost = Int(String(decoding: bytes[4..<6], as: UTF8.self)), (4...31).contains(cost), bytes[6] == UInt8(ascii: "$")
        else { return false }
        let alphabet = Set("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        return bytes[7...].allSatisfy(alphabet.contains)
    }

    /// Whether `password` hashes to `hash` (compared in constant time).
    static func verify(_ password: String, hash: String) -> Bool {
        // crypt_data is about 32 KB: on the heap, one per call (calls run on several threads).
        let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
        defer { data.deallocate() }
        memset(data, 0, MemoryLayout<crypt_data>.size)
        guard let result = crypt_r(password, hash, data) else { return false }
        let computed = Array(String(cString: result).utf8)
        let expected = Array(hash.utf8)
        guard computed.count == expected.count else { return false }
        var difference: UInt8 = 0
        for index in expected.indices { difference |= computed[index] ^ expected[index] }
        return difference == 0
    }
}
