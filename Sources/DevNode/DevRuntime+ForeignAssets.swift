import ExactJSON
import SCALE
import Substrate

/// Foreign assets (`ForeignAssets`, keyed by XCM location) and swaps (`AssetConversion`), as on
/// Polkadot's Asset Hub. KSM, bridged from Kusama, is held from genesis by three accounts;
/// every fourth block a holder sends some to another account (`Transferred`), every tenth some
/// arrives over the bridge (`Issued`), every twelfth some leaves (`Burned`). The pool account
/// holds DOT, USDT and KSM; every fifth block an account swaps through it
/// (`swap_exact_tokens_for_tokens`, `SwapExecuted`): DOT for USDT, USDT for DOT, KSM for DOT, and
/// now and then DOT for an asset no definition lists. The assets move as the pallets move them,
/// with their own transfer events. KSM is kept in an `AssetLedger` as asset 1984 is.
struct SwapTotals: Sendable {
    var count: UInt64 = 0
    var amountIn: UInt128 = 0
    var amountOut: UInt128 = 0
}

extension DevRuntime {
    /// KSM on Polkadot's Asset Hub, and its label text.
    static let kusamaLocation: JSON = .object(["parents": .number(2), "interior": .object(["X1": .array([.object(["GlobalConsensus": .string("Kusama")])])])])
    static let kusamaLabel = "2/GlobalConsensus(Kusama)"
    /// The pools' account (`modlpy/ascon`), holding every pool's reserves here.
    static let poolAccount = Array("modlpy/ascon".utf8) + [UInt8](repeating: 0, count: 20)

    var hasForeignAssets: Bool { has("ForeignAssets", call: "transfer") && has("ForeignAssets", event: "Transferred") }
    var hasSwaps: Bool { hasAssets && has("AssetConversion", call: "swap_exact_tokens_for_tokens") && has("AssetConversion", event: "SwapExecuted") }

    func genesisForeignAssets(_ state: inout State) {
        guard hasForeignAssets else { return }
        for (position, account) in accounts.prefix(3).enumerated() { state.foreignAssets.balances[account] = UInt128(position + 1) * 1_000 * 1_000_000_000_000 }
        if hasSwaps {
            state.foreignAssets.balances[Self.poolAccount] = 50_000 * 1_000_000_000_000
            state.assets.balances[Self.poolAccount] = 5_000_000 * 1_000_000
            state.free[Self.poolAccount] = 1_000_000 * 10_000_000_000
            state.issuance += 1_000_000 * 10_000_000_000
        }
    }

    /// `ForeignAssets.Transferred` of KSM, with the location as the event's asset id.
    private func foreignTransferred(from: [UInt8], to: [UInt8], amount: UInt128, phase: EventRecord.Phase) throws -> EventRecord {
        try event("ForeignAssets", "Transferred", json: [
            "asset_id": [Self.kusamaLocation], "from": [.string(Hex.encode(from))], "to": [.string(Hex.encode(to))], "amount": [.string(String(amount))],
        ], phase: phase)
    }

    func foreignAssetActivity(_ block: inout BlockBuilder) throws {
        guard hasForeignAssets else { return }
        let number = block.number
        // Not from the block's random bytes: the activities after it draw those as before.
        if number % 4 == 2 {
            let holders = block.state.foreignAssets.balances.keys.filter { $0 != Self.poolAccount && block.state.foreignAssets.balances[$0, default: 0] >= 1_000 }
                .sorted { $0.lexicographicallyPrecedes($1) }
            if !holders.isEmpty {
                let signer = holders[Int(number / 4 % UInt64(holders.count))]
                let destination = accounts[Int(number % UInt64(accounts.count))] == signer ? author : accounts[Int(number % UInt64(accounts.count))]
                let amount = block.state.foreignAssets.balances[signer, default: 0] / 100
                if spendable(0, by: signer, in: block.state) != nil, amount > 0 {
                    let call = try call("ForeignAssets", "transfer", [
                        "id": Self.kusamaLocation, "target": .object(["Id": .string(Hex.encode(destination))]), "amount": .string(String(amount)),
                    ])
                    try submit(call, by: signer, fee: 230_000_000, to: &block) { phase in [try foreignTransferred(from: signer, to: destination, amount: amount, phase: phase)] }
                    block.state.foreignAssets.move(amount, from: signer, to: destination, byCall: true)
                }
            }
        }
        if number % 10 == 3, has("ForeignAssets", event: "Issued") {
            let owner = accounts[1], amount = 2_000_000_000_000 + UInt128(number * 104_729 % 1_000_000_000_000)
            block.finalization.append(try event("ForeignAssets", "Issued", json: [
                "asset_id": [Self.kusamaLocation], "owner": [.string(Hex.encode(owner))], "amount": [.string(String(amount))],
            ], phase: .finalization))
            block.state.foreignAssets.balances[owner, default: 0] += amount
            block.state.foreignAssets.issued += amount
        }
        if number % 12 == 9, has("ForeignAssets", event: "Burned") {
            let owner = accounts[0], amount = block.state.foreignAssets.balances[owner, default: 0] / 500
            if amount > 0 {
                block.finalization.append(try event("ForeignAssets", "Burned", json: [
                    "asset_id": [Self.kusamaLocation], "owner": [.string(Hex.encode(owner))], "balance": [.string(String(amount))],
                ], phase: .finalization))
                block.state.foreignAssets.balances[owner, default: 0] -= amount
                block.state.foreignAssets.burned += amount
            }
        }
    }

    /// One asset a swap moves: its location (as the call and event take it), its label text.
    private enum SwapAsset {
        case native, usdt, kusama, unlisted

        var location: JSON {
            switch self {
            case .native: .object(["parents": .number(1), "interior": .string("Here")])
            case .usdt: .object(["parents": .number(0), "interior": .object(["X2": .array([.object(["PalletInstance": .number(50)]), .object(["GeneralIndex": .number(DevRuntime.assetID)])])])])
            case .kusama: DevRuntime.kusamaLocation
            case .unlisted: .object(["parents": .number(0), "interior": .object(["X2": .array([.object(["PalletInstance": .number(50)]), .object(["GeneralIndex": .number(30)])])])])
            }
        }

        var label: String {
            switch self {
            case .native: "1/Here"
            case .usdt: "0/PalletInstance(50)/GeneralIndex(\(DevRuntime.assetID))"
            case .kusama: DevRuntime.kusamaLabel
            case .unlisted: "0/PalletInstance(50)/GeneralIndex(30)"
            }
        }
    }

    /// A swap every fifth block, the pair by turns; what each asset is worth in another is fixed.
    func swapActivity(_ block: inout BlockBuilder) throws {
        guard hasSwaps, hasForeignAssets, block.number % 5 == 1 else { return }
        let turn = block.number / 5 % 4
        let (paid, received): (SwapAsset, SwapAsset) = [(.native, .usdt), (.usdt, .native), (.kusama, .native), (.native, .unlisted)][Int(turn)]
        let signer = accounts[Int(turn % 3)]
        guard spendable(0, by: signer, in: block.state) != nil else { return }
        // DOT (10 decimals) at 4 USDT (6 decimals); KSM (12 decimals) at 0.1 DOT.
        let amountIn: UInt128, amountOut: UInt128
        switch (paid, received) {
        case (.native, .usdt): (amountIn, amountOut) = (10_000_000_000 * UInt128(1 + block.number % 3), 4_000_000 * UInt128(1 + block.number % 3))
        case (.usdt, .native):
            guard block.state.assets.balances[signer, default: 0] >= 8_000_000 else { return }
            (amountIn, amountOut) = (8_000_000, 20_000_000_000)
        case (.kusama, .native):
            guard block.state.foreignAssets.balances[signer, default: 0] >= 10_000_000_000_000 else { return }
            (amountIn, amountOut) = (10_000_000_000_000, 10_000_000_000)
        default: (amountIn, amountOut) = (5_000_000_000, 123_456)
        }
        let call = try call("AssetConversion", "swap_exact_tokens_for_tokens", [
            "path": .array([paid.location, received.location]), "amount_in": .string(String(amountIn)), "amount_out_min": .string(String(amountOut)),
            "send_to": .string(Hex.encode(signer)), "keep_alive": .bool(true),
        ])
        // The two moves: what is paid into the pool, and what it pays out.
        let legs = [(asset: paid, from: signer, to: Self.poolAccount, amount: amountIn), (asset: received, from: Self.poolAccount, to: signer, amount: amountOut)]
        try submit(call, by: signer, fee: 260_000_000, to: &block) { phase in
            var records = [EventRecord]()
            // What each side's pallet records of the move, then the swap.
            for (asset, from, to, amount) in legs {
                switch asset {
                case .native: records.append(try event("Balances", "Transfer", ["from": .bytes(from), "to": .bytes(to), "amount": .primitive(.u128(amount))], phase: phase))
                case .usdt: records.append(try event("Assets", "Transferred", [
                    "asset_id": .primitive(.u32(Self.assetID)), "from": .bytes(from), "to": .bytes(to), "amount": .primitive(.u128(amount)),
                ], phase: phase))
                case .kusama: records.append(try foreignTransferred(from: from, to: to, amount: amount, phase: phase))
                case .unlisted: break
                }
            }
            records.append(try event("AssetConversion", "SwapExecuted", json: [
                "who": [.string(Hex.encode(signer))], "send_to": [.string(Hex.encode(signer))],
                "amount_in": [.string(String(amountIn))], "amount_out": [.string(String(amountOut))],
                "path": [.array([.array([paid.location, .string(String(amountIn))]), .array([received.location, .string(String(amountOut))])])],
            ], phase: phase))
            return records
        }
        for (asset, from, to, amount) in legs {
            switch asset {
            case .native:
                block.state.free[from, default: 0] -= amount
                block.state.free[to, default: 0] += amount
            case .usdt: block.state.assets.move(amount, from: from, to: to, byCall: false)
            case .kusama: block.state.foreignAssets.move(amount, from: from, to: to, byCall: false)
            case .unlisted: break
            }
        }
        block.state.swaps["\(paid.label)→\(received.label)", default: SwapTotals()].count += 1
        block.state.swaps["\(paid.label)→\(received.label)", default: SwapTotals()].amountIn += amountIn
        block.state.swaps["\(paid.label)→\(received.label)", default: SwapTotals()].amountOut += amountOut
    }

    /// `ForeignAssets.Asset` of KSM and its holders' `ForeignAssets.Account`.
    func writeForeignAssetsStorage(_ foreign: AssetLedger, to storage: inout StorageWriter) throws {
        guard hasForeignAssets else { return }
        try write(foreign, pallet: "ForeignAssets", id: Self.kusamaLocation, minBalance: 1_000, to: &storage)
    }
}
