import SCALE

/// What the decoder needs to know about a type beyond its definition, computed once per
/// registry: positions of referenced types, sizes for bounds checks, variant lookup tables.
struct TypeLayout: Sendable {
    enum Shape: Sendable {
        case composite(fields: [Int])
        case variant(lookup: [Int16])          // variant index → position in the variants array, -1 if absent
        case sequence(element: Int)
        case array(length: Int, element: Int)
        case tuple([Int])
        case primitive(PrimitiveType)
        case compact(PrimitiveType?)           // the primitive the compact wraps (through newtypes); nil for `()`, which encodes to nothing
        case bitSequence(BitSequence.Store, BitSequence.Order)
    }

    var shape: Shape
    /// Exact encoded size when every value of the type has the same size.
    var fixedSize: Int?
    /// No value of the type encodes to fewer bytes (a lower bound, used to reject absurd lengths).
    var minimumSize: Int
    /// `u8`: sequences and arrays of it are decoded as byte strings.
    var isByte: Bool

    static func computeAll(
        _ types: [PortableType], position: (UInt32) -> Int?
    ) throws(MetadataError) -> [TypeLayout] {
        func resolve(_ id: UInt32, in owner: PortableType) throws(MetadataError) -> Int {
            guard let found = position(id) else {
                throw MetadataError.invalidRegistry("type \(owner.id) refers to missing type \(id)")
            }
            return found
        }

        // Shapes first: every reference resolved to a position.
        var shapes = [Shape]()
        shapes.reserveCapacity(types.count)
        for type in types {
            switch type.definition {
            case let .composite(fields):
                var positions = [Int]()
                for field in fields { positions.append(try resolve(field.typeID, in: type)) }
                shapes.append(.composite(fields: positions))
            case let .variant(variants):
                var lookup = [Int16](repeating: -1, count: 256)
                for (offset, variant) in variants.enumerated() {
                    for field in variant.fields { _ = try resolve(field.typeID, in: type) }
                    guard lookup[Int(variant.index)] == -1 else {
                        throw MetadataError.invalidRegistry("type \(type.id) has two variants with index \(variant.index)")
                    }
                    lookup[Int(variant.index)] = Int16(offset)
                }
                shapes.append(.variant(lookup: lookup))
            case let .sequence(element):
                shapes.append(.sequence(element: try resolve(element, in: type)))
            case let .array(length, element):
                shapes.append(.array(length: Int(length), element: try resolve(element, in: type)))
            case let .tuple(elements):
                var positions = [Int]()
                for element in elements { positions.append(try resolve(element, in: type)) }
                shapes.append(.tuple(positions))
            case let .primitive(primitive):
                shapes.append(.primitive(primitive))
            case let .compact(inner):
                shapes.append(.compact(try compactPrimitive(inner, owner: type, types: types, position: position)))
            case let .bitSequence(store, order):
                shapes.append(try bitSequenceShape(store: store, order: order, owner: type, types: types, position: position))
            }
        }

        // Sizes: depth-first with memoisation; a type met again while in progress is recursive,
        // and counts as variable-sized with minimum 0.
        var fixed = [Int?](repeating: nil, count: types.count)
        var minimum = [Int](repeating: 0, count: types.count)
        var state = [UInt8](repeating: 0, count: types.count)  // 0 new, 1 in progress, 2 done

        func visit(_ index: Int) {
            if state[index] != 0 { return }
            state[index] = 1
            var fixedSize: Int? = nil
            var minimumSize = 0
            switch shapes[index] {
            case let .composite(fields), let .tuple(fields):
                var total: Int? = 0
                for field in fields {
                    visit(field)
                    minimumSize = saturatingAdd(minimumSize, minimum[field])
                    if let size = fixed[field], state[field] == 2, let sum = total { total = saturatingAdd(sum, size) } else { total = nil }
                }
                fixedSize = total
            case let .variant(lookup):
                minimumSize = 1
                if case let .variant(variants) = types[index].definition {
                    var smallest: Int? = nil
                    for variant in variants {
                        var size = 0
                        for field in variant.fields {
                            guard let fieldIndex = position(field.typeID) else { continue }
                            visit(fieldIndex)
                            size = saturatingAdd(size, minimum[fieldIndex])
                        }
                        smallest = min(smallest ?? size, size)
                    }
                    minimumSize = saturatingAdd(1, smallest ?? 0)
                    if variants.isEmpty { minimumSize = 1 }
                }
                _ = lookup
            case let .sequence(element):
                visit(element)
                minimumSize = 1
            case let .array(length, element):
                visit(element)
                minimumSize = saturatingMultiply(length, minimum[element])
                if let size = fixed[element], state[element] == 2 { fixedSize = saturatingMultiply(length, size) }
            case let .primitive(primitive):
                fixedSize = primitive.fixedSize
                minimumSize = primitive.fixedSize ?? 1
            case .compact(nil):
                fixedSize = 0
            case .compact, .bitSequence:
                minimumSize = 1
            }
            fixed[index] = fixedSize
            minimum[index] = minimumSize
            state[index] = 2
        }
        for index in types.indices { visit(index) }

        return types.indices.map { index in
            var isByte = false
            if case .primitive(.u8) = shapes[index] { isByte = true }
            return TypeLayout(shape: shapes[index], fixedSize: fixed[index], minimumSize: minimum[index], isByte: isByte)
        }
    }

    /// `Compact<T>` is defined for unsigned integers and for single-field structs around one.
    private static func compactPrimitive(
        _ id: UInt32, owner: PortableType, types: [PortableType], position: (UInt32) -> Int?
    ) throws(MetadataError) -> PrimitiveType? {
        var current = id
        for _ in 0..<16 {
            guard let index = position(current) else { break }
            switch types[index].definition {
            case let .primitive(primitive) where [.u8, .u16, .u32, .u64, .u128].contains(primitive):
                return primitive
            case let .composite(fields) where fields.count == 1:
                current = fields[0].typeID
            case let .composite(fields) where fields.isEmpty:
                return nil  // Compact<()> encodes to no bytes at all
            case let .tuple(elements) where elements.isEmpty:
                return nil
            case let other:
                throw MetadataError.invalidRegistry("type \(owner.id) is Compact<\(id)>, which is not an unsigned integer but \(other)")
            }
        }
        throw MetadataError.invalidRegistry("type \(owner.id) is Compact<\(id)>, which is not an unsigned integer")
    }

    private static func bitSequenceShape(
        store: UInt32, order: UInt32, owner: PortableType, types: [PortableType], position: (UInt32) -> Int?
    ) throws(MetadataError) -> Shape {
        guard let storeIndex = position(store), case let .primitive(primitive) = types[storeIndex].definition else {
            throw MetadataError.invalidRegistry("bit sequence type \(owner.id) has a store type that is not a primitive")
        }
        let storeKind: BitSequence.Store
        switch primitive {
        case .u8: storeKind = .u8
        case .u16: storeKind = .u16
        case .u32: storeKind = .u32
        case .u64: storeKind = .u64
        default: throw MetadataError.invalidRegistry("bit sequence type \(owner.id) has store \(primitive)")
        }
        guard let orderIndex = position(order) else {
            throw MetadataError.invalidRegistry("bit sequence type \(owner.id) refers to missing type \(order)")
        }
        let orderKind: BitSequence.Order
        switch types[orderIndex].path.last {
        case "Lsb0": orderKind = .lsb0
        case "Msb0": orderKind = .msb0
        default:
            throw MetadataError.invalidRegistry("bit sequence type \(owner.id) has an unknown bit order type \(order)")
        }
        return .bitSequence(storeKind, orderKind)
    }
}

@inline(__always)
private func saturatingAdd(_ a: Int, _ b: Int) -> Int {
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? Int.max / 2 : min(sum, Int.max / 2)
}

@inline(__always)
private func saturatingMultiply(_ a: Int, _ b: Int) -> Int {
    let (product, overflow) = a.multipliedReportingOverflow(by: b)
    return overflow ? Int.max / 2 : min(product, Int.max / 2)
}
