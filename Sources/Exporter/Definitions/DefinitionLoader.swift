import ExactJSON
public import Foundation
import Yams

/// Reads metric definitions from YAML (JSON is YAML too): a file holds a list of entries. Every
/// field is checked here — unknown fields, bad types and values, names against Prometheus
/// conventions, labels against what the source can fill, duplicate names across files — so a
/// mistake is one line naming file, line, entry and field. Checks against a chain's runtime are
/// `ChainCheck`'s.
public enum DefinitionLoader {
    /// Every `.yaml`, `.yml` and `.json` file of the directories, in name order, then checked
    /// together for duplicate names. A definition of one's own named as a shipped one takes its
    /// place (to name parachains differently, say); two of one's own by one name are an error.
    public static func load(directories: [URL]) throws(DefinitionError) -> [MetricDefinition] {
        var shippedDefinitions = [MetricDefinition]()
        var definitions = [MetricDefinition]()
        for directory in directories {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            } catch {
                throw DefinitionError(origin: directory.path, "cannot list the metrics directory (\(error.localizedDescription))")
            }
            // The shipped set is named as it sits in the source tree, not in the build folder.
            let shipped = directory.standardizedFileURL == shippedDirectory?.standardizedFileURL
            for name in names.sorted() where [".yaml", ".yml", ".json"].contains(where: name.hasSuffix) {
                let file = directory.appendingPathComponent(name)
                if shipped { shippedDefinitions += try load(file: file, origin: "metrics/\(name)") } else { definitions += try load(file: file, origin: file.path) }
            }
        }
        try checkUniqueNames(shippedDefinitions)
        try checkUniqueNames(definitions)
        let own = Dictionary(definitions.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let replaced = Set(shippedDefinitions.map(\.name)).intersection(own.keys)
        return shippedDefinitions.map { own[$0.name] ?? $0 } + definitions.filter { !replaced.contains($0.name) }
    }

    public static func load(file: URL, origin: String? = nil) throws(DefinitionError) -> [MetricDefinition] {
        guard let data = FileManager.default.contents(atPath: file.path), let text = String(data: data, encoding: .utf8) else {
            throw DefinitionError(origin: origin ?? file.path, "cannot read the file as UTF-8 text")
        }
        return try parse(text, origin: origin ?? file.path)
    }

    /// Definitions from the text of one file; `origin` names it in errors.
    public static func parse(_ text: String, origin: String) throws(DefinitionError) -> [MetricDefinition] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw DefinitionError(origin: origin, "not valid YAML or JSON: \(String(describing: error).split(separator: "\n").joined(separator: " "))")
        }
        guard let root else { return [] }
        guard case let .sequence(entries) = root else {
            throw DefinitionError(origin: place(origin, root), "expected a list of metric definitions")
        }
        var definitions = [MetricDefinition]()
        for entry in entries {
            var reader = EntryReader(origin: origin, node: entry)
            definitions.append(try reader.definition())
        }
        try checkUniqueNames(definitions)
        return definitions
    }

    static func checkUniqueNames(_ definitions: [MetricDefinition]) throws(DefinitionError) {
        var seen = [String: String]()
        for definition in definitions {
            if let first = seen[definition.name] {
                throw DefinitionError(origin: definition.origin, entry: definition.name, field: "name", "defined again (first at \(first))")
            }
            seen[definition.name] = definition.origin
        }
    }

    static func place(_ origin: String, _ node: Node) -> String {
        node.mark.map { "\(origin):\($0.line)" } ?? origin
    }
}

/// Reads one entry, remembering which fields it used so unknown ones are reported.
private struct EntryReader {
    let origin: String
    let node: Node
    var fields: [String: Node] = [:]
    var entry: String?

    init(origin: String, node: Node) {
        self.origin = origin
        self.node = node
    }

    static let knownFields: Set<String> = [
        "name", "help", "type", "unit", "source", "labels", "scale", "every", "schedule", "aggregation",
        "min_interval", "data_type", "version", "access", "strict", "requires",
        "human_readable_name", "has_incomplete_data", "docs", "min_plan",
    ]
    static let sourceKinds = ["storage", "storage_map", "events", "extrinsics", "constant", "header", "collector"]

    func fail(_ field: String?, _ message: String, at node: Node? = nil) -> DefinitionError {
        DefinitionError(origin: DefinitionLoader.place(origin, node ?? self.node), entry: entry, field: field, message)
    }

    mutating func definition() throws(DefinitionError) -> MetricDefinition {
        fields = try mapping(node, field: nil)
        entry = fields["name"]?.scalar?.string
        if let unknown = fields.keys.sorted().first(where: { !Self.knownFields.contains($0) }) {
            throw fail(unknown, "unknown field (known: \(Self.knownFields.sorted().joined(separator: ", ")))", at: fields[unknown])
        }
        let name = try string("name")
        guard name.range(of: "^[a-z][a-z0-9_]*$", options: .regularExpression) != nil else {
            throw fail("name", "must be lower-case letters, digits and underscores, starting with a letter")
        }
        let kind = try choice("type", MetricDefinition.Kind.self)
        let unit = try optionalString("unit")
        // Prometheus conventions: counters end in _total, the unit comes before it.
        let stem = kind == .counter ? String(name.dropLast("_total".count)) : name
        if kind == .counter && !name.hasSuffix("_total") { throw fail("name", "a counter's name ends in _total") }
        if kind != .counter && name.hasSuffix("_total") { throw fail("name", "only counters end in _total") }
        if let unit {
            guard unit.range(of: "^[a-z][a-z0-9_]*$", options: .regularExpression) != nil else { throw fail("unit", "must be a lower-case word such as seconds, bytes or tokens") }
            guard stem.hasSuffix("_" + unit) else { throw fail("name", "must end in _\(unit)\(kind == .counter ? "_total" : "") to carry its unit") }
        }

        let sources = try readSources()
        let source = sources[0]
        let labels = try stringList("labels")
        for label in labels {
            guard label.range(of: "^[a-z_][a-z0-9_]*$", options: .regularExpression) != nil, !label.hasPrefix("__") else {
                throw fail("labels", "\(label) is not a valid label name")
            }
            guard label != "chain" else { throw fail("labels", "chain is set by the exporter on every series") }
        }
        if Set(labels).count != labels.count { throw fail("labels", "a label is listed twice") }
        for (position, source) in sources.enumerated() {
            let which = sources.count == 1 ? "the source" : "source \(position + 1)"
            let available = source.availableLabels
            if let missing = labels.first(where: { !available.contains($0) }) {
                throw fail("labels", "\(which) cannot fill \(missing) (it fills: \(available.sorted().joined(separator: ", ")))")
            }
            // Labels the source is told to fill must be declared (others, like an extrinsic's call,
            // may be left out to add them up).
            if let unlisted = source.declaredLabels.subtracting(labels).sorted().first {
                throw fail("labels", "\(which) fills \(unlisted); list it")
            }
        }

        let sampling: MetricDefinition.Sampling
        switch (fields["every"], fields["schedule"]) {
        case (.some, .some): throw fail("schedule", "give every or schedule, not both")
        case (_, .some): sampling = .schedule(try choice("schedule", MetricDefinition.Schedule.self))
        default:
            let every = try integer("every") ?? 1
            guard every >= 1 else { throw fail("every", "must be 1 or more blocks") }
            sampling = .everyBlocks(every)
        }
        let dataType = try optionalChoice("data_type", MetricDefinition.DataType.self) ?? (kind == .histogram ? .histogram : .timeseries)
        if (kind == .histogram) != (dataType == .histogram) { throw fail("data_type", "histogram metrics, and only they, have data_type histogram") }

        let strict = try boolean("strict") ?? false
        var definition = MetricDefinition(
            name: name, help: try string("help"), kind: kind, unit: unit, source: source, labels: labels,
            scale: try optionalChoice("scale", MetricDefinition.Scale.self) ?? .none, sampling: sampling,
            aggregation: try optionalChoice("aggregation", MetricDefinition.Aggregation.self) ?? (kind == .counter ? .sum : .last),
            minInterval: try duration("min_interval") ?? 6, dataType: dataType, version: try optionalString("version") ?? "1",
            access: try optionalChoice("access", MetricDefinition.Access.self) ?? .free,
            origin: DefinitionLoader.place(origin, node), strict: strict
        )
        definition.fallbacks = Array(sources.dropFirst())
        definition.humanReadableName = try optionalString("human_readable_name")
        // A daily read's newest day is not over: its value may still change.
        definition.hasIncompleteData = try boolean("has_incomplete_data") ?? (sampling == .schedule(.daily) || definition.minInterval >= 86_400)
        definition.docs = try stringList("docs")
        if let bad = definition.docs.first(where: { !$0.hasPrefix("https://") && !$0.hasPrefix("http://") }) { throw fail("docs", "\(bad) is not an http(s) link") }
        definition.minPlan = try optionalChoice("min_plan", MetricDefinition.Plan.self) ?? .free
        definition.requires = try stringList("requires")
        if let bad = definition.requires.first(where: { $0.range(of: "^[A-Za-z][A-Za-z0-9_]*$", options: .regularExpression) == nil }) {
            throw fail("requires", "\(bad) is not a pallet name")
        }
        return definition
    }

    // MARK: Source

    /// One source, or a list of them: the first whose pallets a runtime has is the one read.
    private func readSources() throws(DefinitionError) -> [MetricSource] {
        guard let sourceNode = fields["source"] else { throw fail("source", "missing") }
        guard case let .sequence(list) = sourceNode else { return [try readSource(sourceNode)] }
        guard !list.isEmpty else { throw fail("source", "an empty list of sources", at: sourceNode) }
        var sources = [MetricSource]()
        for item in list { sources.append(try readSource(item)) }
        return sources
    }

    private func readSource(_ sourceNode: Node) throws(DefinitionError) -> MetricSource {
        let source = try mapping(sourceNode, field: "source")
        let kinds = Self.sourceKinds.filter { source[$0] != nil }
        guard kinds.count == 1, let kind = kinds.first, let value = source[kind] else {
            throw fail("source", "give exactly one of \(Self.sourceKinds.joined(separator: ", "))", at: sourceNode)
        }
        let options: [String: Set<String>] = [
            "storage": ["keys", "field", "each_key", "aggregate"], "storage_map": ["aggregate", "field"],
            "events": ["aggregate", "field", "labels", "only"], "extrinsics": ["nested"], "constant": ["field"], "header": [], "collector": ["value"],
        ]
        // A collector's options are its own, checked with it below.
        if kind != "collector", let unknown = source.keys.sorted().first(where: { $0 != kind && !(options[kind]?.contains($0) ?? false) }) {
            throw fail("source.\(unknown)", "not an option of a \(kind) source", at: source[unknown])
        }
        func text(_ node: Node, _ field: String) throws(DefinitionError) -> String {
            guard let scalar = node.scalar else { throw fail(field, "expected text", at: node) }
            return scalar.string
        }
        func dotted(_ node: Node, _ field: String) throws(DefinitionError) -> (String, String) {
            let parts = try text(node, field).split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw fail(field, "expected Pallet.Name", at: node) }
            return (parts[0], parts[1])
        }
        func patterns(_ node: Node, _ field: String, allowAll: Bool) throws(DefinitionError) -> [MetricSource.EventPattern] {
            var items = [Node]()
            if case let .sequence(list) = node { items = Array(list) } else { items = [node] }
            var result = [MetricSource.EventPattern]()
            for item in items {
                let value = try text(item, field)
                if allowAll && value == "all" { continue }
                let parts = value.split(separator: ".", maxSplits: 1).map(String.init)
                guard let pallet = parts.first, !pallet.isEmpty, parts.count <= 2 else { throw fail(field, "expected Pallet, Pallet.Name or Pallet.*", at: item) }
                result.append(.init(pallet: pallet, name: parts.count == 2 && parts[1] != "*" ? parts[1] : nil))
            }
            return result
        }
        func aggregateAndField() throws(DefinitionError) -> (MetricSource.Aggregate, String?) {
            let aggregate = try source["aggregate"].map { node throws(DefinitionError) in
                guard let value = MetricSource.Aggregate(rawValue: try text(node, "source.aggregate")) else {
                    throw fail("source.aggregate", "expected count or sum", at: node)
                }
                return value
            } ?? .count
            let field = try source["field"].map { node throws(DefinitionError) in try text(node, "source.field") }
            if aggregate == .sum && field == nil { throw fail("source.field", "a sum needs the field to add up") }
            return (aggregate, field)
        }

        switch kind {
        case "storage":
            let (pallet, item) = try dotted(value, "source.storage")
            var keys = [JSON]()
            if let keysNode = source["keys"] {
                guard case let .sequence(list) = keysNode else { throw fail("source.keys", "expected a list of map keys", at: keysNode) }
                keys = list.map(Self.json)
            }
            var eachKey: MetricSource.EachKey?
            if let eachNode = source["each_key"] {
                let each = try mapping(eachNode, field: "source.each_key")
                guard let label = each["label"]?.scalar?.string, case let .sequence(values)? = each["values"], each.count == 2 else {
                    throw fail("source.each_key", "expected {label: NAME, values: [key, …]}", at: eachNode)
                }
                eachKey = .init(label: label, values: values.map(Self.json))
            }
            // Without `aggregate`, the one integer at `field` (or the value itself).
            guard source["aggregate"] != nil else {
                let field = try source["field"].map { node throws(DefinitionError) in try text(node, "source.field") }
                return .storage(pallet: pallet, item: item, keys: keys, field: field, eachKey: eachKey)
            }
            let (aggregate, field) = try aggregateAndField()
            guard field != nil else { throw fail("source.field", "an aggregate of a storage value needs the field whose integers it counts or adds up") }
            return .storage(pallet: pallet, item: item, keys: keys, field: field, eachKey: eachKey, aggregate: aggregate)
        case "storage_map":
            let (pallet, item) = try dotted(value, "source.storage_map")
            let (aggregate, field) = try aggregateAndField()
            return .storageMap(pallet: pallet, item: item, aggregate: aggregate, field: field)
        case "events":
            let events = try patterns(value, "source.events", allowAll: true)
            let (aggregate, field) = try aggregateAndField()
            var labelFields = [String: String]()
            if let labelsNode = source["labels"] {
                for (label, path) in try mapping(labelsNode, field: "source.labels") { labelFields[label] = try text(path, "source.labels.\(label)") }
            }
            var only = [String: Set<String>]()
            if let onlyNode = source["only"] {
                for (path, valuesNode) in try mapping(onlyNode, field: "source.only") {
                    guard case let .sequence(values) = valuesNode, !values.isEmpty, values.allSatisfy({ $0.scalar != nil }) else {
                        throw fail("source.only.\(path)", "expected a list of the values to count", at: valuesNode)
                    }
                    only[path] = Set(values.compactMap { $0.scalar?.string })
                }
            }
            return .events(events: events, aggregate: aggregate, field: field, labelFields: labelFields, only: only)
        case "extrinsics":
            let nested = try source["nested"].map { node throws(DefinitionError) in
                guard let flag = Bool(try text(node, "source.nested")) else { throw fail("source.nested", "expected true or false", at: node) }
                return flag
            } ?? true
            return .extrinsics(filter: try patterns(value, "source.extrinsics", allowAll: true), nested: nested)
        case "constant":
            let (pallet, name) = try dotted(value, "source.constant")
            return .constant(pallet: pallet, name: name, field: try source["field"].map { node throws(DefinitionError) in try text(node, "source.field") })
        case "header":
            guard let header = MetricSource.HeaderValue(rawValue: try text(value, "source.header")) else {
                throw fail("source.header", "expected one of \(MetricSource.HeaderValue.allCases.map(\.rawValue).joined(separator: ", "))", at: value)
            }
            return .header(header)
        default:
            let name = try text(value, "source.collector")
            guard let spec = CollectorCatalog.spec(named: name) else {
                throw fail("source.collector", "no collector \(name); there are \(CollectorCatalog.all.map(\.name).joined(separator: ", "))", at: value)
            }
            var options = [JSON.Member]()
            for (option, node) in source.sorted(by: { $0.key < $1.key }) where option != "collector" && option != "value" {
                guard spec.options.contains(option) else {
                    throw fail("source.\(option)", "not an option of collector \(name)\(spec.options.isEmpty ? "" : " (it takes \(spec.options.sorted().joined(separator: ", ")))")", at: node)
                }
                let json = Self.json(node)
                if let problem = spec.checkOption(option, json) { throw fail("source.\(option)", problem, at: node) }
                options.append(JSON.Member(option, json))
            }
            var chosen = spec.defaultValue
            if let valueNode = source["value"] {
                chosen = try text(valueNode, "source.value")
                guard spec.values[chosen] != nil else {
                    throw fail("source.value", "collector \(name) has no value \(chosen); it has \(spec.values.keys.sorted().joined(separator: ", "))", at: valueNode)
                }
            }
            return .collector(name: name, value: chosen, options: options.isEmpty ? .null : .object(options))
        }
    }

    /// A YAML value as JSON, for map keys: numbers stay exact text.
    static func json(_ node: Node) -> JSON {
        switch node {
        case let .scalar(scalar):
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return .bool(Bool(scalar.string.lowercased()) ?? false)
            case Tag.Name.int.rawValue: return .number(scalar.string)
            default: return .string(scalar.string)
            }
        case let .sequence(items): return .array(items.map(json))
        case let .mapping(pairs): return .object(pairs.map { JSON.Member($0.key.scalar?.string ?? "", json($0.value)) })
        case let .alias(alias): return .string(alias.anchor.rawValue)
        }
    }

    // MARK: Fields

    private func mapping(_ node: Node, field: String?) throws(DefinitionError) -> [String: Node] {
        guard case let .mapping(pairs) = node else { throw fail(field, "expected a mapping of fields", at: node) }
        var result = [String: Node]()
        for (key, value) in pairs {
            guard let name = key.scalar?.string else { throw fail(field, "field names are text", at: key) }
            if result[name] != nil { throw fail(field.map { "\($0).\(name)" } ?? name, "given twice", at: key) }
            result[name] = value
        }
        return result
    }

    private func optionalString(_ field: String) throws(DefinitionError) -> String? {
        guard let node = fields[field] else { return nil }
        guard let scalar = node.scalar, node.tag.rawValue != Tag.Name.null.rawValue else { throw fail(field, "expected text", at: node) }
        return scalar.string
    }

    private func boolean(_ field: String) throws(DefinitionError) -> Bool? {
        guard let node = fields[field] else { return nil }
        guard let value = node.scalar.flatMap({ ["true": true, "false": false][$0.string] }) else { throw fail(field, "expected true or false", at: node) }
        return value
    }

    private func string(_ field: String) throws(DefinitionError) -> String {
        guard let value = try optionalString(field), !value.isEmpty else { throw fail(field, "missing") }
        return value
    }

    private func stringList(_ field: String) throws(DefinitionError) -> [String] {
        guard let node = fields[field] else { return [] }
        guard case let .sequence(items) = node else { throw fail(field, "expected a list", at: node) }
        var values = [String]()
        for item in items {
            guard let scalar = item.scalar else { throw fail(field, "expected text items", at: item) }
            values.append(scalar.string)
        }
        return values
    }

    private func integer(_ field: String) throws(DefinitionError) -> Int? {
        guard let node = fields[field] else { return nil }
        guard let value = node.scalar.flatMap({ Int($0.string) }) else { throw fail(field, "expected a whole number", at: node) }
        return value
    }

    private func optionalChoice<T: RawRepresentable & CaseIterable>(_ field: String, _: T.Type) throws(DefinitionError) -> T? where T.RawValue == String {
        guard let text = try optionalString(field) else { return nil }
        guard let value = T(rawValue: text) else {
            throw fail(field, "\(text) is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))", at: fields[field])
        }
        return value
    }

    private func choice<T: RawRepresentable & CaseIterable>(_ field: String, _ type: T.Type) throws(DefinitionError) -> T where T.RawValue == String {
        guard let value = try optionalChoice(field, type) else { throw fail(field, "missing (one of \(T.allCases.map(\.rawValue).joined(separator: ", ")))") }
        return value
    }

    /// `30s`, `5m`, `1h`, `1d`, `1w` in seconds.
    private func duration(_ field: String) throws(DefinitionError) -> Int? {
        guard let text = try optionalString(field) else { return nil }
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        guard let unit = text.last.flatMap({ units[$0] }), let count = Int(text.dropLast()), count > 0 else {
            throw fail(field, "expected a duration such as 6s, 5m, 1h, 1d", at: fields[field])
        }
        return count * unit
    }
}

extension DefinitionLoader {
    /// The definitions that ship with runtime-exporter (`metrics/` in the source tree).
    public static var shippedDirectory: URL? {
        Bundle.module.url(forResource: "Metrics", withExtension: nil)
    }
}
