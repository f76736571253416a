/// Substrate's `twox` hashers: xxHash64 with seeds 0, 1, 2… concatenated little endian.
public enum Twox {
    public static func hash64<Bytes: Collection>(_ input: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        hash(input, lanes: 1)
    }

    public static func hash128<Bytes: Collection>(_ input: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        hash(input, lanes: 2)
    }

    public static func hash256<Bytes: Collection>(_ input: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        hash(input, lanes: 4)
    }

    private static func hash<Bytes: Collection>(_ input: Bytes, lanes: Int) -> [UInt8] where Bytes.Element == UInt8 {
        let bytes = Array(input)
        var out = [UInt8]()
        out.reserveCapacity(lanes * 8)
        for seed in 0..<UInt64(lanes) {
            let lane = XXHash64.hash(bytes, seed: seed)
            for index in 0..<8 { out.append(UInt8(truncatingIfNeeded: lane >> (8 * UInt64(index)))) }
        }
        return out
    }
}
