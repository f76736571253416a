extension Value {
    /// The integers at a field path, for every source that reads numbers out of values: the
    /// first of the `a|b` alternatives that resolves, looking through newtypes, compacts and
    /// `Some`; `*` takes every element of a list (`unlocking.*.value`). `[]` for `None`, nil when
    /// the path leads to no integer.
    public func integers(at path: String?) -> [UInt128]? {
        guard let path, !path.isEmpty else { return Self.integers(self, components: [][...]) }
        // A plain dotted path (most are): walked field by field without splitting it up front.
        if !path.utf8.contains(UInt8(ascii: "|")), !path.utf8.contains(UInt8(ascii: "*")) {
            var current = self
            var rest = Substring(path)
            while !rest.isEmpty {
                let end = rest.utf8.firstIndex(of: UInt8(ascii: ".")) ?? rest.endIndex
                if end > rest.startIndex {
                    guard let child = current.value(at: String(rest[..<end])) else { return nil }
                    current = child
                }
                rest = end == rest.endIndex ? "" : rest[rest.index(after: end)...]
            }
            return Self.integers(current, components: [][...])
        }
        for alternative in path.split(separator: "|", omittingEmptySubsequences: false) {
            if let found = Self.integers(self, components: alternative.split(separator: ".").map(String.init)[...]) { return found }
        }
        return nil
    }

    private static func integers(_ value: Value, components: ArraySlice<String>) -> [UInt128]? {
        walk(value, components) { leaf in
            var current = leaf
            for _ in 0..<8 {
                if let number = current.uint128 { return [number] }
                if current.variantName == "None" { return [] }
                guard let inner = current.unwrappedNewtype else { return nil }
                current = inner
            }
            return nil
        }
    }

    /// Follows `components` from `value` (`*`: every element of a list) and gathers what `leaf`
    /// makes of each value reached; nil when a step leads nowhere.
    private static func walk<Found>(_ value: Value, _ components: ArraySlice<String>, leaf: (Value) -> [Found]?) -> [Found]? {
        guard let first = components.first else { return leaf(value) }
        if first == "*" {
            var list = value
            while let inner = list.unwrappedNewtype, inner != list { list = inner }
            guard case let .sequence(items) = list.kind else { return nil }
            var all = [Found]()
            for item in items {
                guard let found = walk(item, components.dropFirst(), leaf: leaf) else { return nil }
                all += found
            }
            return all
        }
        guard let child = value.value(at: first) else { return nil }
        return walk(child, components.dropFirst(), leaf: leaf)
    }

    /// The values at a field path whatever their type, as `integers(at:)` walks it (`*` for every
    /// element of a list): what `aggregate: count` counts (`Invulnerables` and `*`: the accounts).
    /// `[]` for `None`, nil when the path leads nowhere.
    public func values(at path: String) -> [Value]? {
        for alternative in path.split(separator: "|", omittingEmptySubsequences: false) {
            if let found = Self.values(self, components: alternative.split(separator: ".").map(String.init)[...]) { return found }
        }
        return nil
    }

    private static func values(_ value: Value, components: ArraySlice<String>) -> [Value]? {
        // An absent `Option` holds nothing to count.
        walk(value, components) { leaf in leaf.variantName == "None" ? [] : [leaf.variantName == "Some" ? leaf.unwrappedNewtype ?? leaf : leaf] }
    }
}
