import ExactJSON
import SCALE

/// `devnode_truth(hash)`: what the devnode itself did up to a block, straight from the state it
/// built the chain from (not read back from storage), for tests to compare an exporter with.
/// Amounts are planck, as decimal text.
enum DevnodeTruth {
    static func json(_ block: DevChain.Block) -> JSON {
        let state = block.state
        let xcm = state.xcmSent.sorted { $0.key < $1.key }.map { destination, sent in
            JSON.Member(String(destination), .object(["transfers": .string(String(sent.transfers)), "tokens": .string(String(sent.tokens))]))
        }
        let pools = state.pools.pools.sorted { $0.key < $1.key }.map { id, pool in
            let unbonding = pool.unbonding.values.reduce(0, +)
            return JSON.Member(String(id), .object([
                "members": .string(String(pool.members)), "points": .string(String(pool.points)),
                "balance": .string(String(state.staking.bonded[DevRuntime.poolAccount(id), default: 0] + unbonding)),
                "unbonding": .string(String(unbonding)), "pending_rewards": .string(String(pool.rewards - pool.commissionPending)),
            ]))
        }
        let exposures = state.staking.exposures.values
        let own = exposures.reduce(UInt128(0)) { $0 + $1.own }
        let total = exposures.reduce(UInt128(0)) { $0 + $1.total }
        return .object([
            "number": .number(block.number), "hash": .string(block.hash), "xcm": .object(xcm), "pools": .object(pools),
            "staking": .object([
                "era": .number(state.staking.activeEra), "total": .string(String(state.staking.erasTotalStake[state.staking.activeEra] ?? 0)),
                "own": .string(String(own)), "others": .string(String(total - own)), "active_validators": .number(state.staking.validators.count),
            ]),
            "issuance": .string(String(state.issuance)),
        ])
    }
}
