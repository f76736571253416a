import Substrate

/// The stake behind the active era: its total (`ErasTotalStake`), and how much of it the
/// validators staked themselves (`own`) and their nominators (`others`), summed over the
/// session's validators from `ErasStakersOverview` (paged exposures) or, in older runtimes,
/// `ErasStakers`, and how many nominators back them (a nominator backing several validators
/// counts once for each). The era and the validators come from the block's query, the
/// exposures from the follow-up query.
struct StakingExposureCollector: Collector {
    static let spec = CollectorSpec(
        name: "staking_exposure", values: ["total": [], "own": [], "others": [], "active_validators": [], "nominator_backings": []], defaultValue: "total"
    ) { metadata throws(CollectorError) in
        let storage = CollectorStorage(collector: "staking_exposure", metadata: metadata)
        for (pallet, item) in [("Staking", "ActiveEra"), ("Staking", "ErasTotalStake"), ("Session", "Validators")] where !storage.has(pallet, item) {
            return .missing("staking_exposure: the runtime has no \(pallet).\(item)")
        }
        let exposureItem = storage.has("Staking", "ErasStakersOverview") ? "ErasStakersOverview" : "ErasStakers"
        guard storage.has("Staking", exposureItem) else { return .missing("staking_exposure: the runtime has no Staking.ErasStakers") }
        return .bound(StakingExposureCollector(
            storage: storage, exposureItem: exposureItem,
            activeEraKey: try storage.key("Staking", "ActiveEra"), validatorsKey: try storage.key("Session", "Validators")))
    }

    let storage: CollectorStorage
    let exposureItem: String
    let activeEraKey: String
    let validatorsKey: String

    var storageKeys: [String] { [activeEraKey, validatorsKey] }

    /// The active era and the session's validators; nil before the first era.
    private func eraAndValidators(_ block: BlockContext) throws(CollectorError) -> (era: UInt32, validators: [[UInt8]])? {
        guard let activeEra = try storage.value("Staking", "ActiveEra", key: activeEraKey, in: block) else { return nil }
        let era = try storage.number(activeEra, "index", what: "Staking.ActiveEra")
        guard let list = try storage.value("Session", "Validators", key: validatorsKey, in: block), case let .sequence(items) = list.kind else {
            throw storage.fail("Session.Validators at block \(block.number) is not a list")
        }
        var validators = [[UInt8]]()
        for item in items {
            guard let bytes = item.bytes ?? item.unwrappedNewtype?.bytes else { throw storage.fail("Session.Validators holds a non-account") }
            validators.append(bytes)
        }
        return (UInt32(truncatingIfNeeded: era), validators)
    }

    private func totalKey(_ era: UInt32) throws(CollectorError) -> String {
        try storage.key("Staking", "ErasTotalStake", [.primitive(.u32(era))])
    }

    private func exposureKey(_ era: UInt32, _ validator: [UInt8]) throws(CollectorError) -> String {
        try storage.key("Staking", exposureItem, [.primitive(.u32(era)), .bytes(validator)])
    }

    func followUpKeys(_ block: BlockContext) throws(CollectorError) -> [String] {
        guard let (era, validators) = try eraAndValidators(block) else { return [] }
        var keys = [try totalKey(era)]
        for validator in validators { keys.append(try exposureKey(era, validator)) }
        return keys
    }

    /// This era's keys and the next era's for the same validators: a chain's eras change while
    /// history is loaded, and the validators seldom do.
    func predictedKeys(_ block: BlockContext) throws(CollectorError) -> [String] {
        guard let (era, validators) = try eraAndValidators(block) else { return [] }
        var keys = [String]()
        for next in [era, era &+ 1] {
            keys.append(try totalKey(next))
            for validator in validators { keys.append(try exposureKey(next, validator)) }
        }
        return keys
    }

    func collect(_ block: BlockContext) throws(CollectorError) -> [Sample] {
        guard let (era, validators) = try eraAndValidators(block) else { return [] }
        let total = try storage.number(try storage.value("Staking", "ErasTotalStake", key: try totalKey(era), in: block), what: "Staking.ErasTotalStake[\(era)]")
        var own: UInt128 = 0
        var backed: UInt128 = 0
        var backings: UInt128 = 0
        for validator in validators {
            // A validator of the session without exposure in this era (just elected) adds nothing.
            guard let exposure = try storage.value("Staking", exposureItem, key: try exposureKey(era, validator), in: block) else { continue }
            own += try storage.number(exposure, "own", what: "Staking.\(exposureItem)[\(era)]")
            backed += try storage.number(exposure, "total", what: "Staking.\(exposureItem)[\(era)]")
            if let count = exposure.value(at: "nominator_count")?.uint128 {
                backings += count
            } else if case let .sequence(others)? = exposure.value(at: "others")?.kind {
                backings += UInt128(others.count)
            }
        }
        guard backed >= own else { throw storage.fail("era \(era): exposures total \(backed), less than their own stake \(own)") }
        return [
            Sample(metric: "total", value: SampleValue(total)), Sample(metric: "own", value: SampleValue(own)),
            Sample(metric: "others", value: SampleValue(backed - own)), Sample(metric: "active_validators", value: SampleValue(UInt128(validators.count))),
            Sample(metric: "nominator_backings", value: SampleValue(backings)),
        ]
    }
}
