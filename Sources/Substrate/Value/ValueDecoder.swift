public import SCALE

/// Decodes SCALE bytes into `Value`s, walking the type registry; also skips values without
/// building them (to find where a value ends, as block and event decoding need).
public struct ValueDecoder: Sendable {
    public let registry: TypeRegistry
    /// Deeper nesting than this is treated as malformed (guards against recursive types).
    public static let maximumDepth = 128

    public init(registry: TypeRegistry) {
        self.registry = registry
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

    public func skip(_ typeID: UInt32, in decoder: inout SCALEDecoder) throws(SCALEError) {
        guard let position = registry.position(of: typeID) else {
            throw decoder.error(.invalid("unknown type id \(typeID)"))
        }
        try skip(position: position, in: &decoder, depth: 0)
    }

    // MARK: Building values

    private func decode(position: Int, from decoder: inout SCALEDecoder, depth: Int) throws(SCALEError) -> Value {
        guard depth < Self.maximumDepth else { throw decoder.error(.invalid("type nesting deeper than \(Self.maximumDepth)")) }
        let type = registry.types[position]
        let layout = registry.layouts[position]
        let id = type.id
        switch layout.shape {
        case let .composite(fieldPositions):
            guard case let .composite(fields) = type.definition else { preconditionFailure("layout/definition mismatch") }
            var values = [Value.NamedValue]()
            values.reserveCapacity(fields.count)
            for (field, fieldPosition) in zip(fields, fieldPositions) {
                values.append(.init(name: field.name, value: try decode(position: fieldPosition, from: &decoder, depth: depth + 1)))
            }
            return Value(.composite(values), typeID: id)

        case let .variant(lookup):
            guard case let .variant(variants) = type.definition else { preconditionFailure("layout/definition mismatch") }
            let start = decoder.position
            let index = try decoder.readByte()
            let slot = Int(lookup[Int(index)])
            guard slot >= 0 else {
                throw decoder.error(.invalid("no variant with index \(index) in type \(id) (\(type.path.joined(separator: "::")))"), at: start)
            }
            let variant = variants[slot]
            var values = [Value.NamedValue]()
            values.reserveCapacity(variant.fields.count)
            for field in variant.fields {
                guard let fieldPosition = registry.position(of: field.typeID) else { preconditionFailure("checked at load") }
                values.append(.init(name: field.name, value: try decode(position: fieldPosition, from: &decoder, depth: depth + 1)))
            }
            return Value(.variant(.init(name: variant.name, index: index, fields: values)), typeID: id)

        case let .sequence(element):
            let elementLayout = registry.layouts[element]
            if elementLayout.isByte { return Value(.bytes(try decoder.decodeByteVector()), typeID: id) }
            let count = try decoder.decodeLength(minimumElementSize: elementLayout.minimumSize)
            var values = [Value]()
            values.reserveCapacity(count)
            for _ in 0..<count { values.append(try decode(position: element, from: &decoder, depth: depth + 1)) }
            return Value(.sequence(values), typeID: id)

        case let .array(length, element):
            let elementLayout = registry.layouts[element]
            if elementLayout.isByte { return Value(.bytes(try decoder.readBytes(length)), typeID: id) }
            try checkArrayLength(length, elementLayout: elementLayout, decoder: decoder)
            var values = [Value]()
            values.reserveCapacity(length)
            for _ in 0..<length { values.append(try decode(position: element, from: &decoder, depth: depth + 1)) }
            return Value(.array(values), typeID: id)

        case let .tuple(elements):
            var values = [Value]()
            values.reserveCapacity(elements.count)
            for element in elements { values.append(try decode(position: element, from: &decoder, depth: depth + 1)) }
            return Value(.tuple(values), typeID: id)

        case let .primitive(primitive):
            return Value(.primitive(try decodePrimitive(primitive, from: &decoder)), typeID: id)

        case let .compact(primitive):
            return Value(.compact(try decodeCompact(primitive, from: &decoder)), typeID: id)

        case let .bitSequence(store, order):
            return Value(.bitSequence(try decoder.decodeBitSequence(store: store, order: order)), typeID: id)
        }
    }

    private func checkArrayLength(_ length: Int, elementLayout: TypeLayout, decoder: SCALEDecoder) throws(SCALEError) {
        let (needed, overflow) = length.multipliedReportingOverflow(by: elementLayout.minimumSize)
        if overflow || needed > decoder.remaining
            || (elementLayout.minimumSize == 0 && UInt64(length) > SCALEDecoder.zeroSizedElementLimit)
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

    private func decodeCompact(_ primitive: PrimitiveType?, from decoder: inout SCALEDecoder) throws(SCALEError) -> Value.Primitive {
        switch primitive {
        case nil: return .u8(0)  // Compact<()>: nothing on the wire
        case .u8: return .u8(try decoder.decodeCompact())
        case .u16: return .u16(try decoder.decodeCompact())
        case .u32: return .u32(try decoder.decodeCompact())
        case .u64: return .u64(try decoder.decodeCompact())
        default: return .u128(try decoder.decodeCompact())
        }
    }

    // MARK: Skipping

    private func skip(position: Int, in decoder: inout SCALEDecoder, depth: Int) throws(SCALEError) {
        let layout = registry.layouts[position]
        if let size = layout.fixedSize {
            try decoder.skip(size)
            return
        }
        guard depth < Self.maximumDepth else { throw decoder.error(.invalid("type nesting deeper than \(Self.maximumDepth)")) }
        switch layout.shape {
        case let .composite(fields), let .tuple(fields):
            for field in fields { try skip(position: field, in: &decoder, depth: depth + 1) }
        case let .variant(lookup):
            let start = decoder.position
            let index = try decoder.readByte()
            let slot = Int(lookup[Int(index)])
            guard slot >= 0, case let .variant(variants) = registry.types[position].definition else {
                throw decoder.error(.invalid("no variant with index \(index) in type \(registry.types[position].id)"), at: start)
            }
            for field in variants[slot].fields {
                guard let fieldPosition = registry.position(of: field.typeID) else { preconditionFailure("checked at load") }
                try skip(position: fieldPosition, in: &decoder, depth: depth + 1)
            }
        case let .sequence(element):
            let elementLayout = registry.layouts[element]
            let count = try decoder.decodeLength(minimumElementSize: elementLayout.minimumSize)
            if let size = elementLayout.fixedSize {
                try decoder.skip(count * size)
            } else {
                for _ in 0..<count { try skip(position: element, in: &decoder, depth: depth + 1) }
            }
        case let .array(length, element):
            try checkArrayLength(length, elementLayout: registry.layouts[element], decoder: decoder)
            for _ in 0..<length { try skip(position: element, in: &decoder, depth: depth + 1) }
        case let .primitive(primitive):
            if primitive == .str { _ = try decoder.decodeByteVector() } else { _ = try decodePrimitive(primitive, from: &decoder) }
        case let .compact(primitive):
            _ = try decodeCompact(primitive, from: &decoder)
        case let .bitSequence(store, order):
            _ = try decoder.decodeBitSequence(store: store, order: order)
        }
    }
}
