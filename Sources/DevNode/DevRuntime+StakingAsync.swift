import ExactJSON
import SCALE
import Substrate

/// Staking as Asset Hub runs it ("staking-async"): the relay chain reports each session
/// (`StakingRcClient.SessionReportReceived`, `Staking.SessionRotated`) with the validators'
/// reward points, exposures are paged (`ErasStakersOverview` and `ErasStakersPaged`), payouts
/// go by page (`payout_stakers_by_page`) and pools stake through `DelegatedStaking`. (The
/// session's validators in `Session` are the chain's collators: `DevRuntime+Collation`.)
extension DevRuntime {
    /// Staking-async runtimes elect with the multi-block election.
    var isStakingAsync: Bool {
        metadata.pallet(named: "Staking") != nil && metadata.pallet(named: Self.multiBlockPallet) != nil
    }

    /// Two sessions an era.
    static let sessionLength: UInt64 = 5

    /// The relay chain's session report, at the first block of each session: the session that
    /// ended, reward points for each validator for its blocks, and the era it activated.
    func sessionReportIfDue(_ block: inout BlockBuilder, timestamp: UInt64) throws {
        guard isStakingAsync, block.number % Self.sessionLength == 0, block.number > 0 else { return }
        let ended = UInt32(block.number / Self.sessionLength - 1)
        var staking = block.state.staking
        for (position, validator) in staking.validators.enumerated() {
            staking.points[validator, default: 0] += UInt32(position + 1) * UInt32(Self.sessionLength) * 20
        }
        block.state.staking = staking
        let eraStarts = block.number % Self.eraLength == 0
        block.records.append(try event("StakingRcClient", "SessionReportReceived", json: [
            "end_index": [.number(ended)],
            "activation_timestamp": [eraStarts ? .array([.number(timestamp), .number(staking.activeEra)]) : .null],
            "validator_points_counts": [.number(staking.validators.count)], "leftover": [.bool(false)],
        ], phase: .initialization))
        block.records.append(try event("Staking", "SessionRotated", json: [
            "starting_session": [.number(ended + 1)], "active_era": [.number(staking.activeEra)],
            "planned_era": [.number(staking.activeEra + (block.number % Self.eraLength == Self.sessionLength ? 1 : 0))],
        ], phase: .initialization))
        block.state.sessionReports += 1
    }

    /// Once an era the relay chain reports an offence of the first validator
    /// (`StakingRcClient.OffenceReceived`, `Staking.OffenceReported` for a thousandth of its
    /// stake), and the block after staking applies the slash (`Staking.Slashed`): the stake is
    /// taken from the validator and burnt.
    func offenceIfDue(_ block: inout BlockBuilder) throws {
        guard isStakingAsync, let validator = block.state.staking.validators.first, block.number > Self.eraLength else { return }
        switch block.number % Self.eraLength {
        case 3:
            block.records.append(try event("StakingRcClient", "OffenceReceived", json: [
                "slash_session": [.number(block.number / Self.sessionLength)], "offences_count": [.number(1)],
            ], phase: .initialization))
            block.records.append(try event("Staking", "OffenceReported", json: [
                "offence_era": [.number(block.state.staking.activeEra)], "validator": [.string(Hex.encode(validator))], "fraction": [.number(1_000_000)],
            ], phase: .initialization))
            block.state.offences += 1
        case 4:
            let amount = block.state.staking.bonded[validator, default: 0] / 1000
            guard amount > 0 else { return }
            if has("Balances", event: "Slashed") {
                block.records.append(try event("Balances", "Slashed", ["who": .bytes(validator), "amount": .primitive(.u128(amount))], phase: .initialization))
            }
            block.records.append(try event("Staking", "Slashed", ["staker": .bytes(validator), "amount": .primitive(.u128(amount))], phase: .initialization))
            block.state.staking.bonded[validator, default: 0] -= amount
            block.state.free[validator, default: 0] -= amount
            block.state.issuance -= amount
            block.state.slashes.count += 1
            block.state.slashes.tokens += amount
        default:
            break
        }
    }

    /// A pool's funds as `DelegatedStaking` moves them: delegated by a member to the pool's
    /// agent, or released back to it (nil on runtimes whose pools do not delegate).
    func delegationEvent(_ name: String, pool: UInt32, member: [UInt8], amount: UInt128, phase: EventRecord.Phase) throws -> EventRecord? {
        guard isStakingAsync, has("DelegatedStaking", event: name) else { return nil }
        return try event("DelegatedStaking", name, [
            "agent": .bytes(Self.poolAccount(pool)), "delegator": .bytes(member), "amount": .primitive(.u128(amount)),
        ], phase: phase)
    }

    /// What staking-async runtimes keep beyond the classic pallet's items.
    func writeStakingAsyncStorage(_ state: State, to storage: inout StorageWriter) throws {
        guard isStakingAsync else { return }
        let staking = state.staking
        let era = JSON.number(staking.activeEra)
        if storage.has("Staking", "ErasRewardPoints") {
            let individual = staking.points.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map { JSON.array([.string(Hex.encode($0.key)), .number($0.value)]) }
            try storage.put("Staking", "ErasRewardPoints", keys: [era], json: .object([
                "total": .number(staking.points.values.reduce(0, +)), "individual": .array(individual),
            ]))
        }
        if storage.has("Staking", "ErasValidatorReward") {
            for (paid, reward) in staking.validatorRewards {
                try storage.put("Staking", "ErasValidatorReward", keys: [.number(paid)], json: .string(String(reward)))
            }
        }
        for (validator, backers) in staking.backers {
            let key: [JSON] = [era, .string(Hex.encode(validator))]
            if storage.has("Staking", "ErasValidatorPrefs") {
                try storage.put("Staking", "ErasValidatorPrefs", keys: key, json: .object(["commission": .number(50_000_000), "blocked": .bool(false)]))
            }
            guard storage.has("Staking", "ErasStakersPaged"), !backers.isEmpty else { continue }
            let others = backers.map { JSON.object(["who": .string(Hex.encode($0.nominator)), "value": .string(String($0.stake))]) }
            try storage.put("Staking", "ErasStakersPaged", keys: key + [.number(0)], json: .object([
                "page_total": .string(String(backers.reduce(0) { $0 + $1.stake })), "others": .array(others),
            ]))
        }
        try writeDelegatedStaking(state, to: &storage)
    }

    /// Pools stake through `DelegatedStaking`: each pool's bonded account is an agent holding
    /// what its members delegated, bonded and unbonding; each member a delegator.
    private func writeDelegatedStaking(_ state: State, to storage: inout StorageWriter) throws {
        guard storage.has("DelegatedStaking", "Agents") else { return }
        for id in state.pools.pools.keys {
            let account = Self.poolAccount(id)
            try storage.put("DelegatedStaking", "Agents", keys: [.string(Hex.encode(account))], setting: [
                "payee": .bytes(account), "total_delegated": Value(.compact(.u128(state.poolBalance(id)))),
            ])
        }
        for (member, membership) in state.pools.members {
            let unbonding = state.pools.unbondingEras[member]?.values.reduce(0, +) ?? 0
            try storage.put("DelegatedStaking", "Delegators", keys: [.string(Hex.encode(member))], setting: [
                "agent": .bytes(Self.poolAccount(membership.pool)), "amount": .primitive(.u128(membership.points + unbonding)),
            ])
        }
        try storage.put("DelegatedStaking", "CounterForAgents", json: .number(state.pools.pools.count))
        try storage.put("DelegatedStaking", "CounterForDelegators", json: .number(state.pools.members.count))
    }
}

extension DevRuntime.State {
    /// What a pool has at stake, bonded and unbonding.
    func poolBalance(_ pool: UInt32) -> UInt128 {
        staking.bonded[DevRuntime.poolAccount(pool), default: 0] + pools.unbonding(pool).values.reduce(0, +)
    }
}
