import SCALE

/// The portable type registry of a runtime (scale-info's `PortableRegistry`): every type the
/// runtime's calls, events, storage and constants use, addressed by a numeric id.
public struct TypeRegistry: Sendable {
    public let types: [PortableType]
    /// Position in `types` for each id; ids are dense and in order in every known runtime,
    /// but the format does not promise it.
    private let positionByID: [UInt32: Int]?
    /// The registry flattened for the decoder's hot path, built once at load time.
    let table: TypeTable

    public init(types: [PortableType]) throws(MetadataError) {
        self.types = types
        let dense = types.enumerated().allSatisfy { UInt32($0.offset) == $0.element.id }
        if dense {
            positionByID = nil
        } else {
            var positions = [UInt32: Int]()
            for (position, type) in types.enumerated() {
                guard positions.updateValue(position, forKey: type.id) == nil else {
                    throw MetadataError.invalidRegistry("type id \(type.id) is defined twice")
                }
            }
            positionByID = positions
        }
        let positions = positionByID
        table = try TypeTable.build(types) { id in
            if let positions { return positions[id] }
            return Int(id) < types.count ? Int(id) : nil
        }
    }

    public var count: Int { types.count }

    @inline(__always)
    func position(of id: UInt32) -> Int? {
        if let positionByID { return positionByID[id] }
        return Int(id) < types.count ? Int(id) : nil
    }

    public subscript(id: UInt32) -> PortableType? {
        guard let position = position(of: id) else { return nil }
        return types[position]
    }

    /// The variant with wire index `index` of enum type `id`.
    public func variant(of id: UInt32, index: UInt8) -> Variant? {
        guard let type = self[id], case let .variant(variants) = type.definition,
              let position = position(of: id)
        else { return nil }
        let slot = Int(table.variantLookup[table.nodes[position].lookupStart + Int(index)])
        guard slot >= 0 else { return nil }
        return variants[slot - table.nodes[position].childStart]
    }

    /// The type a chain of single-field composites (`struct Perbill(u32)`, `AccountId32([u8; 32])`)
    /// wraps, or the type itself.
    public func unwrappingNewtypes(_ id: UInt32) -> UInt32 {
        var current = id
        for _ in 0..<32 {
            guard let type = self[current], case let .composite(fields) = type.definition, fields.count == 1
            else { return current }
            current = fields[0].typeID
        }
        return current
    }
}

/// One entry of the registry.
public struct PortableType: Sendable, Hashable {
    public let id: UInt32
    /// Rust path, e.g. `["sp_runtime", "multiaddress", "MultiAddress"]`.
    public let path: [String]
    public let parameters: [TypeParameter]
    public let definition: TypeDefinition
    public let docs: [String]

    public init(id: UInt32, path: [String], parameters: [TypeParameter], definition: TypeDefinition, docs: [String]) {
        self.id = id
        self.path = path
        self.parameters = parameters
        self.definition = definition
        self.docs = docs
    }

    /// Last path segment (`MultiAddress`), or nil for anonymous types.
    public var name: String? { path.last }
}

public struct TypeParameter: Sendable, Hashable {
    public let name: String
    public let typeID: UInt32?
}

public enum TypeDefinition: Sendable, Hashable {
    case composite([Field])
    case variant([Variant])
    case sequence(element: UInt32)
    case array(length: UInt32, element: UInt32)
    case tuple([UInt32])
    case primitive(PrimitiveType)
    case compact(UInt32)
    case bitSequence(store: UInt32, order: UInt32)
}

public struct Field: Sendable, Hashable {
    public let name: String?
    public let typeID: UInt32
    public let typeName: String?
    public let docs: [String]

    public init(name: String?, typeID: UInt32, typeName: String?, docs: [String] = []) {
        self.name = name
        self.typeID = typeID
        self.typeName = typeName
        self.docs = docs
    }
}

public struct Variant: Sendable, Hashable {
    public let name: String
    public let fields: [Field]
    public let index: UInt8
    public let docs: [String]

    public init(name: String, fields: [Field], index: UInt8, docs: [String] = []) {
        self.name = name
        self.fields = fields
        self.index = index
        self.docs = docs
    }
}

public enum PrimitiveType: UInt8, Sendable, Hashable, CaseIterable {
    case bool, char, str, u8, u16, u32, u64, u128, u256, i8, i16, i32, i64, i128, i256

    /// Encoded size in bytes, nil for `str` (length-prefixed).
    public var fixedSize: Int? {
        switch self {
        case .bool, .u8, .i8: 1
        case .u16, .i16: 2
        case .char, .u32, .i32: 4
        case .u64, .i64: 8
        case .u128, .i128: 16
        case .u256, .i256: 32
        case .str: nil
        }
    }
}

extension SCALEDecoder {
    /// A type id: `Compact<u32>` in the portable form.
    mutating func decodeTypeID() throws(SCALEError) -> UInt32 {
        try decodeCompact(UInt32.self)
    }

    mutating func decodeStrings() throws(SCALEError) -> [String] {
        try decodeVector { (d: inout SCALEDecoder) throws(SCALEError) in try d.decodeString() }
    }

    mutating func decodeTypeRegistry() throws(SCALEError) -> [PortableType] {
        try decodeVector(minimumElementSize: 4) { (d: inout SCALEDecoder) throws(SCALEError) in
            try d.decodePortableType()
        }
    }

    private mutating func decodePortableType() throws(SCALEError) -> PortableType {
        let id = try decodeTypeID()
        let path = try decodeStrings()
        let parameters = try decodeVector(minimumElementSize: 2) { (d: inout SCALEDecoder) throws(SCALEError) in
            TypeParameter(
                name: try d.decodeString(),
                typeID: try d.decodeOption { (d: inout SCALEDecoder) throws(SCALEError) in try d.decodeTypeID() }
            )
        }
        let definition = try decodeTypeDefinition()
        let docs = try decodeStrings()
        return PortableType(id: id, path: path, parameters: parameters, definition: definition, docs: docs)
    }

    private mutating func decodeTypeDefinition() throws(SCALEError) -> TypeDefinition {
        let start = position
        let tag = try readByte()
        switch tag {
        case 0:
            return .composite(try decodeFields())
        case 1:
            let variants = try decodeVector(minimumElementSize: 4) { (d: inout SCALEDecoder) throws(SCALEError) in
                Variant(
                    name: try d.decodeString(),
                    fields: try d.decodeFields(),
                    index: try d.readByte(),
                    docs: try d.decodeStrings()
                )
            }
            return .variant(variants)
        case 2:
            return .sequence(element: try decodeTypeID())
        case 3:
            let length = try decode(UInt32.self)
            return .array(length: length, element: try decodeTypeID())
        case 4:
            return .tuple(try decodeVector { (d: inout SCALEDecoder) throws(SCALEError) in try d.decodeTypeID() })
        case 5:
            let primitiveStart = position
            let raw = try readByte()
            guard let primitive = PrimitiveType(rawValue: raw) else {
                throw error(.invalid("unknown primitive type \(raw)"), at: primitiveStart)
            }
            return .primitive(primitive)
        case 6:
            return .compact(try decodeTypeID())
        case 7:
            return .bitSequence(store: try decodeTypeID(), order: try decodeTypeID())
        default:
            throw error(.invalid("unknown type definition kind \(tag)"), at: start)
        }
    }

    private mutating func decodeFields() throws(SCALEError) -> [Field] {
        try decodeVector(minimumElementSize: 4) { (d: inout SCALEDecoder) throws(SCALEError) in
            let name = try d.decodeOption { (d: inout SCALEDecoder) throws(SCALEError) in try d.decodeString() }
            let typeID = try d.decodeTypeID()
            let typeName = try d.decodeOption { (d: inout SCALEDecoder) throws(SCALEError) in try d.decodeString() }
            return Field(name: name, typeID: typeID, typeName: typeName, docs: try d.decodeStrings())
        }
    }
}
