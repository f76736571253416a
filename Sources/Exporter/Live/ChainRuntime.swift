import SCALE
import Substrate

/// One runtime version of a followed chain: its metadata, the definitions that apply to it, and
/// the storage keys to read at each of its blocks (one `state_queryStorageAt` for all of them).
/// A class: every block and task holds it, and copying its many fields each time costs more
/// than a reference.
final class ChainRuntime: Sendable {
    let specVersion: UInt32
    let metadata: RuntimeMetadata
    let evaluator: DefinitionEvaluator
    let definitions: [MetricDefinition]
    /// The collectors the definitions use, bound to this runtime.
    let collectors: [BoundCollector]
    /// What is read on a schedule with calls of its own (storage maps, scheduled collectors).
    let scheduled: [ScheduledTask]
    /// Gauges given in full at every block (their series are replaced each time), and gauges
    /// of other runtimes that this one lacks (their series go).
    let everyBlockGauges: Set<String>
    let absentGauges: Set<String>
    /// `Staking.ActiveEra`, read at every block when something is scheduled per era.
    let activeEraKey: String?
    let storageKeys: [String]
    let eventsKey: String
    /// Why definitions were left out for this runtime, other than a pallet it lacks: a line each.
    let skipped: [String]
    /// The definitions left out because the runtime lacks a pallet they read, by pallet.
    let lackingPallets: [String: [String]]

    /// Those in one line: a relay chain lacks a dozen staking-async definitions' pallets, which
    /// is no news for each.
    var skippedForPallets: String? {
        guard !lackingPallets.isEmpty else { return nil }
        let pallets = lackingPallets.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value.joined(separator: ", ")))" }
        return "\(lackingPallets.values.joined().count) definitions of pallets the runtime lacks: \(pallets.joined(separator: "; "))"
    }
    /// Map prefixes the collectors had listed (`Collector.listedPrefixes`).
    let listings = PrefixListings()

    /// A definition naming what the runtime lacks is skipped for this runtime (`skipped` says
    /// why). `strict`: the runtime the chain runs when following starts, where such a definition
    /// that asks for strictness (`strict: true`) is a configuration error instead.
    init(specVersion: UInt32, metadata: RuntimeMetadata, definitions all: [MetricDefinition], strict: Bool) throws {
        self.specVersion = specVersion
        self.metadata = metadata
        let check = ChainCheck(metadata: metadata)
        var applying = [MetricDefinition]()
        var skipped = [String]()
        var lackingPallet = [String: [String]]()
        for given in all {
            let definition = check.choosingSource(given)
            switch strict && definition.strict ? try check.check(definition) : check.historicalOutcome(definition) {
            case .applies: applying.append(definition)
            case let .skipped(reason) where strict && definition.strict:
                throw DefinitionError(origin: definition.origin, entry: definition.name, field: "source", "\(reason) (the definition is strict)")
            case let .skipped(reason):
                if let pallet = (definition.source.pallets + definition.requires).first(where: { metadata.pallet(named: $0) == nil }) {
                    lackingPallet[pallet, default: []].append(definition.name)
                } else {
                    skipped.append(reason)
                }
            }
        }
        lackingPallets = lackingPallet
        evaluator = DefinitionEvaluator(metadata: metadata, definitions: applying)
        collectors = try BoundCollector.bind(applying, metadata: metadata)
        scheduled = try ScheduledTask.tasks(applying, metadata: metadata)
        let scheduledNames = Set(scheduled.flatMap { $0.definitions.map(\.name) })
        let sticky = Set(collectors.flatMap { bound in
            bound.definitions.filter { definition in
                guard case let .collector(name, value, _) = definition.source else { return false }
                return CollectorCatalog.spec(named: name)?.stickyValues.contains(value) ?? false
            }.map(\.name)
        })
        everyBlockGauges = Set(applying.filter { definition in
            guard definition.kind == .gauge, !scheduledNames.contains(definition.name), !sticky.contains(definition.name) else { return false }
            // A gauge read from events holds its value until the next such event; the best
            // block number comes from the new-heads stream.
            if case .events = definition.source { return false }
            if case .header(.bestNumber) = definition.source { return false }
            return true
        }.map(\.name))
        absentGauges = Set(all.filter { $0.kind == .gauge }.map(\.name)).subtracting(applying.map(\.name))
        let wantsEra = scheduled.contains { $0.sampling == .schedule(.era) } && metadata.storageEntry(pallet: "Staking", item: "ActiveEra") != nil
        activeEraKey = wantsEra ? Hex.encode(try StorageKeyBuilder(metadata: metadata).key(pallet: "Staking", item: "ActiveEra")) : nil
        var keys = [String]()
        for definition in applying { keys += try evaluator.storageKeys(for: definition).map(\.key) }
        for bound in collectors { keys += bound.collector.storageKeys }
        eventsKey = Hex.encode(try StorageKeyBuilder(metadata: metadata).key(pallet: "System", item: "Events"))
        var seen = Set<String>()
        storageKeys = ([eventsKey] + keys + (activeEraKey.map { [$0] } ?? [])).filter { seen.insert($0).inserted }
        definitions = applying
        self.skipped = skipped
    }

    /// A block as schedules see it (`ScheduleClock`): following and history alike.
    func scheduleMoment(_ block: BlockContext) -> ScheduleClock.Moment {
        ScheduleClock.Moment(block: block.number, timestampMilliseconds: block.timestampMilliseconds, era: activeEra(in: block.storage))
    }

    /// The active era's index at a block, when something is scheduled per era.
    func activeEra(in storage: [String: [UInt8]?]) -> UInt32? {
        guard let activeEraKey, let stored = storage[activeEraKey], let bytes = stored,
              let type = metadata.storageEntry(pallet: "Staking", item: "ActiveEra")?.valueType,
              let value = try? ValueDecoder(registry: metadata.types).decode(type, bytes: bytes)
        else { return nil }
        return (value.value(at: "index") ?? value).uint64.flatMap { UInt32(exactly: $0) }
    }
}
