public import SCALE
import BigInt

/// Encodes `Value`s back to SCALE bytes as the registry type says; the inverse of `ValueDecoder`.
public struct ValueEncoder: Sendable {
    public let registry: TypeRegistry

    public init(registry: TypeRegistry) {
        self.registry = registry
    }

    public struct Mismatch: Error, Sendable, CustomStringConvertible {
        public let typeID: UInt32
        public let reason: String
        public var description: String { "value does not fit type \(typeID): \(reason)" }
    }

    public func encode(_ value: Value, as typeID: UInt32) throws(Mismatch) -> [UInt8] {
        var encoder = SCALEEncoder()
        try encode(value, as: typeID, into: &encoder)
        return encoder.bytes
    }

    public func encode(_ value: Value, as typeID: UInt32, into encoder: inout SCALEEncoder) throws(Mismatch) {
        try encode(value, as: typeID, into: &encoder, depth: 0)
    }

    private func encode(_ value: Value, as typeID: UInt32, into encoder: inout SCALEEncoder, depth: Int) throws(Mismatch) {
        func fail(_ reason: String) -> Mismatch { Mismatch(typeID: typeID, reason: reason) }
        guard depth < ValueDecoder.maximumDepth else { throw fail("nesting too deep") }
        guard let type = registry[typeID] else { throw fail("no such type") }

        switch (type.definition, value.kind) {
        case let (.composite(fields), .composite(values)) where fields.count != 1 || values.count == 1:
            guard fields.count == values.count else { throw fail("expected \(fields.count) field(s), got \(values.count)") }
            for (field, named) in zip(fields, orderedByName(values, fields: fields)) {
                try encode(named, as: field.typeID, into: &encoder, depth: depth + 1)
            }
        case let (.composite(fields), _) where fields.count == 1:
            // A bare value for a newtype: encode it as the wrapped type.
            try encode(value, as: fields[0].typeID, into: &encoder, depth: depth + 1)
        case let (.variant(variants), .variant(given)):
            guard let variant = variants.first(where: { $0.name == given.name }) ?? variants.first(where: { $0.index == given.index })
            else { throw fail("no variant \(given.name)") }
            guard variant.fields.count == given.fields.count else {
                throw fail("variant \(variant.name) takes \(variant.fields.count) field(s), got \(given.fields.count)")
            }
            encoder.append(variant.index)
            for (field, named) in zip(variant.fields, orderedByName(given.fields, fields: variant.fields)) {
                try encode(named, as: field.typeID, into: &encoder, depth: depth + 1)
            }
        case let (.sequence(element), .bytes(raw)) where isByte(element):
            encoder.encodeByteVector(raw)
        case let (.sequence(element), .sequence(values)), let (.sequence(element), .array(values)):
            encoder.encodeLength(values.count)
            for item in values { try encode(item, as: element, into: &encoder, depth: depth + 1) }
        case let (.array(length, element), .bytes(raw)) where isByte(element):
            guard raw.count == Int(length) else { throw fail("expected \(length) bytes, got \(raw.count)") }
            encoder.append(contentsOf: raw)
        case let (.array(length, element), .array(values)), let (.array(length, element), .sequence(values)):
            guard values.count == Int(length) else { throw fail("expected \(length) element(s), got \(values.count)") }
            for item in values { try encode(item, as: element, into: &encoder, depth: depth + 1) }
        case let (.tuple(elements), .tuple(values)):
            guard elements.count == values.count else { throw fail("expected a \(elements.count)-tuple") }
            for (element, item) in zip(elements, values) { try encode(item, as: element, into: &encoder, depth: depth + 1) }
        case let (.primitive(primitive), .primitive(given)):
            try encodePrimitive(given, as: primitive, into: &encoder, fail: fail)
        case (.compact, .compact(let given)), (.compact, .primitive(let given)):
            guard let integer = given.uint128 else { throw fail("compact needs a non-negative integer") }
            encoder.encodeCompact(integer)
        case let (.compact, .composite(values)) where values.count == 1:
            try encode(values[0].value, as: typeID, into: &encoder, depth: depth + 1)
        case let (.bitSequence, .bitSequence(bits)):
            guard let position = registry.position(of: typeID) else { throw fail("bad bit sequence type") }
            let node = registry.table.nodes[position]
            encoder.encode(bits, store: node.bitStore, order: node.bitOrder)
        default:
            throw fail("a \(value.kind.label) value cannot be encoded as \(type.definition.label)")
        }
    }

    private func isByte(_ typeID: UInt32) -> Bool {
        if case .primitive(.u8)? = registry[typeID]?.definition { return true }
        return false
    }

    /// Named values in the field order of the type (callers may build them in any order).
    private func orderedByName(_ values: [Value.NamedValue], fields: [Field]) -> [Value] {
        guard fields.allSatisfy({ $0.name != nil }), values.allSatisfy({ $0.name != nil }) else { return values.map(\.value) }
        return fields.map { field in values.first { $0.name == field.name }?.value ?? values[0].value }
    }

    private func encodePrimitive(
        _ given: Value.Primitive, as primitive: PrimitiveType, into encoder: inout SCALEEncoder,
        fail: (String) -> Mismatch
    ) throws(Mismatch) {
        switch (primitive, given) {
        case let (.bool, .bool(flag)): encoder.encode(flag)
        case let (.char, .char(scalar)): encoder.encode(scalar.value)
        case let (.str, .string(text)): encoder.encode(text)
        case (.u256, _):
            guard let big = given.bigInt, big.sign == .plus, encoder.encodeUInt256(big.magnitude) else { throw fail("not a u256") }
        case (.i256, _):
            guard let big = given.bigInt, encoder.encodeInt256(big) else { throw fail("not an i256") }
        default:
            guard let big = given.bigInt else { throw fail("expected \(primitive), got \(given)") }
            let text = big.description
            func put<T: FixedWidthInteger>(_: T.Type) throws(Mismatch) {
                guard let value = T(text) else { throw fail("\(text) is not a \(primitive)") }
                encoder.encode(value)
            }
            switch primitive {
            case .u8: try put(UInt8.self)
            case .u16: try put(UInt16.self)
            case .u32: try put(UInt32.self)
            case .u64: try put(UInt64.self)
            case .u128: try put(UInt128.self)
            case .i8: try put(Int8.self)
            case .i16: try put(Int16.self)
            case .i32: try put(Int32.self)
            case .i64: try put(Int64.self)
            case .i128: try put(Int128.self)
            default: throw fail("expected \(primitive), got \(given)")
            }
        }
    }
}

extension Value.Kind {
    var label: String {
        switch self {
        case .composite: "composite"
        case .variant: "variant"
        case .sequence: "sequence"
        case .array: "array"
        case .tuple: "tuple"
        case .bytes: "bytes"
        case .primitive: "primitive"
        case .compact: "compact"
        case .bitSequence: "bit sequence"
        }
    }
}

extension TypeDefinition {
    var label: String {
        switch self {
        case .composite: "composite"
        case .variant: "variant"
        case .sequence: "sequence"
        case .array: "array"
        case .tuple: "tuple"
        case let .primitive(primitive): "\(primitive)"
        case .compact: "compact"
        case .bitSequence: "bit sequence"
        }
    }
}
