import ExactJSON
import ChainFixtures
import Foundation
import SCALE
import Substrate
import Testing

/// Our encodings of random values, decoded and re-encoded by Python's scalecodec: both the value
/// it reads and the bytes it writes must equal ours.
@Suite struct ScalecodecRefereeTests {
    struct Case {
        let type: String
        let value: String   // as JSON
        let bytes: [UInt8]
    }

    private func cases() -> [Case] {
        var random = SplitMix64(seed: 2024)
        var cases = [Case]()
        func add(_ type: String, _ value: String, _ encode: (inout SCALEEncoder) -> Void) {
            var encoder = SCALEEncoder()
            encode(&encoder)
            cases.append(Case(type: type, value: value, bytes: encoder.bytes))
        }
        for _ in 0..<60 {
            let wide = UInt128(random.next()) << UInt128(random.next() % 64) | UInt128(random.next() % 1000)
            let width = random.next() % 128
            let value = width == 0 ? wide : wide >> UInt128(width)
            add("Compact<u128>", "\"\(value)\"") { $0.encodeCompact(value) }
            add("u128", "\"\(value)\"") { $0.encode(value) }
            let small = UInt32(truncatingIfNeeded: random.next() >> (random.next() % 32))
            add("Compact<u32>", "\(small)") { $0.encodeCompact(small) }
            add("u32", "\(small)") { $0.encode(small) }
            let u64 = random.next() >> 12  // scalecodec reads u64 into Python ints; keep JSON-exact
            add("u64", "\(u64)") { $0.encode(u64) }
            let i64 = Int64(bitPattern: random.next()) >> 12
            add("i64", "\(i64)") { $0.encode(i64) }
            let i16 = Int16(truncatingIfNeeded: random.next())
            add("i16", "\(i16)") { $0.encode(i16) }
            let count = Int(random.next() % 70)
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            add("Bytes", "\"\(Hex.encode(bytes))\"") { $0.encodeByteVector(bytes) }
            let text = String((0..<count).map { _ in "aé✓z".randomElement(using: &random)! })
            add("Text", "\"\(text)\"") { $0.encode(text) }
            let flag = random.next() % 2 == 0
            add("bool", flag ? "true" : "false") { $0.encode(flag) }
            let optional: UInt32? = random.next() % 3 == 0 ? nil : small
            add("Option<u32>", optional.map { "\($0)" } ?? "null") { $0.encodeOption(optional) { $0.encode($1) } }
            let list = (0..<Int(random.next() % 9)).map { _ in UInt16(truncatingIfNeeded: random.next()) }
            add("Vec<u16>", "[\(list.map(String.init).joined(separator: ","))]") { $0.encodeVector(list) { $0.encode($1) } }
        }
        return cases
    }

    @Test func scalecodecReadsAndWritesWhatWeDo() async throws {
        let cases = cases()
        let input = "[" + cases.map { #"{"type":"\#($0.type)","hex":"\#(Hex.encode($0.bytes))"}"# }.joined(separator: ",") + "]"
        let script = """
            import json, sys
            from scalecodec.base import RuntimeConfigurationObject, ScaleBytes
            from scalecodec.type_registry import load_type_registry_preset
            config = RuntimeConfigurationObject()
            config.update_type_registry(load_type_registry_preset("core"))
            out = []
            for case in json.load(sys.stdin):
                obj = config.create_scale_object(case["type"], data=ScaleBytes(case["hex"]))
                value = obj.decode()
                encoded = config.create_scale_object(case["type"]).encode(value)
                if isinstance(value, int) and case["type"] in ("u128", "Compact<u128>"):
                    value = str(value)
                out.append({"value": value, "hex": encoded.to_hex()})
            print(json.dumps(out, ensure_ascii=False))
            """
        let output = try await PythonReferee.run(script, input: input)
        let answers = try #require(try JSON.parse(output).arrayValue)
        #expect(answers.count == cases.count)
        for (answer, testCase) in zip(answers, cases) {
            #expect(answer["hex"]?.stringValue == Hex.encode(testCase.bytes), "\(testCase.type) \(testCase.value): scalecodec writes other bytes")
            let theirs = try #require(answer["value"])
            #expect(theirs == (try JSON.parse(testCase.value)), "\(testCase.type): scalecodec reads \(theirs.serialized()), we wrote \(testCase.value)")
        }
    }
}
