import ExactJSON
import SCALE
import Substrate

/// The election of each era's validators (`ElectionProviderMultiPhase`): six blocks into an era
/// the snapshot of voters and targets is taken and the signed phase opens, a signed solution is
/// submitted the block after and, in the unsigned phase, an unsigned one (by the validators'
/// off-chain workers) the block after that, which is queued; the next era starts from it,
/// clears both and opens the next round in phase Off.
struct ElectionState: Sendable {
    var round: UInt32 = 1
    /// `CurrentPhase`: Off, Signed or Unsigned (opened at `unsignedOpened`).
    var phase = "Off"
    var unsignedOpened: UInt64?
    var snapshot: (voters: UInt32, targets: UInt32)?
    var queued: (minimalStake: UInt128, sumStake: UInt128, sumStakeSquared: UInt128)?
    /// The last submission of each kind: its block, encoded length in bytes and weight (`ref_time`).
    var lastSigned: (block: UInt64, length: Int, weight: UInt64)?
    var lastUnsigned: (block: UInt64, length: Int, weight: UInt64)?
    var signedSubmissions: UInt64 = 0
    var unsignedSubmissions: UInt64 = 0
}

extension DevRuntime {
    static let electionPallet = "ElectionProviderMultiPhase"

    func electionActivity(_ block: inout BlockBuilder) throws {
        guard metadata.pallet(named: Self.electionPallet) != nil, metadata.pallet(named: "Staking") != nil else { return }
        let staking = block.state.staking
        switch block.number % Self.eraLength {
        case 0:
            if block.state.election.queued != nil { block.state.election.round += 1 }
            block.state.election.snapshot = nil
            block.state.election.queued = nil
            block.state.election.phase = "Off"
            block.state.election.unsignedOpened = nil
        case 6:
            block.state.election.phase = "Signed"
            block.state.election.snapshot = (UInt32(staking.nominations.count + staking.validators.count), UInt32(staking.validators.count))
        case 7 where has(Self.electionPallet, call: "submit"):
            let score = electionScore(staking)
            let call = try plainCall(Self.electionPallet, "submit", setting: solution(score, round: block.number / Self.eraLength))
            let weight = 900_000_000 + block.random.next() % 100_000_000
            let submitter = accounts[2]
            let fee = 500_000_000 + UInt128(block.random.next() % 100_000_000)
            try submit(call, by: submitter, fee: fee, to: &block, weight: weight) { phase in
                [try solutionStored(signed: submitter, phase: phase)]
            }
            block.state.election.lastSigned = (block.number, block.body.last?.count ?? 0, weight)
            block.state.election.signedSubmissions += 1
        case 8 where has(Self.electionPallet, call: "submit_unsigned"):
            block.state.election.phase = "Unsigned"
            block.state.election.unsignedOpened = block.number
            let score = electionScore(staking)
            var fields = solution(score, round: block.number / Self.eraLength)
            fields["witness.voters"] = .compact(UInt32(staking.nominations.count + staking.validators.count))
            fields["witness.targets"] = .compact(UInt32(staking.validators.count))
            let call = try plainCall(Self.electionPallet, "submit_unsigned", setting: fields)
            let weight = 2_000_000_000 + block.random.next() % 500_000_000
            try submitUnsigned(call, to: &block, weight: weight) { phase in [try solutionStored(signed: nil, phase: phase)] }
            block.state.election.lastUnsigned = (block.number, block.body.last?.count ?? 0, weight)
            block.state.election.unsignedSubmissions += 1
            block.state.election.queued = score
        default:
            break
        }
    }

    /// The score of electing the current validators: the least stake behind one, the sum, and
    /// the sum of squares.
    func electionScore(_ staking: StakingState) -> (minimalStake: UInt128, sumStake: UInt128, sumStakeSquared: UInt128) {
        let totals = staking.validators.map { staking.bonded[$0, default: 0] + (staking.exposures[$0].map { $0.total - $0.own } ?? 0) }
        return (totals.min() ?? 0, totals.reduce(0, +), totals.reduce(0) { $0 + $1 * $1 / 1_000_000_000 })
    }

    private func solution(_ score: (minimalStake: UInt128, sumStake: UInt128, sumStakeSquared: UInt128), round: UInt64) -> [String: Value] {
        [
            "raw_solution.score.minimal_stake": .primitive(.u128(score.minimalStake)),
            "raw_solution.score.sum_stake": .primitive(.u128(score.sumStake)),
            "raw_solution.score.sum_stake_squared": .primitive(.u128(score.sumStakeSquared)),
            "raw_solution.round": .primitive(.u32(UInt32(truncatingIfNeeded: round + 1))),
        ]
    }

    private func solutionStored(signed submitter: [UInt8]?, phase: EventRecord.Phase) throws -> EventRecord {
        try event(Self.electionPallet, "SolutionStored", json: [
            "compute": [.string(submitter == nil ? "Unsigned" : "Signed")],
            "origin": [submitter.map { .string(Hex.encode($0)) } ?? .null],
            "prev_ejected": [.bool(false)],
        ], phase: phase)
    }

    func writeElectionStorage(_ election: ElectionState, to storage: inout StorageWriter) throws {
        guard metadata.pallet(named: Self.electionPallet) != nil else { return }
        if storage.has(Self.electionPallet, "Round") { try storage.put(Self.electionPallet, "Round", json: .number(election.round)) }
        if storage.has(Self.electionPallet, "CurrentPhase") {
            // Unsigned((enabled, opened at)).
            let phase: JSON = election.unsignedOpened.map { .object(["Unsigned": .array([.bool(true), .number($0)])]) } ?? .string(election.phase)
            try storage.put(Self.electionPallet, "CurrentPhase", json: phase)
        }
        if let snapshot = election.snapshot, storage.has(Self.electionPallet, "SnapshotMetadata") {
            try storage.put(Self.electionPallet, "SnapshotMetadata", json: .object(["voters": .number(snapshot.voters), "targets": .number(snapshot.targets)]))
        }
        if let queued = election.queued, storage.has(Self.electionPallet, "QueuedSolution") {
            try storage.put(Self.electionPallet, "QueuedSolution", keys: [], setting: [
                "score.minimal_stake": .primitive(.u128(queued.minimalStake)), "score.sum_stake": .primitive(.u128(queued.sumStake)),
                "score.sum_stake_squared": .primitive(.u128(queued.sumStakeSquared)),
            ])
        }
    }
}

extension Value {
    fileprivate static func compact(_ number: UInt32) -> Value { Value(.compact(.u32(number))) }
}
