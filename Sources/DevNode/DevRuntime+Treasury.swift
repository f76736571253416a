import ExactJSON
import SCALE
import Substrate

/// The treasury: each era's remainder goes into its account (`Treasury.Deposit`, beside the
/// `Balances.Deposit` of staking's era payout). A referendum approved on the spending track
/// enacts a spend: of the native token (`SpendApproved`), or, every other one, of another asset
/// (`AssetSpendApproved`). Every `spendPeriod` blocks the treasury awards the native spends it
/// can afford (`Awarded`, a transfer to the beneficiary), pays the asset spends (`Paid`, by XCM,
/// so no local balance moves), burns a hundredth of what is left (`Burnt`, with the balance's
/// `Burned`: issuance falls) and
/// rolls the rest over (`Rollover`).
struct TreasuryState: Sendable {
    var deposits: UInt128 = 0
    var spendsApproved: UInt64 = 0
    var spendsApprovedAmount: UInt128 = 0
    var assetSpendsApproved: UInt64 = 0
    var awarded: UInt128 = 0
    var paid: UInt64 = 0
    var burnt: UInt128 = 0
    /// The last spend period's `Rollover`, once there was one.
    var rollover: UInt128?
    /// Native spends waiting for the spend period: proposal index, amount, beneficiary.
    var approvals: [(index: UInt32, amount: UInt128, beneficiary: [UInt8])] = []
    /// Asset spends waiting to be paid, by spend index.
    var assetSpends: [UInt32] = []
    var proposals: UInt32 = 0
    var spends: UInt32 = 0
}

extension DevRuntime {
    static let spendPeriod: UInt64 = 20

    var hasTreasury: Bool { has("Treasury", event: "SpendApproved") && has("Treasury", event: "Deposit") }

    /// The treasury's share of an era's payout, as the runtime reports it.
    func treasuryDeposit(_ amount: UInt128, in block: inout BlockBuilder) throws {
        guard hasTreasury else { return }
        block.records.append(try event("Treasury", "Deposit", ["value": .primitive(.u128(amount))], phase: .initialization))
        block.state.governance.treasury.deposits += amount
    }

    /// The spend referendum `index` enacts once approved.
    func approveSpend(for index: UInt32, in block: inout BlockBuilder) throws {
        guard hasTreasury else { return }
        let beneficiary = accounts[Int(index % 3)]
        if index / 2 % 2 == 1, has("Treasury", event: "AssetSpendApproved") {
            let spend = block.state.governance.treasury.spends
            block.records.append(try event("Treasury", "AssetSpendApproved", json: [
                "index": [.number(spend)], "amount": [.string(String(UInt128(1_000 + index) * 1_000_000))],
                "valid_from": [.number(block.number)], "expire_at": [.number(block.number + 1000)],
            ], phase: .initialization))
            block.state.governance.treasury.spends += 1
            block.state.governance.treasury.assetSpends.append(spend)
            block.state.governance.treasury.assetSpendsApproved += 1
            return
        }
        let proposal = block.state.governance.treasury.proposals
        let amount = UInt128(10 + index % 7) * 10_000_000
        block.records.append(try event("Treasury", "SpendApproved", [
            "proposal_index": .primitive(.u32(proposal)), "amount": .primitive(.u128(amount)), "beneficiary": .bytes(beneficiary),
        ], phase: .initialization))
        block.state.governance.treasury.proposals += 1
        block.state.governance.treasury.approvals.append((proposal, amount, beneficiary))
        block.state.governance.treasury.spendsApproved += 1
        block.state.governance.treasury.spendsApprovedAmount += amount
    }

    func spendPeriodIfDue(_ block: inout BlockBuilder) throws {
        guard hasTreasury, block.number % Self.spendPeriod == Self.spendPeriod - 1 else { return }
        var treasury = block.state.governance.treasury
        var waiting = [(index: UInt32, amount: UInt128, beneficiary: [UInt8])]()
        for approval in treasury.approvals {
            guard block.state.free[Self.treasury, default: 0] >= approval.amount else { waiting.append(approval); continue }
            block.state.free[Self.treasury, default: 0] -= approval.amount
            block.state.free[approval.beneficiary, default: 0] += approval.amount
            treasury.awarded += approval.amount
            block.records += [
                try event("Balances", "Transfer", [
                    "from": .bytes(Self.treasury), "to": .bytes(approval.beneficiary), "amount": .primitive(.u128(approval.amount)),
                ], phase: .initialization),
                try event("Treasury", "Awarded", [
                    "proposal_index": .primitive(.u32(approval.index)), "award": .primitive(.u128(approval.amount)), "account": .bytes(approval.beneficiary),
                ], phase: .initialization),
            ]
        }
        treasury.approvals = waiting
        if has("Treasury", event: "Paid") {
            for spend in treasury.assetSpends {
                block.records.append(try event("Treasury", "Paid", ["index": .primitive(.u32(spend)), "payment_id": .primitive(.u64(UInt64(spend)))], phase: .initialization))
                treasury.paid += 1
            }
            treasury.assetSpends = []
        }
        let pot = block.state.free[Self.treasury, default: 0]
        let burn = pot / 100
        if burn > 0 {
            block.state.free[Self.treasury, default: 0] -= burn
            block.state.issuance -= burn
            treasury.burnt += burn
            if has("Balances", event: "Burned") {
                block.records.append(try event("Balances", "Burned", ["who": .bytes(Self.treasury), "amount": .primitive(.u128(burn))], phase: .initialization))
            }
            block.records.append(try event("Treasury", "Burnt", ["burnt_funds": .primitive(.u128(burn))], phase: .initialization))
        }
        block.records.append(try event("Treasury", "Rollover", ["rollover_balance": .primitive(.u128(pot - burn))], phase: .initialization))
        treasury.rollover = pot - burn
        block.state.governance.treasury = treasury
    }
}
