public import ExactJSON
import SCALE

/// Renders `Value`s as JSON the way explorers and the corpus' `expected.json` files show them:
/// integers up to 64 bits as numbers, wider ones as exact decimal strings; bytes as 0x hex;
/// newtypes as their inner value; `Option` as null or the value; enums as `"Name"` or
/// `{"Name": payload}`; bit sequences as `"0101…"`.
public struct ValueJSONRenderer: Sendable {
    public let registry: TypeRegistry

    public init(registry: TypeRegistry) {
        self.registry = registry
    }

    public func render(_ value: Value) -> JSON {
        switch value.kind {
        case let .composite(fields):
            return renderStruct(fields)
        case let .variant(variant):
            if isOption(value.typeID) {
                return variant.name == "Some" && variant.fields.count == 1 ? render(variant.fields[0].value) : .null
            }
            if variant.fields.isEmpty { return .string(variant.name) }
            return .object([JSON.Member(variant.name, renderStruct(variant.fields))])
        case let .sequence(items), let .array(items):
            return .array(items.map(render))
        case let .tuple(items):
            return items.isEmpty ? .null : .array(items.map(render))
        case let .bytes(raw):
            return .string(Hex.encode(raw))
        case let .primitive(primitive), let .compact(primitive):
            return render(primitive)
        case let .bitSequence(bits):
            return .string(bits.binaryString)
        }
    }

    /// Fields at the top of an event or call: an object when named, an array when unnamed
    /// (even a single one), `{}` when there are none.
    public func renderFields(_ fields: [Value.NamedValue]) -> JSON {
        if fields.isEmpty { return .object([]) }
        if fields.allSatisfy({ $0.name != nil }) {
            return .object(fields.map { JSON.Member($0.name ?? "", render($0.value)) })
        }
        return .array(fields.map { render($0.value) })
    }

    private func renderStruct(_ fields: [Value.NamedValue]) -> JSON {
        if fields.isEmpty { return .null }
        if fields.allSatisfy({ $0.name != nil }) {
            return .object(fields.map { JSON.Member($0.name ?? "", render($0.value)) })
        }
        if fields.count == 1 { return render(fields[0].value) }
        return .array(fields.map { render($0.value) })
    }

    private func render(_ primitive: Value.Primitive) -> JSON {
        switch primitive {
        case let .bool(flag): .bool(flag)
        case let .char(scalar): .string(String(Character(scalar)))
        case let .string(text): .string(text)
        case let .u8(v): .number(v)
        case let .u16(v): .number(v)
        case let .u32(v): .number(v)
        case let .u64(v): .number(v)
        case let .i8(v): .number(v)
        case let .i16(v): .number(v)
        case let .i32(v): .number(v)
        case let .i64(v): .number(v)
        case let .u128(v): .string(String(v))
        case let .i128(v): .string(String(v))
        case let .u256(v): .string(v.description)
        case let .i256(v): .string(v.description)
        }
    }

    private func isOption(_ typeID: UInt32?) -> Bool {
        guard let typeID, let type = registry[typeID] else { return false }
        return type.path == ["Option"]
    }
}
