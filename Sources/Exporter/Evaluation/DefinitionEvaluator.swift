import ExactJSON
import SCALE
public import Substrate

/// Evaluates the declarative definitions (every source kind but `collector`, see `BoundCollector`,
/// and `storage_map`, whose entries are paged in separately) on one block of one runtime: which storage keys they
/// need, and the samples they give. Gauges give their value, counters their increase in this
/// block, histograms one observation.
public struct DefinitionEvaluator: Sendable {
    public let metadata: RuntimeMetadata
    private let keys: StorageKeyBuilder
    private let reader: ValueJSONReader
    private let decoder: ValueDecoder

    public struct EvaluationError: Error, Sendable, CustomStringConvertible {
        public let metric: String
        public let message: String
        public var reason: MetricFailure.Reason = .shape
        public var description: String { "\(metric): \(message)" }

        public init(metric: String, message: String, reason: MetricFailure.Reason = .shape) {
            self.metric = metric
            self.message = message
            self.reason = reason
        }

        public var failure: MetricFailure { MetricFailure(metric: metric, reason: reason, message: message) }
    }

    public typealias StorageKeys = [(key: String, labels: [Sample.Label])]

    /// Keys of the definitions given at creation, built once: they are the same at every block
    /// of this runtime, and building one hashes and reads the definition's keys.
    private var keyCache: [String: StorageKeys]

    /// `definitions`: those this evaluator will evaluate block after block (their storage keys
    /// are built now); others can still be evaluated, building their keys each time.
    public init(metadata: RuntimeMetadata, definitions: [MetricDefinition] = []) {
        self.metadata = metadata
        keys = StorageKeyBuilder(metadata: metadata)
        reader = ValueJSONReader(registry: metadata.types)
        decoder = ValueDecoder(registry: metadata.types)
        keyCache = [:]
        var cache = [String: StorageKeys]()
        for definition in definitions {
            if let built = try? buildStorageKeys(for: definition) { cache[definition.name] = built }
        }
        keyCache = cache
    }

    /// The storage keys (`0x` hex) a definition reads at each block, with the label values each
    /// key's sample carries.
    public func storageKeys(for definition: MetricDefinition) throws(EvaluationError) -> StorageKeys {
        if let cached = keyCache[definition.name] { return cached }
        return try buildStorageKeys(for: definition)
    }

    private func buildStorageKeys(for definition: MetricDefinition) throws(EvaluationError) -> StorageKeys {
        func fail(_ message: String) -> EvaluationError { EvaluationError(metric: definition.name, message: message) }
        switch definition.source {
        case let .storage(pallet, item, given, _, eachKey, _):
            guard let keyTypes = keys.keyTypes(pallet: pallet, item: item) else { throw fail("no storage item \(pallet).\(item)") }
            func key(_ json: [JSON]) throws(EvaluationError) -> String {
                do {
                    let values = try zip(json, keyTypes).map { try reader.read(try PalletAccount.resolve($0, metadata: metadata), as: $1) }
                    return Hex.encode(try keys.key(pallet: pallet, item: item, keys: values))
                } catch {
                    throw fail("\(pallet).\(item) key: \(error)")
                }
            }
            guard let eachKey else { return [(try key(given), [])] }
            var result = [(key: String, labels: [Sample.Label])]()
            for value in eachKey.values {
                // A structured key (an XCM location) is labelled as events label the same value.
                var label = value.stringValue ?? value.serialized()
                if case .object = value, let keyType = keyTypes.last, let read = try? reader.read(value, as: keyType) { label = labelText(read) }
                result.append((try key(given + [value]), [Sample.Label(eachKey.label, label)]))
            }
            return result
        case .header(.weight):
            do {
                return [(Hex.encode(try keys.key(pallet: "System", item: "BlockWeight")), [])]
            } catch {
                throw fail("\(error)")
            }
        default:
            return []
        }
    }

    public func evaluate(_ definition: MetricDefinition, in block: BlockContext) throws(EvaluationError) -> [Sample] {
        func fail(_ message: String, _ reason: MetricFailure.Reason = .shape) -> EvaluationError {
            EvaluationError(metric: definition.name, message: "block \(block.number): \(message)", reason: reason)
        }
        if let undecoded = block.undecoded.reason(reading: definition.source.blockParts) { throw fail(undecoded, .blockUndecodable) }
        let decimals = definition.scale.decimals(tokenDecimals: block.tokenDecimals)
        func sample(_ labels: [Sample.Label], _ integer: UInt128, decimals: Int = 0) -> Sample {
            Sample(metric: definition.name, labels: labels.filter { definition.labels.contains($0.name) }, value: SampleValue(integer, decimals: decimals))
        }

        switch definition.source {
        case let .storage(pallet, item, _, field, _, aggregate):
            guard let entry = metadata.storageEntry(pallet: pallet, item: item) else { throw fail("no storage item \(pallet).\(item)", .missing) }
            let valueType = entry.valueType
            var samples = [Sample]()
            for (key, labels) in try storageKeys(for: definition) {
                guard let stored = block.storage[key] else { throw fail("\(pallet).\(item) was not fetched", .missing) }
                // An absent value reads as the entry's default; an absent Option is no sample.
                let bytes = stored ?? (entry.modifier == .default ? entry.defaultValue : nil)
                guard let bytes else { continue }
                // A count counts values of any type (accounts, groups): the value is decoded whole.
                if aggregate == .count, let field {
                    let counted: [Value]?
                    do { counted = try decoder.decode(valueType, bytes: bytes).values(at: field) } catch { throw fail("\(pallet).\(item): \(error)", .undecodable) }
                    guard let counted else { throw fail("the value has nothing at \(field)", .shape) }
                    samples.append(sample(labels, UInt128(counted.count)))
                    continue
                }
                // Read straight from the bytes: only the integer at `field` is decoded.
                let found: [UInt128]?
                do { found = try decoder.integers(valueType, bytes: bytes, at: field) } catch { throw fail("\(pallet).\(item): \(error)", .undecodable) }
                if let aggregate {
                    guard let found else { throw fail("the value has no integers at \(field ?? "the item")", .shape) }
                    var total: UInt128 = 0
                    if aggregate == .count { total = UInt128(found.count) } else { for number in found { try Self.add(number, to: &total, fail: fail) } }
                    samples.append(sample(labels, total, decimals: aggregate == .count ? 0 : decimals))
                    continue
                }
                guard let number = try Self.number(found, at: field, fail: fail) else { continue }
                samples.append(sample(labels, number, decimals: decimals))
            }
            return samples

        case let .constant(pallet, name, field):
            guard let constant = metadata.pallet(named: pallet)?.constants.first(where: { $0.name == name }) else {
                throw fail("no constant \(pallet).\(name)", .missing)
            }
            let value: Value
            do { value = try decoder.decode(constant.typeID, bytes: constant.value) } catch { throw fail("\(pallet).\(name): \(error)", .undecodable) }
            return try Self.number(value.integers(at: field), at: field, fail: fail).map { [sample([], $0, decimals: decimals)] } ?? []

        case let .events(patterns, aggregate, field, labelFields, only):
            var totals = [[Sample.Label]: UInt128]()
            for event in block.events where patterns.isEmpty || patterns.contains(where: { $0.matches(pallet: event.pallet, name: event.name) }) {
                guard only.allSatisfy({ path, values in values.contains(labelText(Self.field(path, of: event))) }) else { continue }
                var labels = [Sample.Label]()
                for (label, path) in labelFields {
                    labels.append(Sample.Label(label, path == "pallet" ? event.pallet : path == "event" ? event.name : labelText(Self.field(path, of: event))))
                }
                let amount: UInt128
                switch aggregate {
                case .count: amount = 1
                case .sum:
                    guard let value = Self.field(field ?? "", of: event), let number = try Self.number(value.integers(at: nil), at: nil, fail: fail) else {
                        throw fail("\(event.pallet).\(event.name) has no number at \(field ?? "")", .shape)
                    }
                    amount = number
                }
                try Self.add(amount, to: &totals[labels.sorted(), default: 0], fail: fail)
            }
            return totals.map { sample($0.key, $0.value, decimals: aggregate == .sum ? decimals : 0) }.sorted { $0.labels.lexicographicallyPrecedes($1.labels) }

        case let .extrinsics(filter, nested):
            var totals = [[Sample.Label]: UInt128]()
            for (index, extrinsic) in block.extrinsics.enumerated() {
                for dispatched in DispatchedCall.calls(ofExtrinsic: index, in: block, nested: nested) {
                    let call = dispatched.call
                    guard filter.isEmpty || filter.contains(where: { $0.matches(pallet: call.pallet, name: call.name) }) else { continue }
                    let result = dispatched.succeeded.map { $0 ? "success" : "failed" } ?? "unknown"
                    let labels = [
                        Sample.Label("pallet", call.pallet), Sample.Label("call", call.name),
                        Sample.Label("signed", extrinsic.isSigned ? "true" : "false"), Sample.Label("result", result),
                    ].filter { definition.labels.contains($0.name) }
                    totals[labels.sorted(), default: 0] += 1
                }
            }
            return totals.map { sample($0.key, $0.value) }.sorted { $0.labels.lexicographicallyPrecedes($1.labels) }

        case let .header(value):
            switch value {
            case .number:
                return [sample([], UInt128(block.number))]
            case .timestamp:
                return block.timestampMilliseconds.map { [sample([], UInt128($0), decimals: 3)] } ?? []
            case .blockTime:
                guard let now = block.timestampMilliseconds, let before = block.parentTimestampMilliseconds, now >= before else { return [] }
                return [sample([], UInt128(now - before), decimals: 3)]
            case .length:
                return [sample([], UInt128(block.extrinsicsLength))]
            case .weight:
                return try weightSamples(definition, block: block, decimals: decimals, fail: fail)
            case .bestNumber:
                return []  // the follower records it from the node's new heads
            }

        case .storageMap, .collector:
            return []
        }
    }

    // MARK: Helpers

    /// `System.BlockWeight` per dispatch class: `ref_time` of a two-dimensional weight, or the
    /// single number of older runtimes.
    private func weightSamples(_ definition: MetricDefinition, block: BlockContext, decimals: Int, fail: (String, MetricFailure.Reason) -> EvaluationError) throws(EvaluationError) -> [Sample] {
        guard let (key, _) = try storageKeys(for: definition).first, let type = metadata.storageEntry(pallet: "System", item: "BlockWeight")?.valueType else { return [] }
        guard let stored = block.storage[key], let bytes = stored else { return [] }
        let weights: Value
        do { weights = try decoder.decode(type, bytes: bytes) } catch { throw fail("System.BlockWeight: \(error)", .undecodable) }
        var samples = [Sample]()
        for dispatchClass in ["normal", "operational", "mandatory"] {
            guard let weight = weights.value(at: dispatchClass) else { continue }
            let refTime = weight.value(at: "ref_time") ?? weight
            guard let number = refTime.uint128 else { continue }
            let labels = definition.labels.contains("class") ? [Sample.Label("class", dispatchClass)] : []
            samples.append(Sample(metric: definition.name, labels: labels, value: SampleValue(number, decimals: decimals)))
        }
        return samples
    }

    /// The one non-negative integer a path found (`Value.integers(at:)`); nil for `None`.
    static func number(_ found: [UInt128]?, at path: String?, fail: (String, MetricFailure.Reason) -> EvaluationError) throws(EvaluationError) -> UInt128? {
        guard let found, found.count <= 1 else {
            throw fail("the value has no non-negative integer at \(path ?? "the item")", .shape)
        }
        return found.first
    }

    /// `total += amount`, a failure rather than a trap past 128 bits.
    static func add(_ amount: UInt128, to total: inout UInt128, fail: (String, MetricFailure.Reason) -> EvaluationError) throws(EvaluationError) {
        let (sum, overflow) = total.addingReportingOverflow(amount)
        guard !overflow else { throw fail("the total passes 2^128", .overflow) }
        total = sum
    }

    /// An event field by path, trying `a|b` alternatives; numbers index unnamed fields.
    static func field(_ path: String, of event: EventRecord) -> Value? {
        let container = Value(.composite(event.fields))
        return path.split(separator: "|").lazy.compactMap { container.value(at: String($0)) }.first
    }

    /// A label's text for a field value: numbers in decimal, unit enums by name, an enum with
    /// one field as `Name(field)` (a message's origin `Sibling(2034)`, `Ump(Para(2004))`),
    /// bytes as hex.
    func labelText(_ value: Value?) -> String {
        guard var value else { return "" }
        while let inner = value.unwrappedNewtype, inner != value { value = inner }
        if let number = value.uint128 { return String(number) }
        if let bytes = value.bytes { return Hex.encode(bytes) }
        if let location = LocationText.text(value, junction: labelText) { return location }
        if case let .variant(variant) = value.kind {
            // `Sibling(2034)`, `AccountKey20(0x…)`: the fields' texts, absent options left out.
            let fields = variant.fields.map(\.value).filter { $0.variantName != "None" }
            return fields.isEmpty ? variant.name : "\(variant.name)(\(fields.map { labelText($0) }.joined(separator: ",")))"
        }
        if let text = value.string { return text }
        return ValueJSONRenderer(registry: metadata.types).render(value).serialized()
    }
}

extension MetricSource {
    /// The parts of a block's body the source reads: a block whose parts do not decode fails it.
    var blockParts: BlockParts {
        switch self {
        case .events: .events
        case .extrinsics: [.extrinsics, .events]
        case .header(.timestamp), .header(.blockTime), .header(.length): .extrinsics
        default: []
        }
    }
}

extension MetricDefinition.Scale {
    /// The power of ten the source's integers are divided by.
    public func decimals(tokenDecimals: Int) -> Int {
        switch self {
        case .none: 0
        case .tokenDecimals: tokenDecimals
        case .perbill: 9
        case .fixedU128: 18
        case .pico: 12
        case .micro: 6
        }
    }
}

extension MetricSource.EventPattern {
    func matches(pallet: String, name: String) -> Bool {
        self.pallet == pallet && (self.name == nil || self.name == name)
    }
}
