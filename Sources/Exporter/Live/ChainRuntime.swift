import SCALE
import Substrate

/// One runtime version of a followed chain: its metadata, the definitions that apply to it, and
/// the storage keys to read at each of its blocks (one `state_queryStorageAt` for all of them).
struct ChainRuntime: Sendable {
    let specVersion: UInt32
    let metadata: RuntimeMetadata
    let evaluator: DefinitionEvaluator
    let definitions: [MetricDefinition]
    /// The collectors the definitions use, bound to this runtime.
    let collectors: [BoundCollector]
    let storageKeys: [String]
    let eventsKey: String
    /// Why definitions were left out for this runtime, for one log line each.
    let skipped: [String]

    /// `strict`: the runtime the chain runs when following starts, where a definition naming
    /// what the runtime lacks is a configuration error; after an upgrade it only skips it.
    init(specVersion: UInt32, metadata: RuntimeMetadata, definitions all: [MetricDefinition], strict: Bool) throws {
        self.specVersion = specVersion
        self.metadata = metadata
        let check = ChainCheck(metadata: metadata)
        var applying = [MetricDefinition]()
        var skipped = [String]()
        for definition in all {
            switch strict ? try check.check(definition) : check.historicalOutcome(definition) {
            case .applies: applying.append(definition)
            case let .skipped(reason): skipped.append(reason)
            }
        }
        evaluator = DefinitionEvaluator(metadata: metadata, definitions: applying)
        collectors = try BoundCollector.bind(applying, metadata: metadata)
        var keys = [String]()
        for definition in applying { keys += try evaluator.storageKeys(for: definition).map(\.key) }
        for bound in collectors { keys += bound.collector.storageKeys }
        eventsKey = Hex.encode(try StorageKeyBuilder(metadata: metadata).key(pallet: "System", item: "Events"))
        var seen = Set<String>()
        storageKeys = ([eventsKey] + keys).filter { seen.insert($0).inserted }
        definitions = applying
        self.skipped = skipped
    }
}
