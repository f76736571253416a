import SCALE
import Substrate
import Synchronization

/// Each nomination pool's members, points and balances. Pools are numbered 1…`LastPoolId`, and
/// every block reads each pool's entries in one follow-up query:
/// - `balance`: what the pool has at stake, bonded and unbonding: where the pool stakes through
///   `DelegatedStaking` (its bonded account is an agent there, as on Asset Hub), the agent's
///   `total_delegated`; otherwise the `Staking.Ledger.total` of its bonded account;
/// - `unbonding`: what members are unbonding (every `SubPoolsStorage` sub-pool's balance);
/// - `pending_rewards`: rewards not yet claimed by members (the reward account's free balance
///   above the existential deposit, less the commission pending for the pool's owner).
/// Pools that no longer exist have no `BondedPools` entry and give no samples.
struct NominationPoolsCollector: Collector {
    static let perPool: Set<String> = ["pool"]
    static let spec = CollectorSpec(
        name: "nomination_pools",
        values: ["members": perPool, "points": perPool, "balance": perPool, "unbonding": perPool, "pending_rewards": perPool],
        defaultValue: "members"
    ) { metadata throws(CollectorError) in
        let storage = CollectorStorage(collector: "nomination_pools", metadata: metadata)
        for (pallet, item) in [
            ("NominationPools", "LastPoolId"), ("NominationPools", "BondedPools"), ("NominationPools", "RewardPools"),
            ("NominationPools", "SubPoolsStorage"), ("Staking", "Ledger"), ("System", "Account"),
        ] where !storage.has(pallet, item) {
            return .missing("nomination_pools: the runtime has no \(pallet).\(item)")
        }
        let palletID = try storage.constant("NominationPools", "PalletId")
        guard let idBytes = palletID.bytes ?? palletID.unwrappedNewtype?.bytes, idBytes.count == 8 else {
            throw storage.fail("NominationPools.PalletId is not 8 bytes")
        }
        let existentialDeposit = try storage.number(try storage.constant("Balances", "ExistentialDeposit"), what: "Balances.ExistentialDeposit")
        return .bound(NominationPoolsCollector(
            storage: storage, palletID: idBytes, existentialDeposit: existentialDeposit,
            lastPoolKey: try storage.key("NominationPools", "LastPoolId"), delegates: storage.has("DelegatedStaking", "Agents")))
    }.reading(["NominationPools", "Staking", "DelegatedStaking"])

    let storage: CollectorStorage
    let palletID: [UInt8]
    let existentialDeposit: UInt128
    let lastPoolKey: String
    /// Whether pools may stake as `DelegatedStaking` agents.
    let delegates: Bool
    /// Each pool's keys, built once: every block asks for every pool's.
    private let poolKeys = PoolKeyCache()

    private final class PoolKeyCache: Sendable {
        let keys = Mutex<[UInt32: PoolKeys]>([:])
    }
    /// The most pools read at one block (`LastPoolId` beyond it is an error, not a silent cut).
    static let maximumPools: UInt128 = 100_000

    var storageKeys: [String] { [lastPoolKey] }

    /// A pool's account: `modl` + the pallet id + account type (0 bonded, 1 reward) + pool id,
    /// zero-padded to 32 bytes.
    func account(_ pool: UInt32, type: UInt8) -> [UInt8] {
        var bytes = Array("modl".utf8) + palletID + [type]
        withUnsafeBytes(of: pool.littleEndian) { bytes += $0 }
        return bytes + [UInt8](repeating: 0, count: max(0, 32 - bytes.count))
    }

    private struct PoolKeys {
        let bonded, reward, subPools, ledger, rewardAccount: String
        let agent: String?

        var all: [String] { [bonded, reward, subPools, ledger, rewardAccount] + (agent.map { [$0] } ?? []) }
    }

    private func keys(_ pool: UInt32) throws(CollectorError) -> PoolKeys {
        if let known = poolKeys.keys.withLock({ $0[pool] }) { return known }
        let keys = try buildKeys(pool)
        poolKeys.keys.withLock { $0[pool] = keys }
        return keys
    }

    private func buildKeys(_ pool: UInt32) throws(CollectorError) -> PoolKeys {
        let id = Value.primitive(.u32(pool))
        return PoolKeys(
            bonded: try storage.key("NominationPools", "BondedPools", [id]),
            reward: try storage.key("NominationPools", "RewardPools", [id]),
            subPools: try storage.key("NominationPools", "SubPoolsStorage", [id]),
            ledger: try storage.key("Staking", "Ledger", [.bytes(account(pool, type: 0))]),
            rewardAccount: try storage.key("System", "Account", [.bytes(account(pool, type: 1))]),
            agent: delegates ? try storage.key("DelegatedStaking", "Agents", [.bytes(account(pool, type: 0))]) : nil)
    }

    private func lastPool(_ block: BlockContext) throws(CollectorError) -> UInt32 {
        let last = try storage.number(try storage.value("NominationPools", "LastPoolId", key: lastPoolKey, in: block), what: "NominationPools.LastPoolId")
        guard last <= Self.maximumPools else { throw storage.fail("NominationPools.LastPoolId is \(last), above the \(Self.maximumPools) pools read per block") }
        return UInt32(last)
    }

    func followUpKeys(_ block: BlockContext) throws(CollectorError) -> [String] {
        let last = try lastPool(block)
        guard last > 0 else { return [] }
        var result = [String]()
        for pool in 1...last {
            result += try keys(pool).all
        }
        return result
    }

    func collect(_ block: BlockContext) throws(CollectorError) -> [Sample] {
        let last = try lastPool(block)
        guard last > 0 else { return [] }
        var samples = [Sample]()
        for pool in 1...last {
            let keys = try keys(pool)
            // Only the integers read are decoded, straight from the bytes: these values are read
            // for every pool at every block, and a pool's sub-pools hold one entry per unbonding era.
            guard let members = try storage.number("NominationPools", "BondedPools", key: keys.bonded, in: block, at: "member_counter",
                                                   what: "NominationPools.BondedPools[\(pool)]") else { continue }
            let points = try storage.number("NominationPools", "BondedPools", key: keys.bonded, in: block, at: "points", what: "NominationPools.BondedPools[\(pool)]") ?? 0
            let balance: UInt128
            if let agent = keys.agent,
               let delegated = try storage.number("DelegatedStaking", "Agents", key: agent, in: block, at: "total_delegated", what: "DelegatedStaking.Agents of pool \(pool)") {
                balance = delegated
            } else {
                balance = try storage.number("Staking", "Ledger", key: keys.ledger, in: block, at: "total", what: "Staking.Ledger of pool \(pool)") ?? 0
            }
            // Unbonding: `no_era.balance` plus the balance of each `with_era` sub-pool ((era, pool) pairs).
            var unbonding: UInt128 = 0
            for path in ["no_era.balance", "with_era.*.1.balance"] {
                for part in try storage.integers("NominationPools", "SubPoolsStorage", key: keys.subPools, in: block, at: path) ?? [] {
                    let (sum, overflow) = unbonding.addingReportingOverflow(part)
                    guard !overflow else { throw storage.fail("NominationPools.SubPoolsStorage[\(pool)]: the sub-pools' balances overflow 128 bits") }
                    unbonding = sum
                }
            }
            let free = try storage.number("System", "Account", key: keys.rewardAccount, in: block, at: "data.free", what: "System.Account of pool \(pool)'s reward account") ?? 0
            // Runtimes before commissions have no pending commission.
            let commission = try storage.value("NominationPools", "RewardPools", key: keys.reward, in: block, at: "total_commission_pending")
                .map { pending throws(CollectorError) in try storage.number(pending, what: "NominationPools.RewardPools[\(pool)].total_commission_pending") } ?? 0
            let (aboveDeposit, belowDeposit) = free.subtractingReportingOverflow(existentialDeposit)
            let (unclaimed, belowCommission) = aboveDeposit.subtractingReportingOverflow(commission)
            let pending = belowDeposit || belowCommission ? 0 : unclaimed
            let labels = [Sample.Label("pool", String(pool))]
            for (value, number) in [("members", members), ("points", points), ("balance", balance), ("unbonding", unbonding), ("pending_rewards", pending)] {
                samples.append(Sample(metric: value, labels: labels, value: SampleValue(number)))
            }
        }
        return samples
    }
}
