import ExactJSON
import SCALE
import Substrate

/// Fungible assets (`Assets`, as on Asset Hub): asset 1984, a stablecoin of 6 decimals, held
/// from genesis by the first accounts; every third block a holder sends part of its balance to
/// another account (`Assets.transfer`, `Assets.Transferred`), which becomes a holder. Messages
/// from a sibling bring some in (`Assets.Issued`), and every sixth block the first holder sends
/// some away (`Assets.Burned`).
///
/// One fungible asset as its pallet keeps it (asset 1984 in `Assets`, KSM in `ForeignAssets`):
/// its holders' balances, and what moved it.
struct AssetLedger: Sendable {
    var balances: [[UInt8]: UInt128] = [:]
    /// `Transferred` events (transfers, and swaps' moves), and the transfer calls among them.
    var transfers: UInt64 = 0
    var transferCalls: UInt64 = 0
    var transferred: UInt128 = 0
    var issued: UInt128 = 0
    var burned: UInt128 = 0

    var supply: UInt128 { balances.values.reduce(0, +) }

    /// A `Transferred` of `amount`; `byCall`: a transfer call of its own, not a swap's move.
    mutating func move(_ amount: UInt128, from: [UInt8], to: [UInt8], byCall: Bool) {
        balances[from, default: 0] -= amount
        balances[to, default: 0] += amount
        transfers += 1
        if byCall { transferCalls += 1 }
        transferred += amount
    }
}

extension DevRuntime {
    static let assetID: UInt32 = 1984

    var hasAssets: Bool { has("Assets", call: "transfer") && has("Assets", event: "Transferred") }

    func genesisAssets(_ state: inout State) {
        guard hasAssets else { return }
        for (position, account) in accounts.prefix(4).enumerated() { state.assets.balances[account] = UInt128(position + 1) * 250_000 * 1_000_000 }
    }

    func assetTransfer(_ block: inout BlockBuilder) throws {
        guard block.number % 3 == 1, hasAssets else { return }
        let holders = block.state.assets.balances.filter { $0.value >= 100 }.map(\.key).sorted { $0.lexicographicallyPrecedes($1) }
        guard !holders.isEmpty else { return }
        let signer = holders[Int(block.random.next() % UInt64(holders.count))]
        guard spendable(0, by: signer, in: block.state) != nil else { return }
        var destination = accounts[Int(block.random.next() % UInt64(accounts.count - 1))]
        if destination == signer { destination = author }
        let amount = block.state.assets.balances[signer, default: 0] / 100 + UInt128(block.random.next() % 1_000_000)
        let fee = 180_000_000 + UInt128(block.random.next() % 40_000_000)
        let arguments: [String: JSON] = [
            "id": .number(Self.assetID), "target": .object(["Id": .string(Hex.encode(destination))]), "amount": .string(String(amount)),
        ]
        try submit(try call("Assets", "transfer", arguments), by: signer, fee: fee, to: &block) { phase in
            [try event("Assets", "Transferred", [
                "asset_id": .primitive(.u32(Self.assetID)), "from": .bytes(signer), "to": .bytes(destination), "amount": .primitive(.u128(amount)),
            ], phase: phase)]
        }
        block.state.assets.move(amount, from: signer, to: destination, byCall: true)
    }

    /// `Assets.Asset` of 1984 and its holders' `Assets.Account`.
    func writeAssetsStorage(_ assets: AssetLedger, to storage: inout StorageWriter) throws {
        guard hasAssets else { return }
        try write(assets, pallet: "Assets", id: .number(Self.assetID), minBalance: 10_000, to: &storage)
    }

    /// An asset's `Asset` entry in its pallet (its supply and holders) and each holder's `Account`.
    func write(_ ledger: AssetLedger, pallet: String, id: JSON, minBalance: UInt128, to storage: inout StorageWriter) throws {
        guard storage.has(pallet, "Asset"), storage.has(pallet, "Account") else { return }
        let owner = Value.bytes(accounts[0])
        try storage.put(pallet, "Asset", keys: [id], setting: [
            "owner": owner, "issuer": owner, "admin": owner, "freezer": owner, "supply": .primitive(.u128(ledger.supply)),
            "min_balance": .primitive(.u128(minBalance)), "is_sufficient": .primitive(.bool(true)),
            "accounts": .primitive(.u32(UInt32(ledger.balances.count))), "sufficients": .primitive(.u32(UInt32(ledger.balances.count))),
        ])
        for (holder, balance) in ledger.balances {
            try storage.put(pallet, "Account", keys: [id, .string(Hex.encode(holder))], setting: ["balance": .primitive(.u128(balance))])
        }
    }

    /// Asset 1984 arriving with a message from a sibling, to the third account.
    func issueAsset(_ block: inout BlockBuilder) throws {
        guard hasAssets, has("Assets", event: "Issued") else { return }
        let owner = accounts[2]
        // Not from the block's random bytes: the activities after it draw those as before.
        let amount = 50_000_000 + UInt128(block.number * 7919 % 10_000_000)
        block.finalization.append(try event("Assets", "Issued", [
            "asset_id": .primitive(.u32(Self.assetID)), "owner": .bytes(owner), "amount": .primitive(.u128(amount)),
        ], phase: .finalization))
        block.state.assets.balances[owner, default: 0] += amount
        block.state.assets.issued += amount
    }

    /// Asset 1984 leaving the chain from the first account, every sixth block.
    func burnAsset(_ block: inout BlockBuilder) throws {
        guard block.number % 6 == 5, hasAssets, has("Assets", event: "Burned") else { return }
        let owner = accounts[0]
        let amount = block.state.assets.balances[owner, default: 0] / 1000
        guard amount > 0 else { return }
        block.finalization.append(try event("Assets", "Burned", [
            "asset_id": .primitive(.u32(Self.assetID)), "owner": .bytes(owner), "balance": .primitive(.u128(amount)),
        ], phase: .finalization))
        block.state.assets.balances[owner, default: 0] -= amount
        block.state.assets.burned += amount
    }
}
