import Substrate

/// The active era as staking recorded it, from the era's own entries and never from `Session`
/// (on Asset Hub the session's validators are its collators):
/// - its validators: the entries of its exposures, `ErasStakersOverview` (paged exposures) or,
///   in older runtimes, `ErasStakers`, listed under the era's prefix;
/// - the stake behind them: the era's total (`ErasTotalStake`), how much of it the validators
///   staked themselves (`own`) and their nominators (`others`), and how many nominators back
///   them (a nominator backing several validators counts once for each);
/// - its reward points (`ErasRewardPoints`: the total, and how many validators earned some);
/// - the reward of the era before it (`ErasValidatorReward`, once that era is paid).
/// An era's exposures are written before it starts and kept unchanged while it is active, so
/// the list of its validators is read once per era.
struct StakingExposureCollector: Collector {
    static let spec = CollectorSpec(
        name: "staking_exposure",
        values: [
            "total": [], "own": [], "others": [], "active_validators": [], "nominator_backings": [],
            "era_points": [], "era_points_validators": [], "previous_era_reward": [],
        ],
        defaultValue: "total"
    ) { metadata throws(CollectorError) in
        let storage = CollectorStorage(collector: "staking_exposure", metadata: metadata)
        for item in ["ActiveEra", "ErasTotalStake"] where !storage.has("Staking", item) {
            return .missing("staking_exposure: the runtime has no Staking.\(item)")
        }
        let exposureItem = storage.has("Staking", "ErasStakersOverview") ? "ErasStakersOverview" : "ErasStakers"
        guard storage.has("Staking", exposureItem) else { return .missing("staking_exposure: the runtime has no Staking.ErasStakers") }
        return .bound(StakingExposureCollector(
            storage: storage, exposureItem: exposureItem, activeEraKey: try storage.key("Staking", "ActiveEra"),
            hasPoints: storage.has("Staking", "ErasRewardPoints"), hasReward: storage.has("Staking", "ErasValidatorReward")))
    }.reading(["Staking"])

    let storage: CollectorStorage
    let exposureItem: String
    let activeEraKey: String
    let hasPoints: Bool
    let hasReward: Bool

    var storageKeys: [String] { [activeEraKey] }

    /// The active era; nil before the first one.
    private func activeEra(_ block: BlockContext) throws(CollectorError) -> UInt32? {
        guard let activeEra = try storage.value("Staking", "ActiveEra", key: activeEraKey, in: block) else { return nil }
        return UInt32(truncatingIfNeeded: try storage.number(activeEra, "index", what: "Staking.ActiveEra"))
    }

    private func exposurePrefix(_ era: UInt32) throws(CollectorError) -> String {
        try storage.key("Staking", exposureItem, [.primitive(.u32(era))])
    }

    private func eraKey(_ item: String, _ era: UInt32) throws(CollectorError) -> String {
        try storage.key("Staking", item, [.primitive(.u32(era))])
    }

    /// The era's own keys: its total stake, its points, and the reward of the era before.
    private func eraKeys(_ era: UInt32) throws(CollectorError) -> [String] {
        var keys = [try eraKey("ErasTotalStake", era)]
        if hasPoints { keys.append(try eraKey("ErasRewardPoints", era)) }
        if hasReward, era > 0 { keys.append(try eraKey("ErasValidatorReward", era - 1)) }
        return keys
    }

    func listedPrefixes(_ block: BlockContext) throws(CollectorError) -> [String] {
        guard let era = try activeEra(block) else { return [] }
        return [try exposurePrefix(era)]
    }

    /// The exposure keys of the era's validators, as listed under its prefix.
    private func exposureKeys(_ era: UInt32, _ block: BlockContext) throws(CollectorError) -> [String] {
        let prefix = try exposurePrefix(era)
        guard let keys = block.listedKeys[prefix] else { throw storage.fail("the exposures of era \(era) were not listed at block \(block.number)", .missing) }
        return keys
    }

    func followUpKeys(_ block: BlockContext) throws(CollectorError) -> [String] {
        guard let era = try activeEra(block) else { return [] }
        return try eraKeys(era) + exposureKeys(era, block)
    }

    /// This era's keys and the next era's for the same validators: eras change while history
    /// is loaded, and the validators seldom do.
    func predictedKeys(_ block: BlockContext) throws(CollectorError) -> [String] {
        guard let era = try activeEra(block) else { return [] }
        let (prefix, next) = (try exposurePrefix(era), try exposurePrefix(era &+ 1))
        let nextExposures = try exposureKeys(era, block).map { next + $0.dropFirst(prefix.count) }
        return try followUpKeys(block) + eraKeys(era &+ 1) + nextExposures
    }

    func collect(_ block: BlockContext) throws(CollectorError) -> [Sample] {
        guard let era = try activeEra(block) else { return [] }
        let total = try storage.number(try storage.value("Staking", "ErasTotalStake", key: try eraKey("ErasTotalStake", era), in: block), what: "Staking.ErasTotalStake[\(era)]")
        let validators = try exposureKeys(era, block)
        var own: UInt128 = 0
        var backed: UInt128 = 0
        var backings: UInt128 = 0
        for key in validators {
            guard let exposure = try storage.value("Staking", exposureItem, key: key, in: block) else { continue }
            own += try storage.number(exposure, "own", what: "Staking.\(exposureItem)[\(era)]")
            backed += try storage.number(exposure, "total", what: "Staking.\(exposureItem)[\(era)]")
            if let count = exposure.value(at: "nominator_count")?.uint128 {
                backings += count
            } else if case let .sequence(others)? = exposure.value(at: "others")?.kind {
                backings += UInt128(others.count)
            }
        }
        guard backed >= own else { throw storage.fail("era \(era): exposures total \(backed), less than their own stake \(own)") }
        var samples = [
            Sample(metric: "total", value: SampleValue(total)), Sample(metric: "own", value: SampleValue(own)),
            Sample(metric: "others", value: SampleValue(backed - own)), Sample(metric: "active_validators", value: SampleValue(UInt128(validators.count))),
            Sample(metric: "nominator_backings", value: SampleValue(backings)),
        ]
        if hasPoints {
            let points = try storage.value("Staking", "ErasRewardPoints", key: try eraKey("ErasRewardPoints", era), in: block)
            samples.append(Sample(metric: "era_points", value: SampleValue(try storage.number(points, "total", what: "Staking.ErasRewardPoints[\(era)]"))))
            let individualPoints = points?.value(at: "individual")
            guard case let .sequence(individual)? = (individualPoints?.unwrappedNewtype ?? individualPoints)?.kind else {
                throw storage.fail("Staking.ErasRewardPoints[\(era)] has no individual points")
            }
            samples.append(Sample(metric: "era_points_validators", value: SampleValue(UInt128(individual.count))))
        }
        if hasReward, era > 0, let reward = try storage.value("Staking", "ErasValidatorReward", key: try eraKey("ErasValidatorReward", era - 1), in: block) {
            samples.append(Sample(metric: "previous_era_reward", value: SampleValue(try storage.number(reward, what: "Staking.ErasValidatorReward[\(era - 1)]"))))
        }
        return samples
    }
}
