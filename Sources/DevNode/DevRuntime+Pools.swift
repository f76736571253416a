import ExactJSON
import SCALE
import Substrate

/// Nomination pools: members join pools and add to their bond, now and then a new pool is
/// created. A pool's funds move to its bonded account, which stakes them.
struct PoolsState: Sendable {
    struct Pool: Sendable {
        var depositor: [UInt8]
        var points: UInt128
        var members: UInt32
        /// Rewards in the reward account not yet claimed, and the owner's commission of them.
        var rewards: UInt128 = 0
        var commissionPending: UInt128 = 0
    }

    var pools: [UInt32: Pool] = [:]
    var members: [[UInt8]: (pool: UInt32, points: UInt128)] = [:]
    /// What each member is unbonding, by the era it unlocks in (`PoolMembers.unbonding_eras`).
    var unbondingEras: [[UInt8]: [UInt32: UInt128]] = [:]
    var lastPoolID: UInt32 = 0

    /// A pool's balance being unbonded, by the era it unlocks in: its members' together.
    func unbonding(_ pool: UInt32) -> [UInt32: UInt128] {
        var eras = [UInt32: UInt128]()
        for (member, memberEras) in unbondingEras where members[member]?.pool == pool {
            for (era, balance) in memberEras { eras[era, default: 0] += balance }
        }
        return eras
    }

    /// Everything the pools are unbonding.
    var unbondingTotal: UInt128 {
        unbondingEras.values.reduce(0) { $0 + $1.values.reduce(0, +) }
    }
}

extension DevRuntime {
    static let bondingDuration: UInt32 = 28

    /// The bonded (type 0) or reward (type 1) account of a pool: `modl` + `py/nopls` + account
    /// type + pool id, zero-padded.
    static func poolAccount(_ pool: UInt32, type: UInt8 = 0) -> [UInt8] {
        var bytes = Array("modlpy/nopls".utf8) + [type]
        withUnsafeBytes(of: pool.littleEndian) { bytes += $0 }
        return bytes + [UInt8](repeating: 0, count: 32 - bytes.count)
    }

    /// `Balances.ExistentialDeposit` of this runtime.
    var existentialDeposit: UInt128 {
        constant("Balances", "ExistentialDeposit")?.uint128 ?? 0
    }

    /// A constant of this runtime, decoded; nil when the runtime lacks it.
    func constant(_ pallet: String, _ name: String) -> Value? {
        guard let constant = metadata.pallet(named: pallet)?.constants.first(where: { $0.name == name }) else { return nil }
        return try? ValueDecoder(registry: metadata.types).decode(constant.typeID, bytes: constant.value)
    }

    static func isPoolAccount(_ account: [UInt8]) -> Bool {
        account.starts(with: Array("modlpy/nopls".utf8))
    }

    /// One pool, whose depositor unbonded a little in each era before genesis: a chunk unlocks
    /// in each of the first `bondingDuration` eras, so withdrawals come from the first era on.
    func genesisPools(_ state: inout State) {
        guard metadata.pallet(named: "NominationPools") != nil else { return }
        let (depositor, amount) = (accounts[1], state.free[accounts[1], default: 0] / 100)
        addToPool(1, member: depositor, amount: amount, creating: true, state: &state)
        let chunk = amount / 1000
        for era in 1...Self.bondingDuration { state.pools.unbondingEras[depositor, default: [:]][era] = chunk }
        let unbonding = chunk * UInt128(Self.bondingDuration)
        state.pools.members[depositor]?.points -= unbonding
        state.pools.pools[1]?.points -= unbonding
        state.staking.bonded[Self.poolAccount(1), default: 0] -= unbonding
    }

    /// Every fifth block a member adds to its bond or an account joins a pool; every fiftieth an
    /// account outside the pools creates one. Every tenth a member unbonds part of its points, and
    /// every tenth a member withdraws what has unlocked, so that, as on a real chain, a pool's
    /// unbonding spans the bonding duration and no more.
    func poolActivity(_ block: inout BlockBuilder) throws {
        guard metadata.pallet(named: "NominationPools") != nil else { return }
        if block.number % 10 == 7 { try poolUnbond(&block) }
        if block.number % 10 == 4 { try poolWithdraw(&block) }
        guard block.number % 5 == 2 else { return }
        let candidates = Array(accounts.dropLast())
        let account = candidates[Int(block.random.next() % UInt64(candidates.count))]
        let wanted = UInt128(block.random.next() % 2_000_000_000_000) + 10_000_000_000
        let fee = 200_000_000 + UInt128(block.random.next() % 40_000_000)
        let outsider = candidates.first { block.state.pools.members[$0] == nil }
        if block.number % 50 == 2, let creator = outsider, has("NominationPools", call: "create") {
            guard let amount = spendable(wanted, by: creator, in: block.state) else { return }
            let pool = block.state.pools.lastPoolID + 1
            let role = JSON.string(Hex.encode(creator))
            let roleAddress = JSON.object(["Id": role])
            let arguments: [String: JSON] = ["amount": .string(String(amount)), "root": roleAddress, "nominator": roleAddress, "bouncer": roleAddress]
            try submit(try call("NominationPools", "create", arguments), by: creator, fee: fee, to: &block) { phase in
                [
                    try transferEvent(from: creator, to: Self.poolAccount(pool), amount: amount, phase: phase),
                    try event("NominationPools", "Created", ["depositor": .bytes(creator), "pool_id": .primitive(.u32(pool))], phase: phase),
                    try poolBonded(creator, pool: pool, amount: amount, joined: true, phase: phase),
                ] + [try delegationEvent("Delegated", pool: pool, member: creator, amount: amount, phase: phase)].compactMap { $0 }
            }
            addToPool(pool, member: creator, amount: amount, creating: true, state: &block.state)
        } else if let membership = block.state.pools.members[account], has("NominationPools", call: "bond_extra") {
            guard let amount = spendable(wanted, by: account, in: block.state) else { return }
            let pool = membership.pool
            try submit(try call("NominationPools", "bond_extra", ["extra": .object(["FreeBalance": .string(String(amount))])]), by: account, fee: fee, to: &block) { phase in
                [
                    try transferEvent(from: account, to: Self.poolAccount(pool), amount: amount, phase: phase),
                    try poolBonded(account, pool: pool, amount: amount, joined: false, phase: phase),
                ] + [try delegationEvent("Delegated", pool: pool, member: account, amount: amount, phase: phase)].compactMap { $0 }
            }
            addToPool(pool, member: account, amount: amount, creating: false, state: &block.state)
        } else if block.state.pools.members[account] == nil, has("NominationPools", call: "join"), block.state.pools.lastPoolID > 0 {
            guard let amount = spendable(wanted, by: account, in: block.state) else { return }
            let pool = 1 + UInt32(block.random.next() % UInt64(block.state.pools.lastPoolID))
            try submit(try call("NominationPools", "join", ["amount": .string(String(amount)), "pool_id": .number(pool)]), by: account, fee: fee, to: &block) { phase in
                [
                    try transferEvent(from: account, to: Self.poolAccount(pool), amount: amount, phase: phase),
                    try poolBonded(account, pool: pool, amount: amount, joined: true, phase: phase),
                ] + [try delegationEvent("Delegated", pool: pool, member: account, amount: amount, phase: phase)].compactMap { $0 }
            }
            addToPool(pool, member: account, amount: amount, creating: false, state: &block.state)
        }
    }

    /// A member (not a depositor) unbonds a quarter of its points; the balance unlocks after the
    /// bonding duration and sits in the pool's sub-pool for that era until then.
    private func poolUnbond(_ block: inout BlockBuilder) throws {
        let depositors = Set(block.state.pools.pools.values.map(\.depositor))
        let candidates = block.state.pools.members.filter { !depositors.contains($0.key) && $0.value.points >= 4 }
            .sorted { $0.key.lexicographicallyPrecedes($1.key) }
        guard !candidates.isEmpty, has("NominationPools", call: "unbond") else { return }
        let (member, membership) = candidates[Int(block.random.next() % UInt64(candidates.count))]
        let points = membership.points / 4
        let era = block.state.staking.activeEra + Self.bondingDuration
        let fee = 200_000_000 + UInt128(block.random.next() % 40_000_000)
        let account = Self.poolAccount(membership.pool)
        let arguments: [String: JSON] = ["member_account": .object(["Id": .string(Hex.encode(member))]), "unbonding_points": .string(String(points))]
        try submit(try call("NominationPools", "unbond", arguments), by: member, fee: fee, to: &block) { phase in
            var records = [EventRecord]()
            if has("Staking", event: "Unbonded") {
                records.append(try event("Staking", "Unbonded", ["stash": .bytes(account), "amount": .primitive(.u128(points))], phase: phase))
            }
            records.append(try event("NominationPools", "Unbonded", [
                "member": .bytes(member), "pool_id": .primitive(.u32(membership.pool)), "balance": .primitive(.u128(points)),
                "points": .primitive(.u128(points)), "era": .primitive(.u32(era)),
            ], phase: phase))
            return records
        }
        // Points equal balance here (no slashes), so the points unbonded are the balance unbonded.
        block.state.pools.members[member] = (membership.pool, membership.points - points)
        block.state.pools.pools[membership.pool]?.points -= points
        block.state.pools.unbondingEras[member, default: [:]][era, default: 0] += points
        block.state.staking.bonded[account, default: 0] -= points
    }

    /// A member whose unbonding has unlocked (its era has come) withdraws all of it: the pool's
    /// ledger drops those chunks and its bonded account pays the member.
    private func poolWithdraw(_ block: inout BlockBuilder) throws {
        let era = block.state.staking.activeEra
        let due = block.state.pools.unbondingEras.filter { $0.value.keys.contains { $0 <= era } }
            .sorted { $0.key.lexicographicallyPrecedes($1.key) }
        guard !due.isEmpty, has("NominationPools", call: "withdraw_unbonded") else { return }
        let (member, eras) = due[Int(block.random.next() % UInt64(due.count))]
        guard let pool = block.state.pools.members[member]?.pool else { return }
        let amount = eras.filter { $0.key <= era }.values.reduce(0, +)
        let fee = 200_000_000 + UInt128(block.random.next() % 40_000_000)
        let account = Self.poolAccount(pool)
        let arguments: [String: JSON] = ["member_account": .object(["Id": .string(Hex.encode(member))]), "num_slashing_spans": .number(0)]
        try submit(try call("NominationPools", "withdraw_unbonded", arguments), by: member, fee: fee, to: &block) { phase in
            var records = [EventRecord]()
            if has("Staking", event: "Withdrawn") {
                records.append(try event("Staking", "Withdrawn", ["stash": .bytes(account), "amount": .primitive(.u128(amount))], phase: phase))
            }
            records.append(try transferEvent(from: account, to: member, amount: amount, phase: phase))
            if let released = try delegationEvent("Released", pool: pool, member: member, amount: amount, phase: phase) { records.append(released) }
            records.append(try event("NominationPools", "Withdrawn", [
                "member": .bytes(member), "pool_id": .primitive(.u32(pool)), "balance": .primitive(.u128(amount)),
                "points": .primitive(.u128(amount)),
            ], phase: phase))
            return records
        }
        let left = eras.filter { $0.key > era }
        block.state.pools.unbondingEras[member] = left.isEmpty ? nil : left
        block.state.free[account, default: 0] -= amount
        block.state.free[member, default: 0] += amount
        if isStakingAsync { block.state.delegatedStaking.released += amount }
    }

    /// At the start of an era each pool earns a reward on its active stake: its bonded account
    /// is paid (minted, `Staking.Rewarded`) to the pool's reward account, its payee; a tenth is
    /// the owner's commission.
    func payPoolRewards(_ block: inout BlockBuilder) throws {
        guard metadata.pallet(named: "NominationPools") != nil, has("Staking", event: "Rewarded") else { return }
        for pool in block.state.pools.pools.keys.sorted() {
            let active = block.state.staking.bonded[Self.poolAccount(pool), default: 0]
            let reward = active / 50_000
            guard reward > 0 else { continue }
            let rewardAccount = Self.poolAccount(pool, type: 1)
            block.records.append(try event("Balances", "Deposit", ["who": .bytes(rewardAccount), "amount": .primitive(.u128(reward))], phase: .initialization))
            block.records.append(try event("Staking", "Rewarded", json: [
                "stash": [.string(Hex.encode(Self.poolAccount(pool)))], "dest": [.object(["Account": .string(Hex.encode(rewardAccount))])],
                "amount": [.string(String(reward))],
            ], phase: .initialization))
            block.state.free[rewardAccount, default: 0] += reward
            block.state.issuance += reward
            block.state.pools.pools[pool]?.rewards += reward
            block.state.pools.pools[pool]?.commissionPending += reward / 10
        }
    }

    private func poolBonded(_ member: [UInt8], pool: UInt32, amount: UInt128, joined: Bool, phase: EventRecord.Phase) throws -> EventRecord {
        try event("NominationPools", "Bonded", [
            "member": .bytes(member), "pool_id": .primitive(.u32(pool)), "bonded": .primitive(.u128(amount)), "joined": .primitive(.bool(joined)),
        ], phase: phase)
    }

    /// Moves `amount` from the member to the pool's bonded account, which stakes it; points equal
    /// balance (no slashes here).
    private func addToPool(_ pool: UInt32, member: [UInt8], amount: UInt128, creating: Bool, state: inout State) {
        if creating {
            state.pools.pools[pool] = .init(depositor: member, points: 0, members: 0)
            state.pools.lastPoolID = max(state.pools.lastPoolID, pool)
            // The depositor funds the reward account with the existential deposit; the pool
            // nominates the validators.
            state.free[member, default: 0] -= existentialDeposit
            state.free[Self.poolAccount(pool, type: 1), default: 0] += existentialDeposit
            if metadata.pallet(named: "Staking") != nil { state.staking.nominations[Self.poolAccount(pool)] = state.staking.validators }
        }
        let account = Self.poolAccount(pool)
        if isStakingAsync { state.delegatedStaking.delegated += amount }
        state.free[member, default: 0] -= amount
        state.free[account, default: 0] += amount
        state.staking.bonded[account, default: 0] += amount
        state.pools.pools[pool]?.points += amount
        if let membership = state.pools.members[member] {
            state.pools.members[member] = (pool, membership.points + amount)
        } else {
            state.pools.members[member] = (pool, amount)
            state.pools.pools[pool]?.members += 1
        }
    }

    func writePoolsStorage(_ pools: PoolsState, staking: StakingState, to storage: inout StorageWriter) throws {
        guard metadata.pallet(named: "NominationPools") != nil else { return }
        let counters: KeyValuePairs<String, Int> = [
            "LastPoolId": Int(pools.lastPoolID), "CounterForBondedPools": pools.pools.count, "CounterForPoolMembers": pools.members.count,
            "CounterForRewardPools": pools.pools.count,
        ]
        for (item, count) in counters where storage.has("NominationPools", item) {
            try storage.put("NominationPools", item, json: .number(count))
        }
        if storage.has("NominationPools", "TotalValueLocked") {
            // Everything the pools' bonded accounts hold at stake, bonded or unbonding.
            let locked = pools.pools.keys.reduce(pools.unbondingTotal) { $0 + staking.bonded[Self.poolAccount($1), default: 0] }
            try storage.put("NominationPools", "TotalValueLocked", json: .string(String(locked)))
        }
        for (id, pool) in pools.pools {
            let account = Self.poolAccount(id)
            let active = staking.bonded[account, default: 0]
            let unlocking = pools.unbonding(id).sorted { $0.key < $1.key }
            if storage.has("Staking", "Ledger") {
                let chunks = Value(.sequence(unlocking.map { era, value in
                    Value.composite([.init(name: "value", value: Value(.compact(.u128(value)))), .init(name: "era", value: Value(.compact(.u32(era))))])
                }))
                try storage.put("Staking", "Ledger", keys: [.string(Hex.encode(account))], setting: [
                    "stash": .bytes(account), "total": Value(.compact(.u128(active + unlocking.reduce(0) { $0 + $1.value }))),
                    "active": Value(.compact(.u128(active))), "unlocking": chunks,
                ])
            }
            if storage.has("Staking", "Bonded") { try storage.put("Staking", "Bonded", keys: [.string(Hex.encode(account))], json: .string(Hex.encode(account))) }
            if storage.has("NominationPools", "SubPoolsStorage") {
                let withEra = Value(.sequence(unlocking.map { era, value in
                    Value(.tuple([.primitive(.u32(era)), .composite([.init(name: "points", value: .primitive(.u128(value))), .init(name: "balance", value: .primitive(.u128(value)))])]))
                }))
                try storage.put("NominationPools", "SubPoolsStorage", keys: [.number(id)], setting: ["with_era": withEra])
            }
            if storage.has("NominationPools", "RewardPools") {
                try storage.put("NominationPools", "RewardPools", keys: [.number(id)], setting: ["total_commission_pending": .primitive(.u128(pool.commissionPending))])
            }
        }
        if storage.has("NominationPools", "BondedPools") {
            for (id, pool) in pools.pools {
                try storage.put("NominationPools", "BondedPools", keys: [.number(id)], setting: [
                    "member_counter": .primitive(.u32(pool.members)), "points": .primitive(.u128(pool.points)),
                    "roles.depositor": .bytes(pool.depositor),
                ])
            }
        }
        if storage.has("NominationPools", "PoolMembers") {
            for (member, membership) in pools.members {
                var fields: [(String, Value)] = [("pool_id", .primitive(.u32(membership.pool))), ("points", .primitive(.u128(membership.points)))]
                if let eras = pools.unbondingEras[member], storage.has("NominationPools", "PoolMembers", field: "unbonding_eras") {
                    fields.append(("unbonding_eras", Value(.sequence(eras.sorted { $0.key < $1.key }.map { era, balance in
                        Value(.tuple([.primitive(.u32(era)), .primitive(.u128(balance))]))
                    }))))
                }
                try storage.put("NominationPools", "PoolMembers", keys: [.string(Hex.encode(member))], fields: fields)
            }
        }
    }
}
