/// What one pallet of a runtime holds, item by item, with readable type names: storage items
/// (keys and value), calls and events (fields) and constants. `decode metadata --pallet`
/// prints it, so that a definition can be written against a runtime without another tool.
public struct PalletListing: Sendable {
    public struct Item: Sendable, Equatable {
        public let name: String
        /// `Storage`: keys → value; calls and events: their fields.
        public let signature: String
    }

    public let pallet: String
    public let index: UInt8
    public let storage: [Item]
    public let calls: [Item]
    public let events: [Item]
    public let constants: [Item]

    /// Nil when the runtime has no such pallet.
    public init?(_ metadata: RuntimeMetadata, pallet name: String) {
        guard let pallet = metadata.pallet(named: name) else { return nil }
        let names = TypeNames(registry: metadata.types)
        self.pallet = pallet.name
        index = pallet.index
        storage = (pallet.storage?.entries ?? []).map { entry in
            let optional = entry.modifier == .optional ? "Option<\(names.name(entry.valueType))>" : names.name(entry.valueType)
            switch entry.kind {
            case .plain:
                return Item(name: entry.name, signature: optional)
            case let .map(hashers, key, _):
                let keyParts: [String]
                if hashers.count > 1, case let .tuple(parts)? = metadata.types[key]?.definition {
                    keyParts = parts.map { names.name($0) }
                } else {
                    keyParts = [names.name(key)]
                }
                return Item(name: entry.name, signature: "(\(keyParts.joined(separator: ", "))) → \(optional)")
            }
        }
        func variants(_ typeID: UInt32?) -> [Item] {
            guard let typeID, case let .variant(variants)? = metadata.types[typeID]?.definition else { return [] }
            return variants.sorted { $0.index < $1.index }.map { variant in
                Item(name: variant.name, signature: "(" + variant.fields.map { field in
                    (field.name.map { "\($0): " } ?? "") + names.name(field.typeID)
                }.joined(separator: ", ") + ")")
            }
        }
        calls = variants(pallet.callType)
        events = variants(pallet.eventType)
        constants = pallet.constants.map { Item(name: $0.name, signature: names.name($0.typeID)) }
    }

    public var text: String {
        var lines = ["pallet \(pallet) (index \(index))"]
        for (title, items) in [("storage", storage), ("calls", calls), ("events", events), ("constants", constants)] where !items.isEmpty {
            lines.append("")
            lines.append(title)
            lines += items.map { "  \($0.name) \($0.signature)" }
        }
        return lines.joined(separator: "\n")
    }
}

/// Rust-like names of registry types: `Vec<AccountId32>`, `BoundedVec<u8>`, `(u32, u128)`.
struct TypeNames {
    let registry: TypeRegistry

    func name(_ id: UInt32, depth: Int = 0) -> String {
        guard depth < 8, let type = registry[id] else { return "?" }
        switch type.definition {
        case let .primitive(primitive): return "\(primitive)"
        case let .compact(inner): return "Compact<\(name(inner, depth: depth + 1))>"
        case let .sequence(element): return "Vec<\(name(element, depth: depth + 1))>"
        case let .array(length, element): return "[\(name(element, depth: depth + 1)); \(length)]"
        case let .tuple(parts): return "(" + parts.map { name($0, depth: depth + 1) }.joined(separator: ", ") + ")"
        case .bitSequence: return "BitVec"
        case .composite, .variant:
            guard let last = type.name else { return "?" }
            let parameters = type.parameters.compactMap(\.typeID).map { name($0, depth: depth + 1) }
            return parameters.isEmpty ? last : "\(last)<\(parameters.joined(separator: ", "))>"
        }
    }
}
