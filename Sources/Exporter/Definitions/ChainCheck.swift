import ExactJSON
public import Substrate

/// Checks definitions against one runtime: a definition whose pallet the runtime lacks does not
/// apply to that chain (skipped, with the reason, for one log line); one that names an item,
/// event, call, constant, key or field the pallet does not have is an error.
public struct ChainCheck: Sendable {
    public let metadata: RuntimeMetadata
    private let keys: StorageKeyBuilder
    private let reader: ValueJSONReader

    public init(metadata: RuntimeMetadata) {
        self.metadata = metadata
        keys = StorageKeyBuilder(metadata: metadata)
        reader = ValueJSONReader(registry: metadata.types)
    }

    public enum Outcome: Sendable, Equatable {
        case applies
        case skipped(String)
    }

    /// The definition reading the first of its sources whose pallets the runtime has (the first
    /// source when none has them, so that checking it says what is missing).
    public func choosingSource(_ definition: MetricDefinition) -> MetricDefinition {
        guard !definition.fallbacks.isEmpty else { return definition }
        let chosen = definition.sources.first { source in source.pallets.allSatisfy { metadata.pallet(named: $0) != nil } } ?? definition.source
        return definition.reading(chosen)
    }

    /// For a runtime of the chain's past (history crosses runtime upgrades): what this runtime
    /// lacks or names differently only means the definition yields nothing for its blocks.
    public func historicalOutcome(_ definition: MetricDefinition) -> Outcome {
        do {
            return try check(definition)
        } catch {
            return .skipped(error.description)
        }
    }

    /// For the runtime a chain runs now: a definition that names what the runtime lacks is wrong.
    public func check(_ given: MetricDefinition) throws(DefinitionError) -> Outcome {
        let definition = choosingSource(given)
        let spec = metadata.runtimeVersion.map { "\($0.specName) \($0.specVersion)" } ?? "this runtime"
        func fail(_ field: String, _ message: String) -> DefinitionError {
            DefinitionError(origin: definition.origin, entry: definition.name, field: field, "\(message) in \(spec)")
        }
        for pallet in definition.source.pallets + definition.requires where metadata.pallet(named: pallet) == nil {
            return .skipped("\(definition.name): \(spec) has no pallet \(pallet)")
        }
        switch definition.source {
        case let .storage(pallet, item, given, field, eachKey, aggregate):
            guard let entry = metadata.storageEntry(pallet: pallet, item: item), let keyTypes = keys.keyTypes(pallet: pallet, item: item) else {
                throw fail("source.storage", "no storage item \(pallet).\(item)")
            }
            let allKeys = given + (eachKey.map { [$0.values.first ?? .null] } ?? [])
            guard allKeys.count == keyTypes.count else {
                throw fail("source.keys", "\(pallet).\(item) takes \(keyTypes.count) key(s), the definition gives \(allKeys.count)")
            }
            for (position, (key, typeID)) in zip(given, keyTypes).enumerated() {
                do { _ = try reader.read(try PalletAccount.resolve(key, metadata: metadata), as: typeID) } catch { throw fail("source.keys.\(position)", "\(error)") }
            }
            if let eachKey, let typeID = keyTypes.last {
                for (position, key) in eachKey.values.enumerated() {
                    do { _ = try reader.read(key, as: typeID) } catch { throw fail("source.each_key.values.\(position)", "\(error)") }
                }
            }
            // A count takes values of any type; everything else reads numbers.
            if aggregate == .count, let field {
                guard typeID(field, from: entry.valueType) != nil else { throw fail("source.field", "the value has no field \(field)") }
            } else {
                try checkNumeric(field, in: entry.valueType, fail: fail)
            }
        case let .storageMap(pallet, item, aggregate, field):
            guard let entry = metadata.storageEntry(pallet: pallet, item: item) else { throw fail("source.storage_map", "no storage item \(pallet).\(item)") }
            guard case .map = entry.kind else { throw fail("source.storage_map", "\(pallet).\(item) is a plain value, not a map") }
            if aggregate == .sum { try checkNumeric(field, in: entry.valueType, fail: fail) }
        case let .events(events, aggregate, field, labelFields, only):
            for pattern in events {
                let variants = try eventVariants(pattern, fail: fail)
                for variant in variants {
                    if aggregate == .sum { try checkNumeric(field, inFields: variant.fields, of: "\(pattern.pallet).\(variant.name)", fail: fail) }
                    for (label, path) in labelFields where !["pallet", "event"].contains(path) {
                        guard typeID(path, inFields: variant.fields) != nil else {
                            throw fail("source.labels.\(label)", "\(pattern.pallet).\(variant.name) has no field \(path)")
                        }
                    }
                    for path in only.keys where typeID(path, inFields: variant.fields) == nil {
                        throw fail("source.only.\(path)", "\(pattern.pallet).\(variant.name) has no field \(path)")
                    }
                }
            }
        case let .extrinsics(filter, _):
            for pattern in filter {
                guard let callType = metadata.pallet(named: pattern.pallet)?.callType else {
                    throw fail("source.extrinsics", "pallet \(pattern.pallet) has no calls")
                }
                if let name = pattern.name {
                    guard case let .variant(calls)? = metadata.types[callType]?.definition, calls.contains(where: { $0.name == name }) else {
                        throw fail("source.extrinsics", "no call \(pattern.pallet).\(name)")
                    }
                }
            }
        case let .constant(pallet, name, field):
            guard let constant = metadata.pallet(named: pallet)?.constants.first(where: { $0.name == name }) else {
                throw fail("source.constant", "no constant \(pallet).\(name)")
            }
            try checkNumeric(field, in: constant.typeID, fail: fail)
        case let .header(value):
            if value == .weight, metadata.storageEntry(pallet: "System", item: "BlockWeight") == nil {
                return .skipped("\(definition.name): \(spec) has no System.BlockWeight")
            }
        case let .collector(name, _, options):
            guard let spec = CollectorCatalog.spec(named: name) else { throw fail("source.collector", "no collector \(name)") }
            let binding: CollectorSpec.Binding
            do { binding = try spec.bind(metadata, options: options) } catch { throw fail("source.collector", error.description) }
            if case let .missing(reason) = binding { return .skipped("\(definition.name): \(reason)") }
        }
        return .applies
    }

    // MARK: Types

    private func eventVariants(_ pattern: MetricSource.EventPattern, fail: (String, String) -> DefinitionError) throws(DefinitionError) -> [Variant] {
        guard let eventType = metadata.pallet(named: pattern.pallet)?.eventType,
              case let .variant(variants)? = metadata.types[eventType]?.definition
        else { throw fail("source.events", "pallet \(pattern.pallet) has no events") }
        guard let name = pattern.name else { return variants }
        guard let variant = variants.first(where: { $0.name == name }) else {
            throw fail("source.events", "no event \(pattern.pallet).\(name)")
        }
        return [variant]
    }

    /// The value at `path` is a number (an integer, a compact, or a newtype of one).
    private func checkNumeric(_ path: String?, in typeID: UInt32, fail: (String, String) -> DefinitionError) throws(DefinitionError) {
        guard let target = path.map({ self.typeID($0, from: typeID) }) ?? typeID else {
            throw fail("source.field", "the value has no field \(path ?? "")")
        }
        guard isNumeric(target) else { throw fail("source.field", "\(path ?? "the value") is not a number") }
    }

    private func checkNumeric(_ path: String?, inFields fields: [Field], of event: String, fail: (String, String) -> DefinitionError) throws(DefinitionError) {
        guard let path, let target = typeID(path, inFields: fields) else {
            throw fail("source.field", "\(event) has no field \(path ?? "")")
        }
        guard isNumeric(target) else { throw fail("source.field", "\(event).\(path) is not a number") }
    }

    /// The type at a field path of an event (or call), trying `a|b` alternatives in turn.
    private func typeID(_ path: String, inFields fields: [Field]) -> UInt32? {
        for alternative in path.split(separator: "|") {
            let parts = alternative.split(separator: ".", maxSplits: 1).map(String.init)
            guard let first = parts.first, let field = Self.field(first, in: fields) else { continue }
            if parts.count == 1 { return field.typeID }
            if let found = typeID(parts[1], from: field.typeID) { return found }
        }
        return nil
    }

    /// The type at a dotted path from a type, looking through newtypes and `Option` on the way;
    /// `a|b` alternatives are tried in turn.
    private func typeID(_ path: String, from start: UInt32) -> UInt32? {
        alternatives: for alternative in path.split(separator: "|") {
            var current = start
            for part in alternative.split(separator: ".") {
                current = unwrapped(current)
                // `*`: every element of a list (a storage map's sum adds them all up).
                if part == "*" {
                    guard case let .sequence(element)? = metadata.types[current]?.definition else { continue alternatives }
                    current = element
                    continue
                }
                // A position in a fixed array (`score.0` of an `[u128; 3]`), a list (`path.-1`,
                // counted from the end when negative) or a tuple (`path.0.1`).
                if let position = Int(part) {
                    switch metadata.types[current]?.definition {
                    case let .array(_, element)?, let .sequence(element)?:
                        current = element
                        continue
                    case let .tuple(elements)? where position >= 0 && position < elements.count:
                        current = elements[position]
                        continue
                    default: break
                    }
                }
                guard case let .composite(fields)? = metadata.types[current]?.definition,
                      let field = Self.field(String(part), in: fields)
                else { continue alternatives }
                current = field.typeID
            }
            return current
        }
        return nil
    }

    /// A field by name, or by position when `name` is a number (unnamed fields).
    private static func field(_ name: String, in fields: [Field]) -> Field? {
        if let position = Int(name) { return position < fields.count ? fields[position] : nil }
        return fields.first { $0.name == name }
    }

    /// Looks through newtypes and `Option` (an absent value reads as no sample).
    private func unwrapped(_ typeID: UInt32) -> UInt32 {
        var current = typeID
        for _ in 0..<16 {
            guard let type = metadata.types[current] else { break }
            if case let .composite(fields) = type.definition, fields.count == 1, fields[0].name == nil {
                current = fields[0].typeID
            } else if type.path == ["Option"], case let .variant(variants) = type.definition,
                      let some = variants.first(where: { $0.name == "Some" }), some.fields.count == 1 {
                current = some.fields[0].typeID
            } else {
                break
            }
        }
        return current
    }

    private func isNumeric(_ typeID: UInt32) -> Bool {
        switch metadata.types[unwrapped(typeID)]?.definition {
        case let .primitive(primitive)?: return ![.bool, .char, .str].contains(primitive)
        case .compact?: return true
        default: return false
        }
    }
}
