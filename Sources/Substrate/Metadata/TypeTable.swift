import SCALE

/// The type registry flattened into plain-data tables for the decoder's hot path: one `Node` per
/// type, with fields and variants in shared pools and references resolved to positions. Nothing
/// here is reference-counted except the pools themselves, so walking it costs no retains.
/// Built once per registry, validating every reference on the way.
struct TypeTable: Sendable {
    enum Kind: UInt8, Sendable {
        case composite, variant, sequence, array, tuple, primitive, compact, bitSequence
    }

    struct Node: Sendable {
        var kind: Kind
        /// `primitive`: the primitive; `compact`: the integer it wraps (`hasCompactPayload` false for `Compact<()>`).
        var primitive: PrimitiveType = .u8
        var hasCompactPayload = true
        var bitStore: BitSequence.Store = .u8
        var bitOrder: BitSequence.Order = .lsb0
        /// `u8`: sequences and arrays of it decode as byte strings.
        var isByte = false
        /// Element position of a sequence or array.
        var element: Int = 0
        var length: Int = 0
        /// Composite/tuple: range in `fieldTypes`/`fieldNames`; variant: range in `variants`.
        var childStart: Int = 0
        var childCount: Int = 0
        /// Variant: start of its 256-slot block in `variantLookup`.
        var lookupStart: Int = 0
        /// Exact encoded size when every byte pattern of that size is a valid value (so skipping
        /// may jump over it); -1 otherwise (sizes differ, or bools/chars inside need checking).
        var fixedSize: Int = -1
        /// No value encodes to fewer bytes (bounds absurd lengths before allocating).
        var minimumSize: Int = 0
        var id: UInt32 = 0
    }

    struct VariantNode: Sendable {
        var name: Int          // position in `variantNames`
        var index: UInt8
        var fieldStart: Int    // range in `fieldTypes`/`fieldNames`
        var fieldCount: Int
    }

    var nodes: [Node] = []
    var fieldTypes: [Int] = []
    var fieldNames: [String?] = []
    var variants: [VariantNode] = []
    var variantNames: [String] = []
    /// 256 slots per variant type: variant index → position in `variants`, or -1.
    var variantLookup: [Int32] = []

    static func build(_ types: [PortableType], position: (UInt32) -> Int?) throws(MetadataError) -> TypeTable {
        var table = TypeTable()
        table.nodes.reserveCapacity(types.count)

        func resolve(_ id: UInt32, in owner: PortableType) throws(MetadataError) -> Int {
            guard let found = position(id) else {
                throw MetadataError.invalidRegistry("type \(owner.id) refers to missing type \(id)")
            }
            return found
        }
        func addFields(_ fields: [Field], owner: PortableType) throws(MetadataError) -> (start: Int, count: Int) {
            let start = table.fieldTypes.count
            for field in fields {
                table.fieldTypes.append(try resolve(field.typeID, in: owner))
                table.fieldNames.append(field.name)
            }
            return (start, fields.count)
        }

        for type in types {
            var node: Node
            switch type.definition {
            case let .composite(fields):
                node = Node(kind: .composite)
                (node.childStart, node.childCount) = try addFields(fields, owner: type)
            case let .tuple(elements):
                node = Node(kind: .tuple)
                node.childStart = table.fieldTypes.count
                node.childCount = elements.count
                for element in elements {
                    table.fieldTypes.append(try resolve(element, in: type))
                    table.fieldNames.append(nil)
                }
            case let .variant(variants):
                node = Node(kind: .variant)
                node.childStart = table.variants.count
                node.childCount = variants.count
                node.lookupStart = table.variantLookup.count
                table.variantLookup.append(contentsOf: repeatElement(-1, count: 256))
                for variant in variants {
                    let slot = node.lookupStart + Int(variant.index)
                    guard table.variantLookup[slot] == -1 else {
                        throw MetadataError.invalidRegistry("type \(type.id) has two variants with index \(variant.index)")
                    }
                    table.variantLookup[slot] = Int32(table.variants.count)
                    let fields = try addFields(variant.fields, owner: type)
                    table.variants.append(VariantNode(
                        name: table.variantNames.count, index: variant.index, fieldStart: fields.start, fieldCount: fields.count
                    ))
                    table.variantNames.append(variant.name)
                }
            case let .sequence(element):
                node = Node(kind: .sequence)
                node.element = try resolve(element, in: type)
            case let .array(length, element):
                node = Node(kind: .array)
                node.element = try resolve(element, in: type)
                node.length = Int(length)
            case let .primitive(primitive):
                node = Node(kind: .primitive)
                node.primitive = primitive
                node.isByte = primitive == .u8
            case let .compact(inner):
                node = Node(kind: .compact)
                if let primitive = try compactPrimitive(inner, owner: type, types: types, position: position) {
                    node.primitive = primitive
                } else {
                    node.hasCompactPayload = false
                }
            case let .bitSequence(store, order):
                node = Node(kind: .bitSequence)
                (node.bitStore, node.bitOrder) = try bitSequenceKind(store: store, order: order, owner: type, types: types, position: position)
            }
            node.id = type.id
            table.nodes.append(node)
        }
        table.computeSizes()
        return table
    }

    /// Depth-first with memoisation; a type met again while in progress is recursive, and
    /// counts as variable-sized with minimum 0 (a safe lower bound).
    private mutating func computeSizes() {
        var state = [UInt8](repeating: 0, count: nodes.count)  // 0 new, 1 in progress, 2 done

        func visit(_ index: Int) {
            if state[index] != 0 { return }
            state[index] = 1
            var node = nodes[index]
            var fixed = -1
            var minimum = 0
            func fieldsSize(_ start: Int, _ count: Int) -> (fixed: Int, minimum: Int) {
                var total = 0, least = 0
                for position in start..<start + count {
                    let field = fieldTypes[position]
                    visit(field)
                    least = saturatingAdd(least, nodes[field].minimumSize)
                    if total >= 0, state[field] == 2, nodes[field].fixedSize >= 0 {
                        total = saturatingAdd(total, nodes[field].fixedSize)
                    } else {
                        total = -1
                    }
                }
                return (total, least)
            }
            switch node.kind {
            case .composite, .tuple:
                (fixed, minimum) = fieldsSize(node.childStart, node.childCount)
            case .variant:
                var smallest: Int? = nil
                for variant in variants[node.childStart..<node.childStart + node.childCount] {
                    let size = fieldsSize(variant.fieldStart, variant.fieldCount).minimum
                    smallest = min(smallest ?? size, size)
                }
                minimum = saturatingAdd(1, smallest ?? 0)
            case .sequence, .bitSequence:
                minimum = 1
                if node.kind == .sequence { visit(node.element) }
            case .array:
                visit(node.element)
                let element = nodes[node.element]
                minimum = saturatingMultiply(node.length, element.minimumSize)
                if state[node.element] == 2, element.fixedSize >= 0 { fixed = saturatingMultiply(node.length, element.fixedSize) }
            case .primitive:
                // bool and char have invalid encodings, so skipping them must read them.
                let validated = node.primitive == .bool || node.primitive == .char
                fixed = validated ? -1 : node.primitive.fixedSize ?? -1
                minimum = node.primitive.fixedSize ?? 1
            case .compact:
                if node.hasCompactPayload { minimum = 1 } else { fixed = 0 }
            }
            node.fixedSize = fixed
            node.minimumSize = minimum
            nodes[index] = node
            state[index] = 2
        }
        for index in nodes.indices { visit(index) }
    }

    /// `Compact<T>` is defined for unsigned integers, single-field structs around one, and `()`.
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
            default:
                throw MetadataError.invalidRegistry("type \(owner.id) is Compact<\(id)>, which is not an unsigned integer")
            }
        }
        throw MetadataError.invalidRegistry("type \(owner.id) is Compact<\(id)>, which is not an unsigned integer")
    }

    private static func bitSequenceKind(
        store: UInt32, order: UInt32, owner: PortableType, types: [PortableType], position: (UInt32) -> Int?
    ) throws(MetadataError) -> (BitSequence.Store, BitSequence.Order) {
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
        switch types[orderIndex].path.last {
        case "Lsb0": return (storeKind, .lsb0)
        case "Msb0": return (storeKind, .msb0)
        default: throw MetadataError.invalidRegistry("bit sequence type \(owner.id) has an unknown bit order type \(order)")
        }
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
