import ChainFixtures
import Foundation
import SCALE
import Testing

@Suite struct HasherTests {
    /// Published vectors: XXH64 reference values, RFC 7693 appendix A, and blake2b-kat.txt.
    @Test func officialVectors() {
        #expect(XXHash64.hash([UInt8](), seed: 0) == 0xEF46_DB37_51D8_E999)
        #expect(XXHash64.hash(Array("abc".utf8), seed: 0) == 0x44BC_2CF5_AD77_0999)
        #expect(
            Hex.encode(Blake2b.hash(Array("abc".utf8), digestLength: 64))
                == "0xba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923"
        )
        #expect(
            Hex.encode(Blake2b.hash([UInt8](), digestLength: 64, key: Array(0..<64)))
                == "0x10ebb67700b1868efb4417987acf4690ae9d972fb7a590c2f02871799aaa4786b5e996e8f0f4eb981fc214b005f42d2ff4233499391653df7aefcbc13fc51568"
        )
    }

    /// Storage prefixes every Substrate tool knows.
    @Test func substrateTwoxPrefixes() {
        #expect(Hex.encode(Twox.hash128(Array("System".utf8))) == "0x26aa394eea5630e07c48ae0c9558cef7")
        #expect(Hex.encode(Twox.hash128(Array("Account".utf8))) == "0xb99d880ec681799c0cf30e8886371da9")
        #expect(Hex.encode(Twox.hash128(Array(":code".utf8))).hasPrefix("0x"))
    }

    /// Every length from 0 to 300 (all xxHash tail paths and BLAKE2b block boundaries, keyed
    /// and unkeyed, several digest sizes) checked against Python's hashlib and xxhash.
    @Test func agreesWithPythonReferenceImplementations() async throws {
        let script = """
            import hashlib, json, sys, xxhash
            out = []
            for n in range(301):
                data = bytes((i * 7 + n) & 0xff for i in range(n))
                out.append({
                    "xx": [xxhash.xxh64(data, seed=s).intdigest() for s in (0, 1, 2, 3, 0xdeadbeef)],
                    "b16": hashlib.blake2b(data, digest_size=16).hexdigest(),
                    "b32": hashlib.blake2b(data, digest_size=32).hexdigest(),
                    "b64": hashlib.blake2b(data).hexdigest(),
                    "k": hashlib.blake2b(data, key=bytes(range(n % 65))).hexdigest(),
                })
            print(json.dumps(out))
            """
        let output = try await PythonReferee.run(script)
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]])
        #expect(expected.count == 301)
        for (n, row) in expected.enumerated() {
            let data = (0..<n).map { UInt8(truncatingIfNeeded: $0 * 7 + n) }
            let xx = try #require(row["xx"] as? [NSNumber]).map(\.uint64Value)
            for (seed, value) in zip([UInt64(0), 1, 2, 3, 0xDEAD_BEEF], xx) {
                #expect(XXHash64.hash(data, seed: seed) == value, "xxh64 length \(n) seed \(seed)")
            }
            #expect(Hex.encode(Blake2b.hash(data, digestLength: 16), prefix: false) == row["b16"] as? String, "blake2b-128 length \(n)")
            #expect(Hex.encode(Blake2b.hash(data, digestLength: 32), prefix: false) == row["b32"] as? String, "blake2b-256 length \(n)")
            #expect(Hex.encode(Blake2b.hash(data, digestLength: 64), prefix: false) == row["b64"] as? String, "blake2b-512 length \(n)")
            let key = (0..<(n % 65)).map { UInt8($0) }
            #expect(Hex.encode(Blake2b.hash(data, digestLength: 64, key: key), prefix: false) == row["k"] as? String, "keyed length \(n)")
        }
    }

    @Test func twoxConcatenatesSeededLanes() {
        let data = Array("Balances".utf8)
        let lanes = (0..<4).map { XXHash64.hash(data, seed: UInt64($0)) }
        let bytes = lanes.flatMap { lane in (0..<8).map { UInt8(truncatingIfNeeded: lane >> (8 * UInt64($0))) } }
        #expect(Twox.hash64(data) == Array(bytes[0..<8]))
        #expect(Twox.hash128(data) == Array(bytes[0..<16]))
        #expect(Twox.hash256(data) == bytes)
    }

    @Test func incrementalBlake2bMatchesOneShot() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 31) }
        var hasher = Blake2b(digestLength: 32)
        for chunk in stride(from: 0, to: data.count, by: 37) { hasher.update(data[chunk..<min(chunk + 37, data.count)]) }
        #expect(hasher.finalize() == Blake2b.hash256(data))
    }
}
