public import ExactJSON
import BigInt
import SCALE

/// Reads JSON into a `Value` of a registry type: the inverse of `ValueJSONRenderer`, so values
/// can be written by hand (storage map keys in metric definitions, calls a simulated chain
/// builds) in the shape explorers show them.
///
/// Shapes: integers as JSON numbers or decimal strings; bytes (`Vec<u8>`, `[u8; N]`) as `0x`
/// hex, and 32-byte ones also as SS58 addresses; structs as objects (named fields) or arrays
/// (unnamed ones); a newtype as its inner value; `Option` as `null` or the value; enums as
/// `"Name"` or `{"Name": payload}`; bit sequences as `"0101…"`.
public struct ValueJSONReader: Sendable {
    public let registry: TypeRegistry

    public init(registry: TypeRegistry) {
        self.registry = registry
    }

    /// Why a JSON value does not fit; `path` leads to the place (`dest.V3.interior`).
    public struct Mismatch: Error, Sendable, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
    }

    public func read(_ json: JSON, as typeID: UInt32) throws(Mismatch) -> Value {
        try read(json, as: typeID, path: [], depth: 0)
    }

    private func read(_ json: JSON, as typeID: UInt32, path: [String], depth: Int) throws(Mismatch) -> Value {
        func fail(_ reason: String) -> Mismatch { Mismatch(path: path.joined(separator: "."), reason: reason) }
        guard depth < ValueDecoder.maximumDepth else { throw fail("nesting too deep") }
        guard let type = registry[typeID] else { throw fail("no type \(typeID) in the registry") }

        switch type.definition {
        case let .composite(fields):
            if fields.count == 1 && fields[0].name == nil {
                // A newtype: its inner value stands for it, as the decoder gives it.
                var inner = try read(json, as: fields[0].typeID, path: path, depth: depth + 1)
                inner.typeID = typeID
                return inner
            }
            return .composite(try readFields(json, fields, path: path, depth: depth), typeID: typeID)

        case let .variant(variants):
            if type.path == ["Option"], let none = variants.first(where: { $0.name == "None" }),
               let some = variants.first(where: { $0.name == "Some" }), some.fields.count == 1
            {
                switch json {
                case .null, .string("None"): return .variant("None", index: none.index, typeID: typeID)
                case let .object(members) where members.count == 1 && members[0].key == "Some":
                    let inner = try read(members[0].value, as: some.fields[0].typeID, path: path + ["Some"], depth: depth + 1)
                    return .variant("Some", index: some.index, [.init(name: nil, value: inner)], typeID: typeID)
                default:
                    let inner = try read(json, as: some.fields[0].typeID, path: path, depth: depth + 1)
                    return .variant("Some", index: some.index, [.init(name: nil, value: inner)], typeID: typeID)
                }
            }
            let name: String, payload: JSON
            switch json {
            case let .string(text): (name, payload) = (text, .null)
            case let .object(members) where members.count == 1: (name, payload) = (members[0].key, members[0].value)
            default: throw fail("expected \"Variant\" or {\"Variant\": …} (one of \(Self.list(variants.map(\.name))))")
            }
            guard let variant = variants.first(where: { $0.name == name }) else {
                throw fail("no variant \(name) (one of \(Self.list(variants.map(\.name))))")
            }
            let fields = try readFields(payload, variant.fields, path: path + [name], depth: depth)
            return .variant(name, index: variant.index, fields, typeID: typeID)

        case let .sequence(element):
            if isByte(element), let bytes = try readBytes(json, length: nil, fail: fail) { return .bytes(bytes, typeID: typeID) }
            guard case let .array(items) = json else { throw fail("expected an array") }
            var values = [Value]()
            for (position, item) in items.enumerated() {
                values.append(try read(item, as: element, path: path + ["\(position)"], depth: depth + 1))
            }
            return Value(.sequence(values), typeID: typeID)

        case let .array(length, element):
            if isByte(element), let bytes = try readBytes(json, length: Int(length), fail: fail) { return .bytes(bytes, typeID: typeID) }
            guard case let .array(items) = json else { throw fail("expected an array of \(length)") }
            guard items.count == Int(length) else { throw fail("expected \(length) element(s), got \(items.count)") }
            var values = [Value]()
            for (position, item) in items.enumerated() {
                values.append(try read(item, as: element, path: path + ["\(position)"], depth: depth + 1))
            }
            return Value(.array(values), typeID: typeID)

        case let .tuple(elements):
            if elements.isEmpty, json == .null || json == .array([]) { return Value(.tuple([]), typeID: typeID) }
            guard case let .array(items) = json, items.count == elements.count else {
                throw fail("expected an array of \(elements.count)")
            }
            var values = [Value]()
            for (position, (item, element)) in zip(items, elements).enumerated() {
                values.append(try read(item, as: element, path: path + ["\(position)"], depth: depth + 1))
            }
            return Value(.tuple(values), typeID: typeID)

        case let .primitive(primitive):
            return .primitive(try readPrimitive(json, as: primitive, fail: fail), typeID: typeID)

        case .compact:
            guard let primitive = compactPrimitive(typeID) else { throw fail("compact of a non-integer type") }
            return Value(.compact(try readPrimitive(json, as: primitive, fail: fail)), typeID: typeID)

        case .bitSequence:
            guard case let .string(text) = json, text.allSatisfy({ $0 == "0" || $0 == "1" }) else {
                throw fail("expected a string of 0s and 1s")
            }
            return Value(.bitSequence(BitSequence(bits: text.map { $0 == "1" })), typeID: typeID)
        }
    }

    /// Struct or variant fields: an object by name, an array in order, the bare value of a
    /// single unnamed field, or null/{} for none.
    private func readFields(_ json: JSON, _ fields: [Field], path: [String], depth: Int) throws(Mismatch) -> [Value.NamedValue] {
        func fail(_ reason: String) -> Mismatch { Mismatch(path: path.joined(separator: "."), reason: reason) }
        if fields.isEmpty {
            guard json == .null || json == .object([]) || json == .array([]) else { throw fail("takes no fields") }
            return []
        }
        var given = [JSON]()
        if fields.allSatisfy({ $0.name != nil }), case let .object(members) = json {
            let names = fields.compactMap(\.name)
            if let unknown = members.first(where: { !names.contains($0.key) }) {
                throw fail("unknown field \(unknown.key) (fields: \(Self.list(names)))")
            }
            for name in names {
                guard let member = members.first(where: { $0.key == name }) else { throw fail("missing field \(name)") }
                given.append(member.value)
            }
        } else if fields.count == 1 {
            given = [json]
        } else if case let .array(items) = json, items.count == fields.count {
            given = items
        } else {
            throw fail("expected \(fields.allSatisfy { $0.name != nil } ? "an object with" : "an array of") \(fields.count) field(s)")
        }
        var values = [Value.NamedValue]()
        for (position, (field, item)) in zip(fields, given).enumerated() {
            // A lone unnamed field (an outer enum's pallet payload) adds nothing to the path.
            let place = field.name ?? (fields.count == 1 ? nil : "\(position)")
            let value = try read(item, as: field.typeID, path: path + (place.map { [$0] } ?? []), depth: depth + 1)
            values.append(.init(name: field.name, value: value))
        }
        return values
    }

    /// Bytes from `0x` hex (or an SS58 address for 32 bytes); nil when the JSON is an array, to be
    /// read element by element.
    private func readBytes(_ json: JSON, length: Int?, fail: (String) -> Mismatch) throws(Mismatch) -> [UInt8]? {
        guard case let .string(text) = json else {
            if case .array = json { return nil }
            throw fail("expected 0x hex bytes")
        }
        let bytes: [UInt8]
        if text.hasPrefix("0x"), let decoded = Hex.decode(text) {
            bytes = decoded
        } else if length == 32, let decoded = try? SS58.decode(text).account {
            bytes = decoded
        } else {
            throw fail(length == 32 ? "expected 0x hex bytes or an SS58 address, got \(text)" : "expected 0x hex bytes, got \(text)")
        }
        if let length, bytes.count != length { throw fail("expected \(length) bytes, got \(bytes.count)") }
        return bytes
    }

    private func readPrimitive(_ json: JSON, as primitive: PrimitiveType, fail: (String) -> Mismatch) throws(Mismatch) -> Value.Primitive {
        switch primitive {
        case .bool:
            guard case let .bool(flag) = json else { throw fail("expected true or false") }
            return .bool(flag)
        case .char:
            guard case let .string(text) = json, text.unicodeScalars.count == 1, let scalar = text.unicodeScalars.first else {
                throw fail("expected a one-character string")
            }
            return .char(scalar)
        case .str:
            guard case let .string(text) = json else { throw fail("expected a string") }
            return .string(text)
        default:
            let text: String
            switch json {
            case let .number(digits), let .string(digits): text = digits
            default: throw fail("expected an integer")
            }
            guard let integer = BigInt(text, radix: 10) else { throw fail("\(text) is not an integer") }
            guard let value = Self.integer(integer, as: primitive) else { throw fail("\(text) does not fit \(primitive)") }
            return value
        }
    }

    private static func integer(_ n: BigInt, as primitive: PrimitiveType) -> Value.Primitive? {
        switch primitive {
        case .u8: UInt8(exactly: n).map { .u8($0) }
        case .u16: UInt16(exactly: n).map { .u16($0) }
        case .u32: UInt32(exactly: n).map { .u32($0) }
        case .u64: UInt64(exactly: n).map { .u64($0) }
        case .u128: n.signum() >= 0 && n.bitWidth <= 129 ? UInt128(n.description).map { .u128($0) } : nil
        case .u256: n.signum() >= 0 && n.magnitude.bitWidth <= 256 ? .u256(n.magnitude) : nil
        case .i8: Int8(exactly: n).map { .i8($0) }
        case .i16: Int16(exactly: n).map { .i16($0) }
        case .i32: Int32(exactly: n).map { .i32($0) }
        case .i64: Int64(exactly: n).map { .i64($0) }
        case .i128: Int128(n.description).map { .i128($0) }
        case .i256: n.bitWidth <= 256 ? .i256(n) : nil
        case .bool, .char, .str: nil
        }
    }

    /// The integer type a `Compact<T>` carries, looking through newtypes (`Compact<Perbill>`).
    private func compactPrimitive(_ typeID: UInt32) -> PrimitiveType? {
        guard case let .compact(inner)? = registry[typeID]?.definition else { return nil }
        var current = inner
        for _ in 0..<ValueDecoder.maximumDepth {
            switch registry[current]?.definition {
            case let .primitive(primitive)?: return primitive
            case let .composite(fields)? where fields.count == 1: current = fields[0].typeID
            case .tuple([])?: return .u8  // Compact<()>: only zero fits
            default: return nil
            }
        }
        return nil
    }

    private func isByte(_ typeID: UInt32) -> Bool {
        if case .primitive(.u8)? = registry[typeID]?.definition { return true }
        return false
    }

    private static func list(_ names: [String]) -> String {
        names.count <= 12 ? names.joined(separator: ", ") : names.prefix(12).joined(separator: ", ") + ", …"
    }
}
