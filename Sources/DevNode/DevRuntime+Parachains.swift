import ExactJSON
import SCALE
import Substrate

/// Parachain blocks on a relay chain, carried by the `ParaInherent.enter` inherent as real relay
/// blocks carry them. Every block each of four parachains has a candidate backed
/// (`ParaInclusion.CandidateBacked`); a candidate backed in the block before is included
/// (`CandidateIncluded`), now and then with upward messages (`UpwardMessagesReceived`), or, at
/// fixed turns per parachain, times out (`CandidateTimedOut`). Every fifth block an account orders
/// an on-demand core (`place_order_allow_death`) at the spot price, which goes to the on-demand
/// pallet's account (its revenue).
struct ParachainsState: Sendable {
    /// Candidates backed in the block before, waiting for their data to be available.
    var pending: [UInt32] = []
    var candidates: [UInt32: CandidateCounts] = [:]
    var onDemand: [UInt32: (orders: UInt64, spent: UInt128)] = [:]

    struct CandidateCounts: Sendable {
        var backed: UInt64 = 0
        var included: UInt64 = 0
        var timedOut: UInt64 = 0
        var upwardMessages: UInt64 = 0
    }
}

extension DevRuntime {
    /// Asset Hub, Bridge Hub, Moonbeam, Hydration.
    static let parachainIDs: [UInt32] = [1000, 1002, 2004, 2034]
    /// The parachain on-demand cores are ordered for.
    static let onDemandParachain: UInt32 = 3388
    /// The on-demand pallet's account (`modl` and its pallet id `py/ondmd`), which takes the spot prices.
    static let onDemandAccount = Array("modlpy/ondmd".utf8) + [UInt8](repeating: 0, count: 20)

    var includesParachains: Bool { !isParachain && has("ParaInherent", call: "enter") && has("ParaInclusion", event: "CandidateIncluded") }

    /// The on-demand pallet under the name this runtime gives it.
    var onDemandPallet: String? {
        ["OnDemand", "OnDemandAssignmentProvider"].first { has($0, call: "place_order_allow_death") && has($0, event: "OnDemandOrderPlaced") }
    }

    /// A candidate at the turn it times out instead of being included: each parachain every
    /// seventh block, at its own offset.
    static func timesOut(_ paraIndex: Int, at block: UInt64) -> Bool { (block + UInt64(paraIndex)) % 7 == 0 }

    func parachainInclusion(_ block: inout BlockBuilder) throws {
        guard includesParachains else { return }
        let number = block.number
        let upwardMessagesKnown = has("ParaInclusion", event: "UpwardMessagesReceived")
        // What becomes of each candidate backed in the block before.
        let outcomes = block.state.parachains.pending.map { para in
            let timedOut = Self.timesOut(Self.parachainIDs.firstIndex(of: para) ?? 0, at: number)
            let upward = !timedOut && upwardMessagesKnown && (number + UInt64(para)) % 3 == 0 ? 1 + number % 4 : 0
            return (para: para, timedOut: timedOut, upward: upward)
        }
        try submitUnsigned(try plainCall("ParaInherent", "enter", setting: [:]), to: &block, weight: 350_000_000) { phase in
            var records = [EventRecord]()
            for outcome in outcomes {
                records.append(try candidateEvent(outcome.timedOut ? "CandidateTimedOut" : "CandidateIncluded", para: outcome.para, phase: phase))
                if outcome.upward > 0 {
                    records.append(try event("ParaInclusion", "UpwardMessagesReceived", json: ["from": [.number(outcome.para)], "count": [.number(outcome.upward)]], phase: phase))
                }
            }
            for para in Self.parachainIDs { records.append(try candidateEvent("CandidateBacked", para: para, phase: phase)) }
            return records
        }
        for outcome in outcomes where outcome.upward > 0 { try processUpwardMessages(from: outcome.para, count: outcome.upward, in: &block) }
        for outcome in outcomes {
            var counts = block.state.parachains.candidates[outcome.para, default: .init()]
            if outcome.timedOut { counts.timedOut += 1 } else { counts.included += 1 }
            counts.upwardMessages += outcome.upward
            block.state.parachains.candidates[outcome.para] = counts
        }
        for para in Self.parachainIDs { block.state.parachains.candidates[para, default: .init()].backed += 1 }
        block.state.parachains.pending = Self.parachainIDs
    }

    /// A `ParaInclusion` event whose first field, the candidate receipt, names the parachain.
    private func candidateEvent(_ name: String, para: UInt32, phase: EventRecord.Phase) throws -> EventRecord {
        try event("ParaInclusion", name, adjusting: { position, plain in
            guard position == 0, let paraType = plain.value(at: "descriptor.para_id")?.typeID,
                  let receipt = plain.replacing("descriptor.para_id", with: try reader.read(.number(para), as: paraType))
            else { return plain }
            return receipt
        }, phase: phase)
    }

    func onDemandOrder(_ block: inout BlockBuilder) throws {
        guard block.number % 5 == 2, let pallet = onDemandPallet else { return }
        let signer = accounts[1]
        guard let price = spendable(1_000_000_000 + UInt128(block.random.next() % 100_000_000), by: signer, in: block.state) else { return }
        let para = Self.onDemandParachain
        let arguments: [String: JSON] = ["max_amount": .string(String(price * 2)), "para_id": .number(para)]
        let fee = 160_000_000 + UInt128(block.random.next() % 40_000_000)
        try submit(try call(pallet, "place_order_allow_death", arguments), by: signer, fee: fee, to: &block) { phase in
            [
                try event("Balances", "Withdraw", ["who": .bytes(signer), "amount": .primitive(.u128(price))], phase: phase),
                try event("Balances", "Deposit", ["who": .bytes(Self.onDemandAccount), "amount": .primitive(.u128(price))], phase: phase),
                try event(pallet, "OnDemandOrderPlaced", json: [
                    "para_id": [.number(para)], "spot_price": [.string(String(price))], "ordered_by": [.string(Hex.encode(signer))],
                ], phase: phase),
            ]
        }
        block.state.free[signer, default: 0] -= price
        block.state.free[Self.onDemandAccount, default: 0] += price
        block.state.parachains.onDemand[para, default: (0, 0)].orders += 1
        block.state.parachains.onDemand[para, default: (0, 0)].spent += price
    }

    /// Validators per backing group, one group per parachain.
    static let backingGroupSize = 5

    /// `Paras.Parachains` (sorted, as the runtime keeps it), `ParaScheduler.ValidatorGroups` and
    /// the number of cores in `Configuration.ActiveConfig`.
    func writeParachainsStorage(to storage: inout StorageWriter) throws {
        guard includesParachains, storage.has("Paras", "Parachains"), storage.has("ParaScheduler", "ValidatorGroups") else { return }
        try storage.put("Paras", "Parachains", json: .array(Self.parachainIDs.sorted().map { .number($0) }))
        let groups = Self.parachainIDs.indices.map { group in
            JSON.array((0..<Self.backingGroupSize).map { .number(group * Self.backingGroupSize + $0) })
        }
        try storage.put("ParaScheduler", "ValidatorGroups", json: .array(groups))
        // One core per parachain, where the host configuration of this runtime keeps the number.
        if let path = ["scheduler_params.num_cores", "coretime_cores"].first(where: { storage.has("Configuration", "ActiveConfig", field: $0) }) {
            try storage.put("Configuration", "ActiveConfig", keys: [], setting: [path: .primitive(.u32(UInt32(Self.parachainIDs.count)))])
        }
    }
}
