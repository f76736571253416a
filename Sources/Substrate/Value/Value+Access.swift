public import BigInt

// Reading into values: field paths (`data.free`), exact integers, names.

extension Value {
    /// The named field of a struct or of a variant's payload.
    public subscript(field name: String) -> Value? {
        switch kind {
        case let .composite(fields): fields.first { $0.name == name }?.value
        case let .variant(variant): variant.fields.first { $0.name == name }?.value
        default: nil
        }
    }

    /// Follows a dotted path of field names (`data.free`), positions (`0`, for tuples and
    /// unnamed fields) or variant names (`Ump.Para`). Newtype wrappers on the way are looked through.
    public func value(at path: String) -> Value? {
        // One field: no splitting (the common case, and the one paths are walked by).
        if !path.isEmpty, !path.utf8.contains(UInt8(ascii: ".")) { return child(path) }
        var current: Value? = self
        for component in path.split(separator: ".") where !component.isEmpty {
            guard let value = current else { return nil }
            current = value.child(String(component))
        }
        return current
    }

    private func child(_ key: String) -> Value? {
        if let named = self[field: key] { return named }
        // An enum's variant name selects its payload (`origin.Ump.Para`).
        if case let .variant(variant) = kind, variant.name == key {
            return variant.fields.count == 1 ? variant.fields[0].value : Value(.composite(variant.fields))
        }
        if let index = Int(key) {
            switch kind {
            case let .composite(fields): return fields.indices.contains(index) ? fields[index].value : nil
            case let .variant(variant): return variant.fields.indices.contains(index) ? variant.fields[index].value : nil
            // Lists also from the end: `-1` is the last element (a swap path's last asset).
            case let .sequence(values), let .array(values):
                let position = index < 0 ? values.count + index : index
                return values.indices.contains(position) ? values[position] : nil
            case let .tuple(values): return values.indices.contains(index) ? values[index] : nil
            default: return nil
            }
        }
        // Look through a newtype (`struct Foo(Bar)`) or `Some(x)` to find the field inside.
        if let inner = unwrappedNewtype, inner != self { return inner.child(key) }
        return nil
    }

    /// The single unnamed field of a tuple struct, or nil.
    public var unwrappedNewtype: Value? {
        switch kind {
        case let .composite(fields) where fields.count == 1 && fields[0].name == nil: fields[0].value
        case let .variant(variant) where variant.name == "Some" && variant.fields.count == 1: variant.fields[0].value
        default: nil
        }
    }

    /// The variant's name, for enums.
    public var variantName: String? {
        if case let .variant(variant) = kind { return variant.name }
        return nil
    }

    /// The integer this value holds (through compact and newtype wrappers), exactly, if it is
    /// a non-negative integer that fits 128 bits.
    public var uint128: UInt128? {
        switch kind {
        case let .primitive(primitive), let .compact(primitive): primitive.uint128
        case .composite: unwrappedNewtype?.uint128
        default: nil
        }
    }

    public var uint64: UInt64? { uint128.flatMap { UInt64(exactly: $0) } }

    /// Any integer as an exact big integer (including u256/i256 and negatives).
    public var bigInt: BigInt? {
        switch kind {
        case let .primitive(primitive), let .compact(primitive): primitive.bigInt
        case .composite: unwrappedNewtype?.bigInt
        default: nil
        }
    }

    public var bool: Bool? {
        if case let .primitive(.bool(flag)) = kind { return flag }
        return unwrappedNewtype?.bool
    }

    public var string: String? {
        if case let .primitive(.string(text)) = kind { return text }
        return unwrappedNewtype?.string
    }

    /// Bytes of `Vec<u8>`/`[u8; N]`, through newtypes (`AccountId32`, `H256`).
    public var bytes: [UInt8]? {
        if case let .bytes(raw) = kind { return raw }
        return unwrappedNewtype?.bytes
    }
}

extension Value.Primitive {
    public var uint128: UInt128? {
        switch self {
        case let .u8(v): UInt128(v)
        case let .u16(v): UInt128(v)
        case let .u32(v): UInt128(v)
        case let .u64(v): UInt128(v)
        case let .u128(v): v
        case let .u256(v): v.bitWidth <= 128 ? UInt128(v.description) : nil
        case let .i8(v): UInt128(exactly: v)
        case let .i16(v): UInt128(exactly: v)
        case let .i32(v): UInt128(exactly: v)
        case let .i64(v): UInt128(exactly: v)
        case let .i128(v): UInt128(exactly: v)
        case let .i256(v): v.sign == .plus && v.magnitude.bitWidth <= 128 ? UInt128(v.description) : nil
        case .bool, .char, .string: nil
        }
    }

    public var bigInt: BigInt? {
        switch self {
        case let .u8(v): BigInt(v)
        case let .u16(v): BigInt(v)
        case let .u32(v): BigInt(v)
        case let .u64(v): BigInt(v)
        case let .u128(v): BigInt(v.description)
        case let .u256(v): BigInt(v)
        case let .i8(v): BigInt(v)
        case let .i16(v): BigInt(v)
        case let .i32(v): BigInt(v)
        case let .i64(v): BigInt(v)
        case let .i128(v): BigInt(v.description)
        case let .i256(v): v
        case .bool, .char, .string: nil
        }
    }

    /// Whether JSON should carry it as a string to keep it exact (wider than 64 bits).
    public var isWide: Bool {
        switch self {
        case .u128, .u256, .i128, .i256: true
        default: false
        }
    }
}
