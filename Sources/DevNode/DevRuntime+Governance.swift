import ExactJSON
import SCALE
import Substrate

/// OpenGov on two tracks, the first and the last of the runtime's `Referenda.Tracks`. Every
/// fourth block an account submits a referendum (`Referenda.submit`), the tracks taking turns.
/// Its course is fixed by its index: most start deciding two blocks later, confirm two blocks
/// after that and are approved; some confirm, abort and are rejected; some are cancelled or
/// killed, others time out undecided. The alarms fire at block initialization, as the scheduler
/// runs them. Accounts vote on deciding referenda (`ConvictionVoting.vote`) at convictions
/// that vary, removing their oldest vote on a track once they hold two there; one account
/// delegates its voting power on the first track and takes it back, in turns.
struct GovernanceState: Sendable {
    struct Referendum: Sendable {
        let track: UInt16
        let submitted: UInt64
        var decidingSince: UInt64?
        var confirmingSince: UInt64?
    }

    /// A standard vote: its poll, conviction (0 for none to 6) and balance.
    struct Vote: Sendable {
        let poll: UInt32
        let conviction: Int
        let balance: UInt128
        let aye: Bool
    }

    struct Delegation: Sendable {
        let target: [UInt8]
        let conviction: Int
        let balance: UInt128
    }

    var count: UInt32 = 0
    var ongoing: [UInt32: Referendum] = [:]
    /// Ended referenda: how (`Approved`, `Rejected`, …) and at which block.
    var ended: [UInt32: (outcome: String, since: UInt64)] = [:]
    /// Lifecycle events by track id, then event name.
    var events: [UInt16: [String: UInt64]] = [:]
    /// `ConvictionVoting.VotingFor`: votes cast and delegations, by account and track.
    var votes: [[UInt8]: [UInt16: [Vote]]] = [:]
    var delegations: [[UInt8]: [UInt16: Delegation]] = [:]
    var voted: UInt64 = 0
    var votesRemoved: UInt64 = 0
    var delegated: UInt64 = 0
    var undelegated: UInt64 = 0
    var treasury = TreasuryState()
}

extension DevRuntime {
    static let convictions = ["None", "Locked1x", "Locked2x", "Locked3x", "Locked4x", "Locked5x", "Locked6x"]
    /// Votes an account keeps on a track before it removes its oldest.
    static let votesKept = 2

    var hasGovernance: Bool {
        has("Referenda", call: "submit") && has("Referenda", event: "Submitted") && has("ConvictionVoting", call: "vote")
            && metadata.storageEntry(pallet: "Referenda", item: "ReferendumInfoFor") != nil
    }

    /// The two tracks referenda run on: the runtime's first and last, with their names (read
    /// once, when the runtime is made: `DevRuntime.governanceTracks`).
    static func governanceTracks(_ metadata: RuntimeMetadata) -> [(id: UInt16, name: String)] {
        guard let constant = metadata.pallet(named: "Referenda")?.constants.first(where: { $0.name == "Tracks" }),
              case let .sequence(items)? = (try? ValueDecoder(registry: metadata.types).decode(constant.typeID, bytes: constant.value))?.kind
        else { return [] }
        let tracks = items.compactMap { item -> (id: UInt16, name: String)? in
            guard let id = item.value(at: "0")?.uint128.flatMap({ UInt16(exactly: $0) }) else { return nil }
            // Runtimes pad names to a fixed length with zeros.
            let name = item.value(at: "1.name")?.string.map { String($0.prefix { $0 != "\0" }) }
            return (id, name ?? String(id))
        }
        guard let first = tracks.first, let last = tracks.last, tracks.count > 1 else { return [] }
        return [first, last]
    }

    /// What becomes of referendum `index` submitted at block `submitted`, at block `number`:
    /// the lifecycle events it emits then, and whether it ends.
    static func referendumCourse(_ index: UInt32, submitted: UInt64, at number: UInt64) -> [String] {
        let age = number - submitted
        switch index % 12 {
        case 4: return age == 3 ? ["Cancelled"] : []
        case 11: return age == 3 ? ["Killed"] : []
        case 5: return age == 7 ? ["TimedOut"] : []
        case 3, 9:
            return [2: ["DecisionStarted"], 4: ["ConfirmStarted"], 5: ["ConfirmAborted"], 8: ["Rejected"]][age] ?? []
        default:
            return [2: ["DecisionStarted"], 4: ["ConfirmStarted"], 6: ["Confirmed", "Approved"]][age] ?? []
        }
    }

    static let endings: Set<String> = ["Approved", "Rejected", "Cancelled", "Killed", "TimedOut"]

    /// The referenda's alarms at block initialization, and the treasury's spend period.
    func governanceAlarms(_ block: inout BlockBuilder) throws {
        guard hasGovernance, governanceTracks.count == 2 else { return }
        let spenderTrack = governanceTracks[1].id
        for index in block.state.governance.ongoing.keys.sorted() {
            guard var referendum = block.state.governance.ongoing[index] else { continue }
            for name in Self.referendumCourse(index, submitted: referendum.submitted, at: block.number) {
                block.records.append(try referendaEvent(name, index: index, track: referendum.track, phase: .initialization))
                block.state.governance.events[referendum.track, default: [:]][name, default: 0] += 1
                switch name {
                case "DecisionStarted": referendum.decidingSince = block.number
                case "ConfirmStarted": referendum.confirmingSince = block.number
                case "ConfirmAborted": referendum.confirmingSince = nil
                default: break
                }
                if Self.endings.contains(name) {
                    block.state.governance.ended[index] = (name, block.number)
                    block.state.governance.ongoing[index] = nil
                    if name == "Approved", referendum.track == spenderTrack { try approveSpend(for: index, in: &block) }
                } else {
                    block.state.governance.ongoing[index] = referendum
                }
            }
        }
        try spendPeriodIfDue(&block)
    }

    /// A `Referenda` event: the index, the track where the event has one, plain values otherwise.
    private func referendaEvent(_ name: String, index: UInt32, track: UInt16, phase: EventRecord.Phase) throws -> EventRecord {
        try event("Referenda", name, ["index": .primitive(.u32(index)), "track": .primitive(.u16(track))], phase: phase)
    }

    /// The block's signed governance extrinsics: a submission every fourth block, votes every
    /// third, a delegation taken out or back every twentieth. Fees are fixed, not drawn.
    func governanceActivity(_ block: inout BlockBuilder) throws {
        let tracks = governanceTracks
        guard hasGovernance, tracks.count == 2 else { return }
        if block.number % 4 == 1 { try submitReferendum(on: tracks[Int(block.state.governance.count % 2)].id, in: &block) }
        if block.number % 3 == 0 { try vote(&block) }
        if block.number % 20 == 7 { try delegateOrTakeBack(on: tracks[0].id, in: &block) }
    }

    private func submitReferendum(on track: UInt16, in block: inout BlockBuilder) throws {
        let index = block.state.governance.count
        let signer = accounts[Int(index % 3)]
        guard spendable(0, by: signer, in: block.state) != nil else { return }
        try submit(try plainCall("Referenda", "submit", setting: [:]), by: signer, fee: 210_000_000, to: &block) { phase in
            [try referendaEvent("Submitted", index: index, track: track, phase: phase)]
        }
        block.state.governance.count += 1
        block.state.governance.ongoing[index] = .init(track: track, submitted: block.number)
        block.state.governance.events[track, default: [:]]["Submitted", default: 0] += 1
    }

    /// An account votes on the deciding referendum of lowest index, first removing its oldest
    /// vote on that track when it holds `votesKept` there.
    private func vote(_ block: inout BlockBuilder) throws {
        let deciding = block.state.governance.ongoing.filter { $0.value.decidingSince != nil }.keys.sorted()
        guard let poll = deciding.first, let track = block.state.governance.ongoing[poll]?.track else { return }
        let voter = accounts[Int(block.number / 3 % 3)]
        guard block.state.governance.delegations[voter]?[track] == nil, spendable(0, by: voter, in: block.state) != nil else { return }
        var held = block.state.governance.votes[voter]?[track] ?? []
        if held.count >= Self.votesKept, let oldest = held.first {
            let removal = try plainCall("ConvictionVoting", "remove_vote", setting: ["index": .primitive(.u32(oldest.poll))])
            try submit(removal, by: voter, fee: 150_000_000, to: &block) { phase in
                try convictionVotingEvent("VoteRemoved", who: voter, vote: oldest, phase: phase)
            }
            held.removeFirst()
            block.state.governance.votesRemoved += 1
        }
        let cast = GovernanceState.Vote(
            poll: poll, conviction: Int(block.number % 7), balance: UInt128(1 + block.number % 5) * 10_000_000_000_000, aye: block.number % 2 == 0)
        let call = try call("ConvictionVoting", "vote", ["poll_index": .number(poll), "vote": voteJSON(cast)])
        try submit(call, by: voter, fee: 170_000_000, to: &block) { phase in
            try convictionVotingEvent("Voted", who: voter, vote: cast, phase: phase)
        }
        // A vote again on the same poll replaces the earlier one.
        held.removeAll { $0.poll == poll }
        held.append(cast)
        block.state.governance.votes[voter, default: [:]][track] = held
        block.state.governance.voted += 1
    }

    /// `AccountVote::Standard`: the vote byte holds aye in its high bit, the conviction below.
    private func voteJSON(_ vote: GovernanceState.Vote) -> JSON {
        .object(["Standard": .object(["vote": .number(UInt8(vote.conviction) | (vote.aye ? 0x80 : 0)), "balance": .string(String(vote.balance))])])
    }

    /// `Voted` or `VoteRemoved`; none in runtimes before they existed (votes were calls only).
    private func convictionVotingEvent(_ name: String, who: [UInt8], vote: GovernanceState.Vote, phase: EventRecord.Phase) throws -> [EventRecord] {
        guard has("ConvictionVoting", event: name) else { return [] }
        return [try event("ConvictionVoting", name, json: [
            "who": [.string(Hex.encode(who))], "vote": [voteJSON(vote)], "poll_index": [.number(vote.poll)],
        ], phase: phase)]
    }

    /// The fourth account delegates its voting power on `track` to the first, or takes it back.
    private func delegateOrTakeBack(on track: UInt16, in block: inout BlockBuilder) throws {
        let delegator = accounts[3], target = accounts[0]
        guard spendable(0, by: delegator, in: block.state) != nil else { return }
        // Positional fields: (who, target[, class]) and (who[, class]), by runtime.
        func positional(_ name: String, _ values: [Value], phase: EventRecord.Phase) throws -> EventRecord {
            try event("ConvictionVoting", name, adjusting: { position, plain in
                position < values.count ? values[position] : plain.uint128 != nil ? .primitive(.u16(track)) : plain
            }, phase: phase)
        }
        if block.state.governance.delegations[delegator]?[track] == nil {
            let delegation = GovernanceState.Delegation(
                target: target, conviction: Int(block.number / 20 % 7), balance: UInt128(5 + block.number % 3) * 10_000_000_000_000)
            let call = try call("ConvictionVoting", "delegate", [
                "class": .number(track), "to": .object(["Id": .string(Hex.encode(target))]),
                "conviction": .string(Self.convictions[delegation.conviction]), "balance": .string(String(delegation.balance)),
            ])
            try submit(call, by: delegator, fee: 190_000_000, to: &block) { phase in
                [try positional("Delegated", [.bytes(delegator), .bytes(target)], phase: phase)]
            }
            block.state.governance.delegations[delegator, default: [:]][track] = delegation
            block.state.governance.delegated += 1
        } else {
            try submit(try call("ConvictionVoting", "undelegate", ["class": .number(track)]), by: delegator, fee: 140_000_000, to: &block) { phase in
                [try positional("Undelegated", [.bytes(delegator)], phase: phase)]
            }
            block.state.governance.delegations[delegator]?[track] = nil
            block.state.governance.undelegated += 1
        }
    }

    /// `Referenda.ReferendumCount`, `ReferendumInfoFor` (ongoing records with their track and
    /// decision status, ended ones as the runtime keeps them), `DecidingCount` per track, and
    /// `ConvictionVoting.VotingFor`.
    func writeGovernanceStorage(_ governance: GovernanceState, to storage: inout StorageWriter) throws {
        guard hasGovernance else { return }
        try storage.put("Referenda", "ReferendumCount", json: .number(governance.count))
        guard let infoType = metadata.storageEntry(pallet: "Referenda", item: "ReferendumInfoFor")?.valueType else { return }
        // The first variant is `Ongoing(ReferendumStatus)`; its option fields are read as JSON with their own types.
        guard case let .variant(ongoingVariant) = try metadata.types.defaultValue(of: infoType).kind, ongoingVariant.name == "Ongoing",
              ongoingVariant.fields.count == 1, let decidingType = ongoingVariant.fields[0].value.value(at: "deciding")?.typeID
        else { throw DevError(description: "ReferendumInfo does not start with Ongoing(ReferendumStatus { deciding, … })") }
        var deciding = [UInt16: UInt32]()
        for (index, referendum) in governance.ongoing {
            let decision: JSON = referendum.decidingSince.map { since in
                .object(["since": .number(since), "confirming": referendum.confirmingSince.map { .number($0) } ?? .null])
            } ?? .null
            guard let status = ongoingVariant.fields[0].value.replacing("track", with: .primitive(.u16(referendum.track)))?
                .replacing("submitted", with: .primitive(.u32(UInt32(referendum.submitted))))?
                .replacing("deciding", with: try reader.read(decision, as: decidingType))
            else { throw DevError(description: "ReferendumStatus has no track or submitted") }
            var info = ongoingVariant
            info.fields[0].value = status
            try storage.put("Referenda", "ReferendumInfoFor", keys: [.primitive(.u32(index))], Value(.variant(info), typeID: infoType))
            if referendum.decidingSince != nil { deciding[referendum.track, default: 0] += 1 }
        }
        for (index, ended) in governance.ended {
            // `Approved(since, submission deposit, decision deposit)` and the like; `Killed(since)`.
            let fields: JSON = ended.outcome == "Killed" ? .number(ended.since) : .array([.number(ended.since), .null, .null])
            try storage.put("Referenda", "ReferendumInfoFor", keys: [.number(index)], json: .object([JSON.Member(ended.outcome, fields)]))
        }
        for track in governanceTracks { try storage.put("Referenda", "DecidingCount", keys: [.number(track.id)], json: .number(deciding[track.id, default: 0])) }
        for (account, byTrack) in governance.votes {
            for (track, votes) in byTrack {
                let cast = JSON.array(votes.map { .array([.number($0.poll), voteJSON($0)]) })
                try storage.put("ConvictionVoting", "VotingFor", keys: [.string(Hex.encode(account)), .number(track)], json: .object(["Casting": .object([
                    "votes": cast, "delegations": .object(["votes": .number(0), "capital": .number(0)]), "prior": .array([.number(0), .number(0)]),
                ])]))
            }
        }
        for (account, byTrack) in governance.delegations {
            for (track, delegation) in byTrack {
                try storage.put("ConvictionVoting", "VotingFor", keys: [.string(Hex.encode(account)), .number(track)], json: .object(["Delegating": .object([
                    "balance": .string(String(delegation.balance)), "target": .string(Hex.encode(delegation.target)),
                    "conviction": .string(Self.convictions[delegation.conviction]),
                    "delegations": .object(["votes": .number(0), "capital": .number(0)]), "prior": .array([.number(0), .number(0)]),
                ])]))
            }
        }
    }
}
