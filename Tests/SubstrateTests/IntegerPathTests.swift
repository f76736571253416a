import ChainFixtures
import ExactJSON
import SCALE
import Substrate
import Testing

/// `ValueDecoder.integers(_:bytes:at:)` reads integers straight from the bytes; it must give
/// exactly what decoding the whole value and reading `Value.integers(at:)` gives, for every
/// path into real values: fields, tuple positions, variant names, `*` over lists, paths that
/// lead nowhere and `a|b` alternatives.
@Suite struct IntegerPathTests {
    /// Paths into `value` and whatever it holds, up to `depth` steps; a list's elements all
    /// contribute under `*`.
    static func paths(of value: Value, depth: Int, prefix: String = "", into result: inout Set<String>) {
        guard depth > 0 else { return }
        func step(_ key: String, _ child: Value?) {
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            guard result.insert(path).inserted || child != nil else { return }
            if let child { paths(of: child, depth: depth - 1, prefix: path, into: &result) }
        }
        step("missing", nil)
        step("7", nil)
        switch value.kind {
        case let .composite(fields):
            for (index, field) in fields.enumerated() {
                step(field.name ?? String(index), field.value)
            }
        case let .variant(variant):
            step(variant.name, variant.fields.count == 1 ? variant.fields[0].value : Value(.composite(variant.fields)))
            for (index, field) in variant.fields.enumerated() { step(field.name ?? String(index), field.value) }
        case let .tuple(values), let .array(values):
            for (index, element) in values.enumerated() { step(String(index), element) }
        case let .sequence(values):
            // Every element under `*` (a few, on long lists), and the first by position.
            for element in values.prefix(64) { step("*", element) }
            if let first = values.first { step("0", first) }
        default:
            break
        }
    }

    /// Compares both readings for every path into the value of `typeID` encoded in `bytes`;
    /// returns how many paths were compared.
    static func compare(_ decoder: ValueDecoder, _ typeID: UInt32, _ bytes: [UInt8], what: String, depth: Int = 6) throws -> Int {
        let value = try decoder.decode(typeID, bytes: bytes)
        var paths: Set<String> = [""]
        Self.paths(of: value, depth: depth, into: &paths)
        for path in paths {
            let fromBytes = try decoder.integers(typeID, bytes: bytes, at: path)
            #expect(fromBytes == value.integers(at: path), "\(what) at '\(path)'")
        }
        // Alternatives: a missing first choice falls through to the second.
        for path in paths.sorted().prefix(200) {
            let alternative = "missing|\(path)"
            #expect(try decoder.integers(typeID, bytes: bytes, at: alternative) == value.integers(at: alternative), "\(what) at '\(alternative)'")
        }
        return paths.count
    }

    /// A fixture block's `System.Events` bytes, its runtime and the events' type.
    static func events(_ folder: String) throws -> (metadata: RuntimeMetadata, bytes: [UInt8], type: UInt32) {
        let expected = try JSON.parse(try ChainData.text("blocks/polkadot/\(folder)/expected.json"))
        let metadata = try RuntimeMetadata.decode(try ChainData.bytes(try #require(expected["metadata_file"]?.stringValue)))
        let events = try #require(Hex.decode(try ChainData.text("blocks/polkadot/\(folder)/events.hex")))
        let entry = try #require(metadata.storageEntry(pallet: "System", item: "Events"))
        return (metadata, events, entry.valueType)
    }

    @Test(arguments: ["18468942", "19772575", "9300-events"])
    func eventsReadFromTheBytesAsFromTheirValues(folder: String) throws {
        let (metadata, events, type) = try Self.events(folder)
        let decoder = ValueDecoder(registry: metadata.types)
        var compared = try Self.compare(decoder, type, events, what: "System.Events of \(folder)")
        // Each record on its own too: the paths into one event's fields end in integers far more
        // often than paths under `*`, which need every event to have the field.
        guard case let .sequence(records) = try decoder.decode(type, bytes: events).kind else {
            Issue.record("System.Events is not a list")
            return
        }
        let encoder = ValueEncoder(registry: metadata.types)
        for (index, record) in records.prefix(150).enumerated() {
            let recordType = try #require(record.typeID)
            compared += try Self.compare(decoder, recordType, try encoder.encode(record, as: recordType), what: "event \(index) of \(folder)", depth: 8)
        }
        #expect(compared > 1_000)
    }

    /// Every constant and every storage default of a runtime: hundreds of types (structs,
    /// enums, bounded maps, weights, fixed-point numbers).
    @Test(arguments: ["metadata/polkadot_1003003_v15.scale", "metadata/kusama_2003000_v16.scale", "metadata/polkadot_9110_v14.scale"])
    func constantsAndDefaultsReadFromTheBytesAsFromTheirValues(file: String) throws {
        let metadata = try ChainData.metadata(file)
        let decoder = ValueDecoder(registry: metadata.types)
        var compared = 0
        for pallet in metadata.pallets {
            for constant in pallet.constants {
                compared += try Self.compare(decoder, constant.typeID, constant.value, what: "\(pallet.name).\(constant.name)")
            }
            for entry in pallet.storage?.entries ?? [] where entry.modifier == .default {
                compared += try Self.compare(decoder, entry.valueType, entry.defaultValue, what: "default of \(pallet.name).\(entry.name)")
            }
        }
        #expect(compared > 1_000)
    }

    /// A list read under `*` to the end even when an element misses the path, so what follows
    /// it still decodes; truncated or padded bytes are errors, never a crash.
    @Test func damagedBytesAreErrors() throws {
        let (metadata, events, type) = try Self.events("18468942")
        let decoder = ValueDecoder(registry: metadata.types)
        let path = "*.event.Balances.Withdraw.amount"
        #expect(try decoder.integers(type, bytes: events, at: path) == decoder.decode(type, bytes: events).integers(at: path))
        for cut in stride(from: 0, to: events.count, by: max(1, events.count / 200)) {
            #expect(throws: SCALEError.self) { try decoder.integers(type, bytes: Array(events.prefix(cut)), at: path) }
        }
        #expect(throws: SCALEError.self) { try decoder.integers(type, bytes: events + [0], at: path) }
        #expect(throws: SCALEError.self) { try decoder.integers(UInt32.max, bytes: events, at: path) }
    }

    /// A negative position (a definition's typo) leads nowhere, in a list, a tuple or a struct.
    @Test func negativePositionsLeadNowhere() throws {
        let (metadata, events, type) = try Self.events("18468942")
        let decoder = ValueDecoder(registry: metadata.types)
        let value = try decoder.decode(type, bytes: events)
        for path in ["-1", "0.-1", "*.event.-1", "0.phase.-2"] {
            #expect(value.integers(at: path) == nil, "\(path)")
            #expect(try decoder.integers(type, bytes: events, at: path) == nil, "\(path)")
        }
    }
}
