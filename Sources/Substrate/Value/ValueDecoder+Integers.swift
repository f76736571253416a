public import SCALE

// Integers read straight from SCALE bytes, without building the value around them.

extension ValueDecoder {
    /// The integers at a field path of a whole buffer of `typeID`: what
    /// `decode(_:bytes:).integers(at:)` gives (`a|b` alternatives, `*` over a list's elements,
    /// through newtypes, compacts and `Some`), but walking the bytes. Struct fields and tuple
    /// elements off the path are skipped and a list under `*` is read element by element, so a
    /// sum over a pool's hundreds of unbonding eras allocates nothing per era; anything else on
    /// the way (enums, fields by position) is built and read as a `Value`. The buffer must be one
    /// whole value (leftover bytes are an error), as for `decode`; skipped parts are only checked
    /// as far as skipping checks them.
    public func integers(_ typeID: UInt32, bytes: [UInt8], at path: String?) throws(SCALEError) -> [UInt128]? {
        guard let position = registry.position(of: typeID) else {
            throw SCALEDecoder(bytes).error(.invalid("unknown type id \(typeID)"))
        }
        guard let path, !path.isEmpty else { return try integers(position: position, path: [][...], bytes: bytes) }
        for alternative in path.split(separator: "|", omittingEmptySubsequences: false) {
            // Whole strings: compared with field names once per list element under `*`.
            let components = alternative.split(separator: ".").map(String.init)
            if let found = try integers(position: position, path: components[...], bytes: bytes) { return found }
        }
        return nil
    }

    private func integers(position: Int, path: ArraySlice<String>, bytes: [UInt8]) throws(SCALEError) -> [UInt128]? {
        var decoder = SCALEDecoder(bytes)
        let found = try integers(position: position, path: path, from: &decoder, depth: 0)
        try decoder.expectEnd()
        return found
    }

    /// Reads exactly the value at `position` from `decoder`, whatever the path finds: a list
    /// under `*` is read to its end even after an element the path misses.
    private func integers(position: Int, path: ArraySlice<String>, from decoder: inout SCALEDecoder, depth: Int) throws(SCALEError) -> [UInt128]? {
        guard depth < Self.maximumDepth else { throw decoder.error(.invalid("type nesting deeper than \(Self.maximumDepth)")) }
        guard let key = path.first else {
            return try decode(position: position, from: &decoder, depth: depth).integers(at: nil)
        }
        let node = table.nodes[position]
        switch node.kind {
        case .composite where node.childCount == 1 && table.fieldNames[node.childStart] == nil:
            // A newtype: its decoded value is its content's.
            return try integers(position: table.fieldTypes[node.childStart], path: path, from: &decoder, depth: depth + 1)
        case .composite:
            let fields = node.childStart..<node.childStart + node.childCount
            if let target = field(named: key, in: fields) {
                return try integers(target, among: fields, path: path.dropFirst(), from: &decoder, depth: depth)
            }
        case .tuple:
            if let index = Int(key), (0..<node.childCount).contains(index) {
                let fields = node.childStart..<node.childStart + node.childCount
                return try integers(node.childStart + index, among: fields, path: path.dropFirst(), from: &decoder, depth: depth)
            }
        case .sequence where key == "*" && !table.nodes[node.element].isByte:
            let count = try decoder.decodeLength(minimumElementSize: table.nodes[node.element].minimumSize)
            var all = [UInt128]()
            var missed = false
            for _ in 0..<count {
                if missed {
                    try skip(position: node.element, in: &decoder, depth: depth + 1)
                } else if let found = try integers(position: node.element, path: path.dropFirst(), from: &decoder, depth: depth + 1) {
                    all += found
                } else {
                    missed = true
                }
            }
            return missed ? nil : all
        default:
            break
        }
        let whole = try decode(position: position, from: &decoder, depth: depth)
        return whole.integers(at: path.joined(separator: "."))
    }

    /// The integers at `path` inside one of a struct's or tuple's `fields`, the others skipped.
    private func integers(
        _ target: Int, among fields: Range<Int>, path: ArraySlice<String>, from decoder: inout SCALEDecoder, depth: Int
    ) throws(SCALEError) -> [UInt128]? {
        try reading(target, among: fields, from: &decoder, depth: depth) { type, decoder throws(SCALEError) in
            try integers(position: type, path: path, from: &decoder, depth: depth + 1)
        }
    }
}
