/// xxHash64 (Yann Collet's XXH64), the base of Substrate's `twox` hashers.
public enum XXHash64 {
    private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
    private static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

    public static func hash<Bytes: Collection>(_ input: Bytes, seed: UInt64 = 0) -> UInt64
    where Bytes.Element == UInt8 {
        let bytes = Array(input)
        return bytes.withUnsafeBytes { hash(buffer: $0, seed: seed) }
    }

    private static func hash(buffer: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        let length = buffer.count
        var offset = 0
        var h: UInt64

        if length >= 32 {
            var v1 = seed &+ prime1 &+ prime2
            var v2 = seed &+ prime2
            var v3 = seed
            var v4 = seed &- prime1
            while offset + 32 <= length {
                v1 = round(v1, read64(buffer, offset))
                v2 = round(v2, read64(buffer, offset + 8))
                v3 = round(v3, read64(buffer, offset + 16))
                v4 = round(v4, read64(buffer, offset + 24))
                offset += 32
            }
            h = v1.rotatedLeft(1) &+ v2.rotatedLeft(7) &+ v3.rotatedLeft(12) &+ v4.rotatedLeft(18)
            h = mergeRound(h, v1)
            h = mergeRound(h, v2)
            h = mergeRound(h, v3)
            h = mergeRound(h, v4)
        } else {
            h = seed &+ prime5
        }

        h &+= UInt64(length)

        while offset + 8 <= length {
            h ^= round(0, read64(buffer, offset))
            h = h.rotatedLeft(27) &* prime1 &+ prime4
            offset += 8
        }
        if offset + 4 <= length {
            h ^= UInt64(read32(buffer, offset)) &* prime1
            h = h.rotatedLeft(23) &* prime2 &+ prime3
            offset += 4
        }
        while offset < length {
            h ^= UInt64(buffer[offset]) &* prime5
            h = h.rotatedLeft(11) &* prime1
            offset += 1
        }

        h ^= h >> 33
        h &*= prime2
        h ^= h >> 29
        h &*= prime3
        h ^= h >> 32
        return h
    }

    @inline(__always)
    private static func round(_ accumulator: UInt64, _ input: UInt64) -> UInt64 {
        (accumulator &+ input &* prime2).rotatedLeft(31) &* prime1
    }

    @inline(__always)
    private static func mergeRound(_ accumulator: UInt64, _ value: UInt64) -> UInt64 {
        (accumulator ^ round(0, value)) &* prime1 &+ prime4
    }

    @inline(__always)
    private static func read64(_ buffer: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always)
    private static func read32(_ buffer: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}

extension UInt64 {
    @inline(__always)
    func rotatedLeft(_ count: UInt64) -> UInt64 { self << count | self >> (64 - count) }

    @inline(__always)
    func rotatedRight(_ count: UInt64) -> UInt64 { self >> count | self << (64 - count) }
}
