import ExactJSON
import SCALE
import Substrate

/// The bags-list of voters (`VoterList`): each validator and nominator sits in the bag of its
/// score (its bonded stake) when it joins, and is not moved when its stake changes later, so
/// some end up in the wrong bag and need a rebag.
extension DevRuntime {
    /// Upper bounds of the bags (`VoterList.BagThresholds`); the last bag takes everything above.
    var bagThresholds: [UInt64] {
        guard case let .sequence(items)? = constant("VoterList", "BagThresholds")?.kind else { return [] }
        return items.compactMap(\.uint64)
    }

    /// The bag a score belongs in: the first threshold at or above it.
    static func bag(for score: UInt64, thresholds: [UInt64]) -> UInt64 {
        thresholds.first { $0 >= score } ?? UInt64.max
    }

    /// A voter's score: its bonded stake, as the vote weight (the devnode's issuance stays far
    /// below u64::MAX, so the conversion factor is 1).
    static func score(_ bonded: UInt128) -> UInt64 { UInt64(clamping: bonded) }

    /// Puts voters that are not in the list yet into the bag of their current score.
    func placeNewVoters(_ state: inout State) {
        guard metadata.pallet(named: "VoterList") != nil else { return }
        let thresholds = bagThresholds
        let voters = state.staking.validators + Array(state.staking.nominations.keys)
        for voter in voters where state.voterBags[voter] == nil {
            state.voterBags[voter] = Self.bag(for: Self.score(state.staking.bonded[voter, default: 0]), thresholds: thresholds)
        }
    }

    func writeVoterList(_ state: State, to storage: inout StorageWriter) throws {
        guard metadata.pallet(named: "VoterList") != nil, storage.has("VoterList", "ListNodes") else { return }
        var bags = [UInt64: [[UInt8]]]()
        for (voter, bag) in state.voterBags.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) { bags[bag, default: []].append(voter) }
        for (bag, voters) in bags {
            for voter in voters {
                var fields: [(String, Value)] = [("id", .bytes(voter)), ("bag_upper", .primitive(.u64(bag)))]
                // Newer runtimes keep the score the node was last placed with.
                if storage.has("VoterList", "ListNodes", field: "score") { fields.append(("score", .primitive(.u64(Self.score(state.staking.bonded[voter, default: 0]))))) }
                try storage.put("VoterList", "ListNodes", keys: [.string(Hex.encode(voter))], fields: fields)
            }
            try storage.put("VoterList", "ListBags", keys: [.string(String(bag))], setting: [
                "head": .variant("Some", index: 1, [.init(name: nil, value: .bytes(voters[0]))]),
                "tail": .variant("Some", index: 1, [.init(name: nil, value: .bytes(voters[voters.count - 1]))]),
            ])
        }
        if storage.has("VoterList", "CounterForListNodes") { try storage.put("VoterList", "CounterForListNodes", json: .number(state.voterBags.count)) }
    }
}
