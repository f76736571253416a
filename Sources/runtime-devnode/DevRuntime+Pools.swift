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
    }

    var pools: [UInt32: Pool] = [:]
    var members: [[UInt8]: (pool: UInt32, points: UInt128)] = [:]
    var lastPoolID: UInt32 = 0
}

extension DevRuntime {
    /// The bonded account of a pool: `modl` + `py/nopls` + account type 0 + pool id, zero-padded.
    static func poolAccount(_ pool: UInt32) -> [UInt8] {
        var bytes = Array("modlpy/nopls".utf8) + [0]
        withUnsafeBytes(of: pool.littleEndian) { bytes += $0 }
        return bytes + [UInt8](repeating: 0, count: 32 - bytes.count)
    }

    func genesisPools(_ state: inout State) {
        guard metadata.pallet(named: "NominationPools") != nil else { return }
        addToPool(1, member: accounts[1], amount: state.free[accounts[1], default: 0] / 100, creating: true, state: &state)
    }

    /// Every fifth block a member adds to its bond or an account joins a pool; every fiftieth an
    /// account outside the pools creates one.
    func poolActivity(_ block: inout BlockBuilder) throws {
        guard metadata.pallet(named: "NominationPools") != nil, block.number % 5 == 2 else { return }
        let candidates = Array(accounts.dropLast())
        let account = candidates[Int(block.random.next() % UInt64(candidates.count))]
        let amount = UInt128(block.random.next() % 2_000_000_000_000) + 10_000_000_000
        let fee = 200_000_000 + UInt128(block.random.next() % 40_000_000)
        let outsider = candidates.first { block.state.pools.members[$0] == nil }
        if block.number % 50 == 2, let creator = outsider, has("NominationPools", call: "create") {
            let pool = block.state.pools.lastPoolID + 1
            let role = JSON.string(Hex.encode(creator))
            let roleAddress = JSON.object(["Id": role])
            let arguments: [String: JSON] = ["amount": .string(String(amount)), "root": roleAddress, "nominator": roleAddress, "bouncer": roleAddress]
            try submit(try call("NominationPools", "create", arguments), by: creator, fee: fee, to: &block) { phase in
                [
                    try transferEvent(from: creator, to: Self.poolAccount(pool), amount: amount, phase: phase),
                    try event("NominationPools", "Created", ["depositor": .bytes(creator), "pool_id": .primitive(.u32(pool))], phase: phase),
                    try poolBonded(creator, pool: pool, amount: amount, joined: true, phase: phase),
                ]
            }
            addToPool(pool, member: creator, amount: amount, creating: true, state: &block.state)
        } else if let membership = block.state.pools.members[account], has("NominationPools", call: "bond_extra") {
            let pool = membership.pool
            try submit(try call("NominationPools", "bond_extra", ["extra": .object(["FreeBalance": .string(String(amount))])]), by: account, fee: fee, to: &block) { phase in
                [
                    try transferEvent(from: account, to: Self.poolAccount(pool), amount: amount, phase: phase),
                    try poolBonded(account, pool: pool, amount: amount, joined: false, phase: phase),
                ]
            }
            addToPool(pool, member: account, amount: amount, creating: false, state: &block.state)
        } else if block.state.pools.members[account] == nil, has("NominationPools", call: "join"), block.state.pools.lastPoolID > 0 {
            let pool = 1 + UInt32(block.random.next() % UInt64(block.state.pools.lastPoolID))
            try submit(try call("NominationPools", "join", ["amount": .string(String(amount)), "pool_id": .number(pool)]), by: account, fee: fee, to: &block) { phase in
                [
                    try transferEvent(from: account, to: Self.poolAccount(pool), amount: amount, phase: phase),
                    try poolBonded(account, pool: pool, amount: amount, joined: true, phase: phase),
                ]
            }
            addToPool(pool, member: account, amount: amount, creating: false, state: &block.state)
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
        }
        let account = Self.poolAccount(pool)
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

    func writePoolsStorage(_ pools: PoolsState, to storage: inout StorageWriter) throws {
        guard metadata.pallet(named: "NominationPools") != nil else { return }
        let counters: KeyValuePairs<String, Int> = [
            "LastPoolId": Int(pools.lastPoolID), "CounterForBondedPools": pools.pools.count, "CounterForPoolMembers": pools.members.count,
            "CounterForRewardPools": pools.pools.count,
        ]
        for (item, count) in counters where storage.has("NominationPools", item) {
            try storage.put("NominationPools", item, json: .number(count))
        }
        if storage.has("NominationPools", "TotalValueLocked") {
            try storage.put("NominationPools", "TotalValueLocked", json: .string(String(pools.pools.values.reduce(0) { $0 + $1.points })))
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
                try storage.put("NominationPools", "PoolMembers", keys: [.string(Hex.encode(member))], setting: [
                    "pool_id": .primitive(.u32(membership.pool)), "points": .primitive(.u128(membership.points)),
                ])
            }
        }
    }
}
