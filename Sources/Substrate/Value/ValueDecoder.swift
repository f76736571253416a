public import SCALE

/// Decodes SCALE bytes into `Value`s, walking the type registry; also skips values without
/// building them (to find where a value ends).
public struct ValueDecoder: Sendable {
    public let registry: TypeRegistry
    let table: TypeTable
    /// Deeper nesting than this is treated as malformed (guards against recursive types).
    public static let maximumDepth = 128

    public init(registry: TypeRegistry) {
        self.registry = registry
        table = registry.table
    }

    public func decode(_ typeID: UInt32, from decoder: inout SCALEDecoder) throws(SCALEError) -> Value {
        guard let position = registry.position(of: typeID) else {
            throw decoder.error(.invalid("unknown type id \(typeID)"))
        }
        return try decode(position: position, from: &decoder, depth: 0)
    }

    /// Decodes a whole buffer as one value of `typeID`; leftover bytes are an error.
    public func decode(_ typeID: UInt32, bytes: [UInt8], baseOffset: Int = 0) throws(SCALEError) -> Value {
        var decoder = SCALEDecoder(bytes, baseOffset: baseOffset)
        let value = try decode(typeID, from: &decoder)
        try decoder.expectEnd()
        return value
    }

    /// The value at a dotted field path (`data.free`) inside a whole buffer of `typeID`, the same
    /// as `decode(_:bytes:).value(at:)` gives, but building only what the path leads to: the
    /// other fields of the structs on the way are skipped. The buffer must still be one whole
    /// value (leftover bytes are an error). Nil when the path leads nowhere.
    public func decode(_ typeID: UInt32, bytes: [UInt8], at path: String) throws(SCALEError) -> Value? {
        var decoder = SCALEDecoder(bytes)
        guard let position = registry.position(of: typeID) else {
            throw decoder.error(.invalid("unknown type id \(typeID)"))
        }
        let components = path.split(separator: ".", omittingEmptySubsequences: true).map(String.init)
        let value = try decode(position: position, path: components[...], from: &decoder, depth: 0)
        try decoder.expectEnd()
        return value
    }

    public func skip(_ typeID: UInt32, in decoder: inout SCALEDecoder) throws(SCALEError) {
        guard let position = registry.position(of: typeID) else {
            throw decoder.error(.invalid("unknown type id \(typeID)"))
        }
        try skip(position: position, in: &decoder, depth: 0)
    }

    // MARK: Building values

    /// Down a path through structs by field name, skipping their other fields; anything else
    /// on the way (enums, lists, tuples, fields named by position) is built whole and the rest
    /// of the path followed in it, as `Value.value(at:)` does.
    private func decode(position: Int, path: ArraySlice<String>, from decoder: inout SCALEDecoder, depth: Int) throws(SCALEError) -> Value? {
        guard let key = path.first else { return try decode(position: position, from: &decoder, depth: depth) }
        guard depth < Self.maximumDepth else { throw decoder.error(.invalid("type nesting deeper than \(Self.maximumDepth)")) }
        let node = table.nodes[position]
        if node.kind == .composite {
            let fields = node.childStart..<node.childStart + node.childCount
            if node.childCount == 1, table.fieldNames[node.childStart] == nil {
                // A newtype is looked through, as its decoded value is its content.
                return try decode(position: table.fieldTypes[node.childStart], path: path, from: &decoder, depth: depth + 1)
            }
            if let target = field(named: key, in: fields) {
                return try reading(target, among: fields, from: &decoder, depth: depth) { type, decoder throws(SCALEError) in
                    try decode(position: type, path: path.dropFirst(), from: &decoder, depth: depth + 1)
                }
            }
        }
        let whole = try decode(position: position, from: &decoder, depth: depth)
        return whole.value(at: path.joined(separator: "."))
    }

    /// The struct field among `fields` named `name`.
    func field(named name: String, in fields: Range<Int>) -> Int? {
        fields.first { table.fieldNames[$0] == name }
    }

    /// Reads the field `target` among a struct's or tuple's `fields` with `read` (given its type's
    /// position), skipping the others, so that exactly the whole struct is consumed.
    func reading<Found>(
        _ target: Int, among fields: Range<Int>, from decoder: inout SCALEDecoder, depth: Int,
        _ read: (Int, inout SCALEDecoder) throws(SCALEError) -> Found?
    ) throws(SCALEError) -> Found? {
        var found: Found?
        for field in fields {
            if field == target {
                found = try read(table.fieldTypes[field], &decoder)
            } else {
                try skip(position: table.fieldTypes[field], in: &decoder, depth: depth + 1)
            }
        }
        return found
    }

    func decode(position: Int, from decoder: inout SCALEDecoder, depth: Int) throws(SCALEError) -> Value {
        guard depth < Self.maximumDepth else { throw decoder.error(.invalid("type nesting deeper than \(Self.maximumDepth)")) }
        let node = table.nodes[position]
        let kind: Value.Kind
        switch node.kind {
        case .composite where node.childCount == 1 && table.fieldNames[node.childStart] == nil:
            // A newtype (`struct AccountId32([u8; 32])`, `struct Perbill(u32)`): the inner value,
            // tagged with the wrapper's type. Saves an allocation per wrapper; encoding and JSON
            // treat a newtype and its content alike.
            kind = try decode(position: table.fieldTypes[node.childStart], from: &decoder, depth: depth + 1).kind

        case .composite:
            kind = .composite(try decodeFields(start: node.childStart, count: node.childCount, from: &decoder, depth: depth))

        case .variant:
            let variant = try readVariant(of: node, at: position, from: &decoder)
            let fields = try decodeFields(start: variant.fieldStart, count: variant.fieldCount, from: &decoder, depth: depth)
            kind = .variant(.init(name: table.variantNames[variant.name], index: variant.index, fields: fields))

        case .sequence:
            let element = table.nodes[node.element]
            if element.isByte {
                kind = .bytes(try decoder.decodeByteVector())
            } else {
                let count = try decoder.decodeLength(minimumElementSize: element.minimumSize)
                var values = [Value]()
                values.reserveCapacity(count)
                for _ in 0..<count { values.append(try decode(position: node.element, from: &decoder, depth: depth + 1)) }
                kind = .sequence(values)
            }

        case .array:
            let element = table.nodes[node.element]
            if element.isByte {
                kind = .bytes(try decoder.readBytes(node.length))
            } else {
                try checkArrayLength(node.length, element: element, decoder: decoder)
                var values = [Value]()
                values.reserveCapacity(node.length)
                for _ in 0..<node.length { values.append(try decode(position: node.element, from: &decoder, depth: depth + 1)) }
                kind = .array(values)
            }

        case .tuple:
            var values = [Value]()
            values.reserveCapacity(node.childCount)
            for field in node.childStart..<node.childStart + node.childCount {
                values.append(try decode(position: table.fieldTypes[field], from: &decoder, depth: depth + 1))
            }
            kind = .tuple(values)

        case .primitive:
            kind = .primitive(try decodePrimitive(node.primitive, from: &decoder))

        case .compact:
            kind = .compact(node.hasCompactPayload ? try decodeCompact(node.primitive, from: &decoder) : .u8(0))

        case .bitSequence:
            kind = .bitSequence(try decoder.decodeBitSequence(store: node.bitStore, order: node.bitOrder))
        }
        return Value(kind, typeID: node.id)
    }

    private func decodeFields(start: Int, count: Int, from decoder: inout SCALEDecoder, depth: Int) throws(SCALEError) -> [Value.NamedValue] {
        var values = [Value.NamedValue]()
        values.reserveCapacity(count)
        for field in start..<start + count {
            let value = try decode(position: table.fieldTypes[field], from: &decoder, depth: depth + 1)
            values.append(.init(name: table.fieldNames[field], value: value))
        }
        return values
    }

    /// Reads an enum's index byte and finds its variant.
    private func readVariant(of node: TypeTable.Node, at position: Int, from decoder: inout SCALEDecoder) throws(SCALEError) -> TypeTable.VariantNode {
        let start = decoder.position
        let index = try decoder.readByte()
        let slot = Int(table.variantLookup[node.lookupStart + Int(index)])
        guard slot >= 0 else {
            let name = registry.types[position].path.joined(separator: "::")
            throw decoder.error(.invalid("no variant with index \(index) in type \(node.id) (\(name))"), at: start)
        }
        return table.variants[slot]
    }

    private func checkArrayLength(_ length: Int, element: TypeTable.Node, decoder: SCALEDecoder) throws(SCALEError) {
        let (needed, overflow) = length.multipliedReportingOverflow(by: element.minimumSize)
        if overflow || needed > decoder.remaining
            || (element.minimumSize == 0 && UInt64(length) > SCALEDecoder.zeroSizedElementLimit)
        {
            throw decoder.error(.lengthTooLarge(UInt64(length)))
        }
    }

    private func decodePrimitive(_ primitive: PrimitiveType, from decoder: inout SCALEDecoder) throws(SCALEError) -> Value.Primitive {
        switch primitive {
        case .bool: return .bool(try decoder.decodeBool())
        case .char:
            let start = decoder.position
            let raw = try decoder.decode(UInt32.self)
            guard let scalar = Unicode.Scalar(raw) else { throw decoder.error(.invalidChar(raw), at: start) }
            return .char(scalar)
        case .str: return .string(try decoder.decodeString())
        case .u8: return .u8(try decoder.decode())
        case .u16: return .u16(try decoder.decode())
        case .u32: return .u32(try decoder.decode())
        case .u64: return .u64(try decoder.decode())
        case .u128: return .u128(try decoder.decode())
        case .u256: return .u256(try decoder.decodeUInt256())
        case .i8: return .i8(try decoder.decode())
        case .i16: return .i16(try decoder.decode())
        case .i32: return .i32(try decoder.decode())
        case .i64: return .i64(try decoder.decode())
        case .i128: return .i128(try decoder.decode())
        case .i256: return .i256(try decoder.decodeInt256())
        }
    }

    private func decodeCompact(_ primitive: PrimitiveType, from decoder: inout SCALEDecoder) throws(SCALEError) -> Value.Primitive {
        switch primitive {
        case .u8: return .u8(try decoder.decodeCompact())
        case .u16: return .u16(try decoder.decodeCompact())
        case .u32: return .u32(try decoder.decodeCompact())
        case .u64: return .u64(try decoder.decodeCompact())
        default: return .u128(try decoder.decodeCompact())
        }
    }

    // MARK: Skipping

    func skip(position: Int, in decoder: inout SCALEDecoder, depth: Int) throws(SCALEError) {
        let node = table.nodes[position]
        if node.fixedSize >= 0 {
            try decoder.skip(node.fixedSize)
            return
        }
        guard depth < Self.maximumDepth else { throw decoder.error(.invalid("type nesting deeper than \(Self.maximumDepth)")) }
        switch node.kind {
        case .composite, .tuple:
            for field in node.childStart..<node.childStart + node.childCount {
                try skip(position: table.fieldTypes[field], in: &decoder, depth: depth + 1)
            }
        case .variant:
            let variant = try readVariant(of: node, at: position, from: &decoder)
            for field in variant.fieldStart..<variant.fieldStart + variant.fieldCount {
                try skip(position: table.fieldTypes[field], in: &decoder, depth: depth + 1)
            }
        case .sequence:
            let element = table.nodes[node.element]
            let count = try decoder.decodeLength(minimumElementSize: element.minimumSize)
            if element.fixedSize >= 0 {
                try decoder.skip(count * element.fixedSize)
            } else {
                for _ in 0..<count { try skip(position: node.element, in: &decoder, depth: depth + 1) }
            }
        case .array:
            try checkArrayLength(node.length, element: table.nodes[node.element], decoder: decoder)
            for _ in 0..<node.length { try skip(position: node.element, in: &decoder, depth: depth + 1) }
        case .primitive:
            _ = try decodePrimitive(node.primitive, from: &decoder)
        case .compact:
            if node.hasCompactPayload { _ = try decodeCompact(node.primitive, from: &decoder) }
        case .bitSequence:
            try decoder.skipBitSequence(store: node.bitStore)
        }
    }
}
