import BigInt
import SCALE

extension TypeRegistry {
    public struct NoDefault: Error, Sendable, CustomStringConvertible {
        public let typeID: UInt32
        public var description: String { "type \(typeID) has no value to start from (an enum without variants, or recursion)" }
    }

    /// The plainest value of a type: zero integers, false, empty strings and sequences, the
    /// lowest-indexed variant, zeroed byte arrays. A starting point for building values field by
    /// field (a simulated chain's storage, a test's extrinsic).
    public func defaultValue(of typeID: UInt32) throws(NoDefault) -> Value {
        try defaultValue(of: typeID, depth: 0)
    }

    private func defaultValue(of typeID: UInt32, depth: Int) throws(NoDefault) -> Value {
        guard depth < ValueDecoder.maximumDepth, let type = self[typeID] else { throw NoDefault(typeID: typeID) }
        switch type.definition {
        case let .composite(fields):
            var values = [Value.NamedValue]()
            for field in fields { values.append(.init(name: field.name, value: try defaultValue(of: field.typeID, depth: depth + 1))) }
            return Value(.composite(values), typeID: typeID)
        case let .variant(variants):
            guard let first = variants.min(by: { $0.index < $1.index }) else { throw NoDefault(typeID: typeID) }
            var values = [Value.NamedValue]()
            for field in first.fields { values.append(.init(name: field.name, value: try defaultValue(of: field.typeID, depth: depth + 1))) }
            return .variant(first.name, index: first.index, values, typeID: typeID)
        case let .sequence(element):
            if case .primitive(.u8)? = self[element]?.definition { return .bytes([], typeID: typeID) }
            return Value(.sequence([]), typeID: typeID)
        case let .array(length, element):
            if case .primitive(.u8)? = self[element]?.definition { return .bytes([UInt8](repeating: 0, count: Int(length)), typeID: typeID) }
            var values = [Value]()
            for _ in 0..<length { values.append(try defaultValue(of: element, depth: depth + 1)) }
            return Value(.array(values), typeID: typeID)
        case let .tuple(elements):
            var values = [Value]()
            for element in elements { values.append(try defaultValue(of: element, depth: depth + 1)) }
            return Value(.tuple(values), typeID: typeID)
        case let .primitive(primitive):
            let zero: Value.Primitive
            switch primitive {
            case .bool: zero = .bool(false)
            case .char: zero = .char("\0")
            case .str: zero = .string("")
            case .u8: zero = .u8(0)
            case .u16: zero = .u16(0)
            case .u32: zero = .u32(0)
            case .u64: zero = .u64(0)
            case .u128: zero = .u128(0)
            case .u256: zero = .u256(0)
            case .i8: zero = .i8(0)
            case .i16: zero = .i16(0)
            case .i32: zero = .i32(0)
            case .i64: zero = .i64(0)
            case .i128: zero = .i128(0)
            case .i256: zero = .i256(0)
            }
            return .primitive(zero, typeID: typeID)
        case .compact:
            return Value(.compact(.u8(0)), typeID: typeID)
        case .bitSequence:
            return Value(.bitSequence(BitSequence(bits: [])), typeID: typeID)
        }
    }
}

extension Value {
    /// A copy with the value at a dotted field path (`data.free`) replaced; nil when the path
    /// does not lead through named struct or variant fields.
    public func replacing(_ path: String, with newValue: Value) -> Value? {
        let components = path.split(separator: ".").map(String.init)
        return replacing(components[...], with: newValue)
    }

    private func replacing(_ path: ArraySlice<String>, with newValue: Value) -> Value? {
        guard let key = path.first else { return newValue }
        switch kind {
        case var .composite(fields):
            guard let position = fields.firstIndex(where: { $0.name == key }),
                  let replaced = fields[position].value.replacing(path.dropFirst(), with: newValue)
            else { return nil }
            fields[position].value = replaced
            return Value(.composite(fields), typeID: typeID)
        case var .variant(variant):
            guard let position = variant.fields.firstIndex(where: { $0.name == key }),
                  let replaced = variant.fields[position].value.replacing(path.dropFirst(), with: newValue)
            else { return nil }
            variant.fields[position].value = replaced
            return Value(.variant(variant), typeID: typeID)
        default:
            return nil
        }
    }
}
