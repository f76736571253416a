import ExactJSON
import SCALE
import Substrate

/// The multi-block election of staking-async runtimes, one round in each era: the snapshot of
/// voters (spread over pages) and targets, a signed solution registered and its page stored,
/// verified and queued, every other round a better unsigned solution (`submit_unsigned`) queued
/// in its place, staking taking the result in by page (`PagedElectionProceeded`), and the signed
/// submitter rewarded when the round ends.
struct MultiBlockState: Sendable {
    var round: UInt32 = 0
    var phase = "Off"
    var phaseArgument: UInt32?
    /// The snapshot's voters by page, and its targets.
    var voterPages: [UInt32: [[UInt8]]] = [:]
    var targets: [[UInt8]] = []
    var desiredTargets: UInt32?
    var queued: (minimalStake: UInt128, sumStake: UInt128, sumStakeSquared: UInt128)?
    /// Events so far, by name: of the signed pallet, of the verifier; and phase transitions.
    var signedEvents: [String: UInt64] = [:]
    var verificationEvents: [String: UInt64] = [:]
    var transitions: UInt64 = 0
    var submitter: [UInt8]?

    /// Phases in which the snapshot is complete.
    static let snapshotComplete: Set<String> = ["Signed", "SignedValidation", "Unsigned", "Done", "Export"]
}

extension DevRuntime {
    static let multiBlockPallet = "MultiBlockElection"

    /// The snapshot's page count (`MultiBlockElection.Pages`).
    var electionPages: UInt32 {
        UInt32(clamping: constant(Self.multiBlockPallet, "Pages")?.uint64 ?? 1)
    }

    func multiBlockElectionActivity(_ block: inout BlockBuilder) throws {
        guard isStakingAsync else { return }
        let staking = block.state.staking
        let pages = electionPages
        switch block.number % Self.eraLength {
        case 1:
            try transition(&block, to: "Snapshot", pages - 1)
            var election = block.state.multiBlock
            let voters = (staking.validators + staking.nominations.keys.sorted { $0.lexicographicallyPrecedes($1) })
            election.voterPages = [:]
            for (position, voter) in voters.enumerated() { election.voterPages[UInt32(position) % pages, default: []].append(voter) }
            election.targets = staking.validators
            election.desiredTargets = UInt32(staking.validators.count)
            block.state.multiBlock = election
        case 2:
            try transition(&block, to: "Signed", 2)
            let submitter = accounts[2]
            let score = electionScore(staking)
            let scoreJSON = JSON.object([
                "minimal_stake": .string(String(score.minimalStake)), "sum_stake": .string(String(score.sumStake)),
                "sum_stake_squared": .string(String(score.sumStakeSquared)),
            ])
            let round = block.state.multiBlock.round
            try submit(try call("MultiBlockElectionSigned", "register", ["claimed_score": scoreJSON]), by: submitter, fee: 300_000_000, to: &block) { phase in
                [try event("MultiBlockElectionSigned", "Registered", positional: [.number(round), .string(Hex.encode(submitter)), scoreJSON], phase: phase)]
            }
            let weight = 1_500_000_000 + block.random.next() % 100_000_000
            try submit(try plainCall("MultiBlockElectionSigned", "submit_page", setting: [:]), by: submitter, fee: 600_000_000, to: &block, weight: weight) { phase in
                [try event("MultiBlockElectionSigned", "Stored", positional: [.number(round), .string(Hex.encode(submitter)), .number(0)], phase: phase)]
            }
            block.state.election.lastSigned = (block.number, block.body.last?.count ?? 0, weight)
            block.state.election.signedSubmissions += 1
            block.state.multiBlock.signedEvents["Registered", default: 0] += 1
            block.state.multiBlock.signedEvents["Stored", default: 0] += 1
            block.state.multiBlock.submitter = submitter
        case 4:
            try transition(&block, to: "SignedValidation", 1)
            block.records += try verified(electionScore(staking), winners: staking.validators.count, phase: .initialization, election: &block.state.multiBlock)
        case 5:
            try transition(&block, to: "Unsigned", 1)
            // Every other round the validators' off-chain workers find a better solution: a bare
            // `submit_unsigned`, verified and queued at once.
            guard block.state.multiBlock.round % 2 == 1, has("MultiBlockElectionUnsigned", call: "submit_unsigned") else { break }
            let score = electionScore(staking)
            let better = (minimalStake: score.minimalStake + 1, sumStake: score.sumStake + 1, sumStakeSquared: score.sumStakeSquared)
            let weight = 2_500_000_000 + block.random.next() % 500_000_000
            // The extrinsic's events, in the phase it is about to take.
            let events = try verified(better, winners: staking.validators.count, phase: block.phase, election: &block.state.multiBlock)
            try submitUnsigned(try plainCall("MultiBlockElectionUnsigned", "submit_unsigned", setting: [:]), to: &block, weight: weight) { _ in events }
            block.state.election.lastUnsigned = (block.number, block.body.last?.count ?? 0, weight)
            block.state.election.unsignedSubmissions += 1
        case 6:
            try transition(&block, to: "Done", nil)
        case 7:
            try transition(&block, to: "Export", 0)
            block.records.append(try event("Staking", "PagedElectionProceeded", json: [
                "page": [.number(0)], "result": [.object(["Ok": .number(staking.validators.count)])],
            ], phase: .initialization))
        case 8:
            try transition(&block, to: "Off", nil)
            var election = block.state.multiBlock
            if let submitter = election.submitter {
                let reward = UInt128(10_000_000_000)
                block.records.append(try event("MultiBlockElectionSigned", "Rewarded", positional: [
                    .number(election.round), .string(Hex.encode(submitter)), .string(String(reward)),
                ], phase: .initialization))
                election.signedEvents["Rewarded", default: 0] += 1
                block.state.free[submitter, default: 0] += reward
                block.state.issuance += reward
            }
            election.round += 1
            election.voterPages = [:]
            election.targets = []
            election.desiredTargets = nil
            election.queued = nil
            election.submitter = nil
            block.state.multiBlock = election
        default:
            break
        }
    }

    /// `PhaseTransitioned` to a phase, at the block's initialization.
    private func transition(_ block: inout BlockBuilder, to phase: String, _ argument: UInt32?) throws {
        let from = block.state.multiBlock
        block.records.append(try event(Self.multiBlockPallet, "PhaseTransitioned", json: [
            "from": [Self.phaseJSON(from.phase, from.phaseArgument)], "to": [Self.phaseJSON(phase, argument)],
        ], phase: .initialization))
        block.state.multiBlock.phase = phase
        block.state.multiBlock.phaseArgument = argument
        block.state.multiBlock.transitions += 1
    }

    /// The verifier's `Verified` and `Queued` for a solution of `score`, which is queued, as the
    /// truth counts them.
    private func verified(
        _ score: (minimalStake: UInt128, sumStake: UInt128, sumStakeSquared: UInt128), winners: Int, phase: EventRecord.Phase, election: inout MultiBlockState
    ) throws -> [EventRecord] {
        election.verificationEvents["Verified", default: 0] += 1
        election.verificationEvents["Queued", default: 0] += 1
        election.queued = score
        return [
            try event("MultiBlockElectionVerifier", "Verified", positional: [.number(0), .number(winners)], phase: phase),
            try event("MultiBlockElectionVerifier", "Queued", positional: [.object([
                "minimal_stake": .string(String(score.minimalStake)), "sum_stake": .string(String(score.sumStake)),
                "sum_stake_squared": .string(String(score.sumStakeSquared)),
            ]), .null], phase: phase),
        ]
    }

    static func phaseJSON(_ phase: String, _ argument: UInt32?) -> JSON {
        argument.map { .object([JSON.Member(phase, .number($0))]) } ?? .string(phase)
    }

    func writeMultiBlockElection(_ election: MultiBlockState, to storage: inout StorageWriter) throws {
        guard isStakingAsync else { return }
        let pallet = Self.multiBlockPallet
        let round = JSON.number(election.round)
        try storage.put(pallet, "Round", json: round)
        try storage.put(pallet, "CurrentPhase", json: Self.phaseJSON(election.phase, election.phaseArgument))
        if let desired = election.desiredTargets { try storage.put(pallet, "DesiredTargets", keys: [round], json: .number(desired)) }
        for (page, voters) in election.voterPages {
            let entries = voters.map { voter in
                JSON.array([.string(Hex.encode(voter)), .number(1_000_000), .array([])])
            }
            try storage.put(pallet, "PagedVoterSnapshot", keys: [round, .number(page)], json: .array(entries))
            try storage.put(pallet, "PagedVoterSnapshotHash", keys: [round, .number(page)], json: .string(Hex.encode(Blake2b.hash256(voters.flatMap { $0 }))))
        }
        if !election.targets.isEmpty {
            let page = JSON.number(electionPages - 1)
            try storage.put(pallet, "PagedTargetSnapshot", keys: [round, page], json: .array(election.targets.map { .string(Hex.encode($0)) }))
            try storage.put(pallet, "PagedTargetSnapshotHash", keys: [round, page], json: .string(Hex.encode(Blake2b.hash256(election.targets.flatMap { $0 }))))
        }
        if let score = election.queued, storage.has("MultiBlockElectionVerifier", "QueuedSolutionScore") {
            try storage.put("MultiBlockElectionVerifier", "QueuedSolutionScore", keys: [round], json: .object([
                "minimal_stake": .string(String(score.minimalStake)), "sum_stake": .string(String(score.sumStake)),
                "sum_stake_squared": .string(String(score.sumStakeSquared)),
            ]))
        }
    }
}
