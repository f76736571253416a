import ExactJSON
import SCALE
import Substrate

/// Staking as the chain sees it: eras of `eraLength` blocks, two validators, nominators that
/// bond and nominate, stake added with `bond_extra`, and after each era the rewards minted by
/// `payout_stakers` (total issuance grows by them) plus the treasury's share.
struct StakingState: Sendable {
    var activeEra: UInt32 = 0
    /// Milliseconds at which the active era started.
    var eraStart: UInt64 = 0
    /// Bonded stake by stash.
    var bonded: [[UInt8]: UInt128] = [:]
    var validators: [[UInt8]] = []
    /// Nominators and whom they nominate.
    var nominations: [[UInt8]: [[UInt8]]] = [:]
    /// `ErasTotalStake`, for the eras still in the history depth.
    var erasTotalStake: [UInt32: UInt128] = [:]
    /// The active era's exposure of each validator: its own stake and the total behind it.
    var exposures: [[UInt8]: (own: UInt128, total: UInt128, nominators: UInt32)] = [:]
    /// Validators not yet paid for `era`, and the payout each is due.
    var unpaid: (era: UInt32, validators: [[UInt8]], payoutEach: UInt128)?
    /// The active era's nominators behind each validator and their stake (its exposure pages).
    var backers: [[UInt8]: [(nominator: [UInt8], stake: UInt128)]] = [:]
    /// Reward points of the active era's validators (staking-async: from session reports).
    var points: [[UInt8]: UInt32] = [:]
    /// `ErasValidatorReward`: each paid era's payout, for the eras in the history depth.
    var validatorRewards: [UInt32: UInt128] = [:]

    var totalBonded: UInt128 { bonded.values.reduce(0, +) }

    /// The exposures an election over the current bonds gives: each validator's own bond, and
    /// each nominator's bond split evenly over its targets (the remainder to the first), as
    /// the era's snapshot; the era's total stake is their sum.
    mutating func elect(era: UInt32) {
        var exposures = [[UInt8]: (own: UInt128, total: UInt128, nominators: UInt32)]()
        var backers = [[UInt8]: [(nominator: [UInt8], stake: UInt128)]]()
        for validator in validators {
            exposures[validator] = (bonded[validator, default: 0], bonded[validator, default: 0], 0)
            backers[validator] = []
        }
        for (nominator, targets) in nominations.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            let elected = targets.filter { exposures[$0] != nil }
            guard !elected.isEmpty else { continue }
            let stake = bonded[nominator, default: 0]
            let share = stake / UInt128(elected.count)
            for (position, target) in elected.enumerated() {
                let part = position == 0 ? stake - share * UInt128(elected.count - 1) : share
                exposures[target]?.total += part
                exposures[target]?.nominators += 1
                backers[target]?.append((nominator, part))
            }
        }
        self.exposures = exposures
        self.backers = backers
        erasTotalStake[era] = exposures.values.reduce(0) { $0 + $1.total }
    }
}

extension DevRuntime {
    static let eraLength: UInt64 = 10
    static let historyDepth: UInt32 = 84

    /// `modlpy/trsry`, the treasury's account, where each era's remainder goes.
    static let treasury = Array("modlpy/trsry".utf8) + [UInt8](repeating: 0, count: 20)

    func genesisStaking(_ state: inout State) {
        guard metadata.pallet(named: "Staking") != nil else { return }
        state.staking.validators = [accounts[3], author]
        for validator in state.staking.validators { state.staking.bonded[validator] = state.free[validator, default: 0] / 10 }
        state.staking.bonded[accounts[0]] = state.free[accounts[0], default: 0] / 20
        state.staking.nominations[accounts[0]] = state.staking.validators
        state.staking.elect(era: 0)
    }

    /// At the first block of an era: the era before is paid (`EraPaid`, the treasury's share
    /// minted) and the new one snapshots the total stake.
    func startEraIfDue(_ block: inout BlockBuilder, timestamp: UInt64) throws {
        guard block.number % Self.eraLength == 0, has("Staking", event: "EraPaid") else { return }
        var staking = block.state.staking
        let ended = staking.activeEra
        let payout = (staking.erasTotalStake[ended] ?? staking.totalBonded) / 100_000
        let remainder = payout / 4
        staking.activeEra += 1
        staking.eraStart = timestamp
        staking.points = [:]
        if has("Staking", event: "SessionRotated") {
            staking.validatorRewards[ended] = payout
            if ended >= Self.historyDepth { staking.validatorRewards.removeValue(forKey: ended - Self.historyDepth) }
        }
        staking.elect(era: staking.activeEra)
        if staking.activeEra >= Self.historyDepth { staking.erasTotalStake.removeValue(forKey: staking.activeEra - Self.historyDepth) }
        let count = UInt128(max(staking.validators.count, 1))
        staking.unpaid = (ended, staking.validators, payout / count)
        block.state.staking = staking
        block.state.issuance += remainder
        block.state.free[Self.treasury, default: 0] += remainder
        block.records += [
            try event("Balances", "Deposit", ["who": .bytes(Self.treasury), "amount": .primitive(.u128(remainder))], phase: .initialization),
            try event("Staking", "EraPaid", [
                "era_index": .primitive(.u32(ended)), "validator_payout": .primitive(.u128(payout)), "remainder": .primitive(.u128(remainder)),
            ], phase: .initialization),
        ]
        try treasuryDeposit(remainder, in: &block)
        try payPoolRewards(&block)
    }

    /// One staking extrinsic in some blocks: a payout while one is due, else now and then a
    /// `bond_extra`, a `bond` or a `nominate`.
    func stakingActivity(_ block: inout BlockBuilder) throws {
        guard metadata.pallet(named: "Staking") != nil else { return }
        let payer = accounts[0]
        if let unpaid = block.state.staking.unpaid, let validator = unpaid.validators.first, has("Staking", call: "payout_stakers") {
            try payoutStakers(validator, era: unpaid.era, amount: unpaid.payoutEach, by: payer, in: &block)
            let rest = Array(unpaid.validators.dropFirst())
            block.state.staking.unpaid = rest.isEmpty ? nil : (unpaid.era, rest, unpaid.payoutEach)
            return
        }
        let fee = 180_000_000 + UInt128(block.random.next() % 40_000_000)
        switch block.number % 7 {
        case 1 where has("Staking", call: "bond_extra"):
            let stashes = accounts.filter { block.state.staking.bonded[$0] != nil }
            let stash = stashes[Int(block.random.next() % UInt64(stashes.count))]
            let amount = UInt128(block.random.next() % 5_000_000_000_000) + 10_000_000_000
            try submit(try call("Staking", "bond_extra", ["max_additional": .string(String(amount))]), by: stash, fee: fee, to: &block) { phase in
                [try event("Staking", "Bonded", ["stash": .bytes(stash), "amount": .primitive(.u128(amount))], phase: phase)]
            }
            block.state.staking.bonded[stash, default: 0] += amount
        case 4:
            // Accounts 1 and 2 take turns: bond first, then nominate both validators.
            let nominator = accounts[1 + Int(block.number / 7 % 2)]
            if block.state.staking.bonded[nominator] == nil, has("Staking", call: "bond") {
                let amount = block.state.free[nominator, default: 0] / 50
                try submit(try call("Staking", "bond", ["value": .string(String(amount)), "payee": .string("Staked")]), by: nominator, fee: fee, to: &block) { phase in
                    [try event("Staking", "Bonded", ["stash": .bytes(nominator), "amount": .primitive(.u128(amount))], phase: phase)]
                }
                block.state.staking.bonded[nominator] = amount
            } else if has("Staking", call: "nominate") {
                let targets = block.state.staking.validators
                let multiAddresses = targets.map { JSON.object(["Id": .string(Hex.encode($0))]) }
                try submit(try call("Staking", "nominate", ["targets": .array(multiAddresses)]), by: nominator, fee: fee, to: &block) { _ in [] }
                block.state.staking.nominations[nominator] = targets
            }
        default:
            break
        }
    }

    /// `payout_stakers`: half of the validator's payout to it, half to its nominators by stake,
    /// each reward minted and (payee `Staked`) added to the bond.
    private func payoutStakers(_ validator: [UInt8], era: UInt32, amount: UInt128, by payer: [UInt8], in block: inout BlockBuilder) throws {
        // Pools are paid on their own, to their reward accounts (see `payPoolRewards`).
        let nominators = block.state.staking.nominations.filter { $0.value.contains(validator) && !Self.isPoolAccount($0.key) }
            .keys.sorted { $0.lexicographicallyPrecedes($1) }
        let nominatorStake = nominators.reduce(UInt128(0)) { $0 + block.state.staking.bonded[$1, default: 0] }
        var rewards = [(stash: [UInt8], amount: UInt128)]()
        let validatorShare = nominators.isEmpty || nominatorStake == 0 ? amount : amount / 2
        rewards.append((validator, validatorShare))
        for nominator in nominators where nominatorStake > 0 {
            rewards.append((nominator, (amount - validatorShare) * block.state.staking.bonded[nominator, default: 0] / nominatorStake))
        }
        var arguments: [String: JSON] = ["validator_stash": .string(Hex.encode(validator)), "era": .number(era)]
        // Staking-async runtimes pay exposures page by page (one page each here).
        let byPage = isStakingAsync && has("Staking", call: "payout_stakers_by_page")
        if byPage { arguments["page"] = .number(0) }
        let fee = 400_000_000 + UInt128(block.random.next() % 100_000_000)
        try submit(try call("Staking", byPage ? "payout_stakers_by_page" : "payout_stakers", arguments), by: payer, fee: fee, to: &block) { phase in
            var records = [try event("Staking", "PayoutStarted", ["era_index": .primitive(.u32(era)), "validator_stash": .bytes(validator)], phase: phase)]
            for reward in rewards {
                records.append(try event("Balances", "Deposit", ["who": .bytes(reward.stash), "amount": .primitive(.u128(reward.amount))], phase: phase))
                records.append(try event("Staking", "Rewarded", json: [
                    "stash": [.string(Hex.encode(reward.stash))], "dest": [.string("Staked")], "amount": [.string(String(reward.amount))],
                ], phase: phase))
            }
            return records
        }
        for reward in rewards {
            block.state.free[reward.stash, default: 0] += reward.amount
            block.state.staking.bonded[reward.stash, default: 0] += reward.amount
            block.state.issuance += reward.amount
        }
    }

    func writeStakingStorage(_ staking: StakingState, to storage: inout StorageWriter) throws {
        guard metadata.pallet(named: "Staking") != nil else { return }
        if storage.has("Staking", "ActiveEra") {
            try storage.put("Staking", "ActiveEra", json: .object(["index": .number(staking.activeEra), "start": .number(staking.eraStart)]))
        }
        if storage.has("Staking", "CurrentEra") { try storage.put("Staking", "CurrentEra", json: .number(staking.activeEra)) }
        if storage.has("Staking", "CounterForValidators") {
            try storage.put("Staking", "CounterForValidators", json: .number(staking.validators.count))
        }
        if storage.has("Staking", "CounterForNominators") {
            try storage.put("Staking", "CounterForNominators", json: .number(staking.nominations.count))
        }
        if storage.has("Staking", "ErasTotalStake") {
            for (era, stake) in staking.erasTotalStake {
                try storage.put("Staking", "ErasTotalStake", keys: [.number(era)], json: .string(String(stake)))
            }
        }
        // Every stash's ledger: what it has bonded (pools write their own, with unbonding).
        for (stash, bonded) in staking.bonded where !Self.isPoolAccount(stash) {
            guard storage.has("Staking", "Ledger") else { break }
            try storage.put("Staking", "Ledger", keys: [.string(Hex.encode(stash))], setting: [
                "stash": .bytes(stash), "total": Value(.compact(.u128(bonded))), "active": Value(.compact(.u128(bonded))),
            ])
            if storage.has("Staking", "Bonded") { try storage.put("Staking", "Bonded", keys: [.string(Hex.encode(stash))], json: .string(Hex.encode(stash))) }
        }
        if storage.has("Session", "Validators"), !isStakingAsync {
            try storage.put("Session", "Validators", json: .array(staking.validators.map { .string(Hex.encode($0)) }))
        }
        let overview = storage.has("Staking", "ErasStakersOverview")
        for (validator, exposure) in staking.exposures {
            let keys: [JSON] = [.number(staking.activeEra), .string(Hex.encode(validator))]
            if overview {
                try storage.put("Staking", "ErasStakersOverview", keys: keys, json: .object([
                    "total": .string(String(exposure.total)), "own": .string(String(exposure.own)),
                    "nominator_count": .number(exposure.nominators), "page_count": .number(exposure.nominators > 0 ? 1 : 0),
                ]))
            } else if storage.has("Staking", "ErasStakers") {
                // Older runtimes: the whole exposure, nominators listed (left empty here).
                try storage.put("Staking", "ErasStakers", keys: keys, json: .object([
                    "total": .string(String(exposure.total)), "own": .string(String(exposure.own)), "others": .array([]),
                ]))
            }
        }
        if storage.has("Staking", "Validators") {
            for validator in staking.validators {
                try storage.put("Staking", "Validators", keys: [.string(Hex.encode(validator))], json: .object(["commission": .number(50_000_000), "blocked": .bool(false)]))
            }
        }
        if storage.has("Staking", "Nominators") {
            for (nominator, targets) in staking.nominations {
                try storage.put("Staking", "Nominators", keys: [.string(Hex.encode(nominator))], json: .object([
                    "targets": .array(targets.map { .string(Hex.encode($0)) }), "submitted_in": .number(0), "suppressed": .bool(false),
                ]))
            }
        }
    }
}
