import Substrate

/// The phase of a single-block-solution election (`ElectionProviderMultiPhase.CurrentPhase`:
/// Off, Signed, Unsigned, Emergency), one series labelled with it, as the multi-block
/// election's phase is shown: one phase gauge, one timeline and one alert for both kinds of
/// runtime.
struct ElectionPhaseCollector: Collector {
    static let pallet = "ElectionProviderMultiPhase"
    static let spec = CollectorSpec(name: "election_provider_phase", values: ["phase": ["phase"]], defaultValue: "phase", pallets: [pallet]) {
        metadata throws(CollectorError) in
        let storage = CollectorStorage(collector: "election_provider_phase", metadata: metadata)
        guard storage.has(pallet, "CurrentPhase") else { return .missing("election_provider_phase: the runtime has no \(pallet).CurrentPhase") }
        return .bound(ElectionPhaseCollector(storage: storage, phaseKey: try storage.key(pallet, "CurrentPhase")))
    }

    let storage: CollectorStorage
    let phaseKey: String

    var storageKeys: [String] { [phaseKey] }

    func collect(_ block: BlockContext) throws(CollectorError) -> [Sample] {
        // An absent value is the item's default, Off.
        guard let phase = try storage.value(Self.pallet, "CurrentPhase", key: phaseKey, in: block)?.variantName else {
            throw storage.fail("\(Self.pallet).CurrentPhase at block \(block.number) is not a phase")
        }
        return [Sample(metric: "phase", labels: [Sample.Label("phase", phase)], value: SampleValue(1))]
    }
}
