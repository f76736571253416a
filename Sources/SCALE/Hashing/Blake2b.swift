/// BLAKE2b (RFC 7693) with any digest length from 1 to 64 bytes and an optional key.
/// Substrate uses it unkeyed: `blake2_128`, `blake2_256` (block and extrinsic hashes), and
/// the 512-bit form for SS58 checksums.
public struct Blake2b: Sendable {
    private static let iv: [UInt64] = [
        0x6A09_E667_F3BC_C908, 0xBB67_AE85_84CA_A73B, 0x3C6E_F372_FE94_F82B, 0xA54F_F53A_5F1D_36F1,
        0x510E_527F_ADE6_82D1, 0x9B05_688C_2B3E_6C1F, 0x1F83_D9AB_FB41_BD6B, 0x5BE0_CD19_137E_2179,
    ]

    private static let sigma: [[Int]] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
        [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
        [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
        [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
        [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
        [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
        [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
        [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
        [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
        [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
        [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    ]

    private var state: [UInt64]
    private var buffer: [UInt8] = []
    private var byteCount: UInt128 = 0
    private let digestLength: Int

    /// - Parameters:
    ///   - digestLength: 1…64 bytes.
    ///   - key: 0…64 bytes; empty for the plain hash.
    public init(digestLength: Int, key: [UInt8] = []) {
        precondition((1...64).contains(digestLength), "BLAKE2b digest length must be 1…64 bytes")
        precondition(key.count <= 64, "BLAKE2b key must be at most 64 bytes")
        self.digestLength = digestLength
        state = Self.iv
        state[0] ^= 0x0101_0000 ^ UInt64(key.count) << 8 ^ UInt64(digestLength)
        buffer.reserveCapacity(128)
        if !key.isEmpty {
            buffer = key + [UInt8](repeating: 0, count: 128 - key.count)
        }
    }

    public mutating func update<Bytes: Sequence>(_ input: Bytes) where Bytes.Element == UInt8 {
        for byte in input {
            // The last block is compressed only in `finalize`, with the final flag set.
            if buffer.count == 128 {
                byteCount += 128
                compress(buffer, isLast: false)
                buffer.removeAll(keepingCapacity: true)
            }
            buffer.append(byte)
        }
    }

    public consuming func finalize() -> [UInt8] {
        byteCount += UInt128(buffer.count)
        let block = buffer + [UInt8](repeating: 0, count: 128 - buffer.count)
        compress(block, isLast: true)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for word in state {
            for index in 0..<8 { out.append(UInt8(truncatingIfNeeded: word >> (8 * UInt64(index)))) }
        }
        return Array(out.prefix(digestLength))
    }

    public static func hash<Bytes: Sequence>(_ input: Bytes, digestLength: Int, key: [UInt8] = []) -> [UInt8]
    where Bytes.Element == UInt8 {
        var hasher = Blake2b(digestLength: digestLength, key: key)
        hasher.update(input)
        return hasher.finalize()
    }

    public static func hash128<Bytes: Sequence>(_ input: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        hash(input, digestLength: 16)
    }

    public static func hash256<Bytes: Sequence>(_ input: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        hash(input, digestLength: 32)
    }

    private mutating func compress(_ block: [UInt8], isLast: Bool) {
        var m = [UInt64](repeating: 0, count: 16)
        for index in 0..<16 {
            var word: UInt64 = 0
            for byte in 0..<8 { word |= UInt64(block[index * 8 + byte]) << (8 * UInt64(byte)) }
            m[index] = word
        }
        var v = state + Self.iv
        v[12] ^= UInt64(truncatingIfNeeded: byteCount)
        v[13] ^= UInt64(truncatingIfNeeded: byteCount >> 64)
        if isLast { v[14] = ~v[14] }

        for round in 0..<12 {
            let s = Self.sigma[round]
            Self.mix(&v, 0, 4, 8, 12, m[s[0]], m[s[1]])
            Self.mix(&v, 1, 5, 9, 13, m[s[2]], m[s[3]])
            Self.mix(&v, 2, 6, 10, 14, m[s[4]], m[s[5]])
            Self.mix(&v, 3, 7, 11, 15, m[s[6]], m[s[7]])
            Self.mix(&v, 0, 5, 10, 15, m[s[8]], m[s[9]])
            Self.mix(&v, 1, 6, 11, 12, m[s[10]], m[s[11]])
            Self.mix(&v, 2, 7, 8, 13, m[s[12]], m[s[13]])
            Self.mix(&v, 3, 4, 9, 14, m[s[14]], m[s[15]])
        }
        for index in 0..<8 { state[index] ^= v[index] ^ v[index + 8] }
    }

    @inline(__always)
    private static func mix(_ v: inout [UInt64], _ a: Int, _ b: Int, _ c: Int, _ d: Int, _ x: UInt64, _ y: UInt64) {
        v[a] = v[a] &+ v[b] &+ x
        v[d] = (v[d] ^ v[a]).rotatedRight(32)
        v[c] = v[c] &+ v[d]
        v[b] = (v[b] ^ v[c]).rotatedRight(24)
        v[a] = v[a] &+ v[b] &+ y
        v[d] = (v[d] ^ v[a]).rotatedRight(16)
        v[c] = v[c] &+ v[d]
        v[b] = (v[b] ^ v[c]).rotatedRight(63)
    }
}
