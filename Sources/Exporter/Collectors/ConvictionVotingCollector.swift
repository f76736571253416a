import Substrate

/// Tokens behind OpenGov votes, by conviction, from every `ConvictionVoting.VotingFor` record
/// (one per account and track): `votes`, the balance of each vote an account has cast and not
/// removed (standard votes at their conviction, split and abstaining votes, which carry none,
/// as `None`); `delegations`, the balance each delegating account lends, at its conviction.
/// An account voting on several referenda of a track locks its largest vote once, so `votes`
/// is the capital voted, which is above the tokens locked. Every conviction has a value, 0
/// included. Reads the whole map, so it runs on a schedule.
struct ConvictionVotingCollector: ScheduledCollector {
    static let convictions = ["None", "Locked1x", "Locked2x", "Locked3x", "Locked4x", "Locked5x", "Locked6x"]

    static let spec = CollectorSpec(
        name: "conviction_voting", values: ["votes": ["conviction"], "delegations": ["conviction"]], defaultValue: "votes", pallets: ["ConvictionVoting"]
    ) { metadata throws(CollectorError) in
        let storage = CollectorStorage(collector: "conviction_voting", metadata: metadata)
        guard storage.has("ConvictionVoting", "VotingFor") else { return .missing("conviction_voting: the runtime has no ConvictionVoting.VotingFor") }
        return .scheduled(ConvictionVotingCollector(storage: storage))
    }

    let storage: CollectorStorage

    func collect(_ state: StateReader, _ block: BlockContext) async throws -> [Sample] {
        var votes = [String: UInt128]()
        var delegations = [String: UInt128]()
        try await storage.forEachEntry("ConvictionVoting", "VotingFor", state: state, block: block) { key, voting in
            switch voting.variantName {
            case "Casting":
                guard case let .sequence(cast)? = voting.value(at: "Casting.votes")?.kind else {
                    throw storage.fail("ConvictionVoting.VotingFor entry \(key.suffix(8)) casts no list of votes")
                }
                for pair in cast {
                    let (conviction, capital) = try Self.capital(of: pair.value(at: "1"), storage: storage)
                    try Self.add(capital, to: &votes[conviction, default: 0], storage: storage)
                }
            case "Delegating":
                let conviction = voting.value(at: "Delegating.conviction")?.variantName ?? "None"
                let balance = try storage.number(voting.value(at: "Delegating.balance"), what: "a delegation's balance")
                try Self.add(balance, to: &delegations[conviction, default: 0], storage: storage)
            default:
                throw storage.fail("ConvictionVoting.VotingFor entry \(key.suffix(8)) is neither Casting nor Delegating (\(voting.variantName ?? "?"))")
            }
        }
        let named = Self.convictions + Set(votes.keys).union(delegations.keys).subtracting(Self.convictions).sorted()
        return named.flatMap { conviction in
            let label = [Sample.Label("conviction", conviction)]
            return [
                Sample(metric: "votes", labels: label, value: SampleValue(votes[conviction, default: 0])),
                Sample(metric: "delegations", labels: label, value: SampleValue(delegations[conviction, default: 0])),
            ]
        }
    }

    /// A vote's conviction and balance: `Standard { vote, balance }`, whose vote byte holds the
    /// conviction in its low seven bits (the high bit is aye), or a split vote's parts added up.
    static func capital(of vote: Value?, storage: CollectorStorage) throws(CollectorError) -> (String, UInt128) {
        switch vote?.variantName {
        case "Standard":
            let byte = try storage.number(vote?.value(at: "Standard.vote"), what: "a standard vote")
            let level = Int(byte & 0x7f)
            let conviction = convictions.indices.contains(level) ? convictions[level] : "Locked\(level)x"
            return (conviction, try storage.number(vote?.value(at: "Standard.balance"), what: "a standard vote's balance"))
        case "Split", "SplitAbstain":
            var total: UInt128 = 0
            for part in ["aye", "nay", "abstain"] {
                guard let amount = vote?.value(at: "\(vote?.variantName ?? "").\(part)") else { continue }
                try add(try storage.number(amount, what: "a split vote's \(part)"), to: &total, storage: storage)
            }
            return ("None", total)
        default:
            throw storage.fail("a vote is \(vote?.variantName ?? "missing"), not Standard, Split or SplitAbstain")
        }
    }

    static func add(_ amount: UInt128, to total: inout UInt128, storage: CollectorStorage) throws(CollectorError) {
        let (sum, overflow) = total.addingReportingOverflow(amount)
        guard !overflow else { throw storage.fail("capital voted passes 2^128", .overflow) }
        total = sum
    }
}
