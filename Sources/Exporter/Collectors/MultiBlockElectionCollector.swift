import Synchronization
import Substrate

/// The multi-block election of staking-async runtimes (`MultiBlockElection` and its verifier):
/// - the current phase (`phase`, one series labelled with it) and the round;
/// - the snapshot: its voter pages present (`PagedVoterSnapshotHash`), and once it is complete
///   (any phase after `Snapshot` but `Off`), the voters and targets in it;
/// - the targets to elect (`DesiredTargets`) and the queued solution's score
///   (`MultiBlockElectionVerifier.QueuedSolutionScore`), while the round has them.
/// A complete snapshot does not change within its round, so each page is read once and its
/// length kept: reading every page at every block would cost megabytes on Polkadot.
struct MultiBlockElectionCollector: Collector {
    static let pallet = "MultiBlockElection"
    static let verifier = "MultiBlockElectionVerifier"
    static let spec = CollectorSpec(
        name: "multi_block_election",
        values: [
            "phase": ["phase"], "round": [], "desired_targets": [], "snapshot_pages": [], "snapshot_voters": [], "snapshot_targets": [],
            "queued_minimal_stake": [], "queued_sum_stake": [], "queued_sum_stake_squared": [],
        ],
        defaultValue: "phase",
        pallets: [pallet]
    ) { metadata throws(CollectorError) in
        let storage = CollectorStorage(collector: "multi_block_election", metadata: metadata)
        for item in ["Round", "CurrentPhase", "DesiredTargets", "PagedVoterSnapshot", "PagedVoterSnapshotHash", "PagedTargetSnapshot"]
        where !storage.has(pallet, item) {
            return .missing("multi_block_election: the runtime has no \(pallet).\(item)")
        }
        guard let pages = try storage.constant(pallet, "Pages").uint64.flatMap({ UInt32(exactly: $0) }), (1...1024).contains(pages) else {
            throw storage.fail("\(pallet).Pages is not a page count")
        }
        return .bound(MultiBlockElectionCollector(
            storage: storage, pages: pages, roundKey: try storage.key(pallet, "Round"), phaseKey: try storage.key(pallet, "CurrentPhase"),
            hasScore: storage.has(verifier, "QueuedSolutionScore")))
    }

    let storage: CollectorStorage
    let pages: UInt32
    let roundKey: String
    let phaseKey: String
    let hasScore: Bool
    private let pageLengths = PageLengths()
    private let roundKeys = RoundKeyCache()

    private final class RoundKeyCache: Sendable {
        let keys = Mutex<[UInt32: RoundKeys]>([:])
    }

    /// A round's storage keys, the same at each of its blocks, so built once per round (with
    /// 32 pages, building them took a tenth of history's CPU): what is desired, the queued score,
    /// and each snapshot page's hash and entries.
    private struct RoundKeys: Sendable {
        let desiredTargets: String
        let score: String?
        let snapshotHashes: [String]
        let snapshotPages: [PageLengths.Page: String]
    }

    private func keys(_ round: UInt32) throws(CollectorError) -> RoundKeys {
        if let known = roundKeys.keys.withLock({ $0[round] }) { return known }
        var snapshotPages = [PageLengths.Page: String]()
        for item in ["PagedVoterSnapshot", "PagedTargetSnapshot"] {
            for page in 0..<pages { snapshotPages[PageLengths.Page(item: item, round: round, page: page)] = try pageKey(item, round, page) }
        }
        let keys = RoundKeys(
            desiredTargets: try roundKey(Self.pallet, "DesiredTargets", round),
            score: hasScore ? try roundKey(Self.verifier, "QueuedSolutionScore", round) : nil,
            snapshotHashes: try (0..<pages).map { page throws(CollectorError) in try pageKey("PagedVoterSnapshotHash", round, page) },
            snapshotPages: snapshotPages)
        roundKeys.keys.withLock { cache in
            // History loads chunks far apart in parallel, each a round at a time: room for all of
            // them, emptied now and then (a round's keys are a few kilobytes).
            if cache.count >= 64 { cache.removeAll() }
            cache[round] = keys
        }
        return keys
    }

    /// The number of voters or targets in each page of a complete snapshot, by round.
    private final class PageLengths: Sendable {
        struct Page: Hashable {
            let item: String
            let round: UInt32
            let page: UInt32
        }

        let lengths = Mutex<[Page: UInt128]>([:])
    }

    /// Phases in which the snapshot is complete.
    static let snapshotComplete: Set<String> = ["Signed", "SignedValidation", "Unsigned", "Done", "Export"]

    var storageKeys: [String] { [roundKey, phaseKey] }

    private func roundAndPhase(_ block: BlockContext) throws(CollectorError) -> (round: UInt32, phase: String) {
        let round = UInt32(truncatingIfNeeded: try storage.number(try storage.value(Self.pallet, "Round", key: roundKey, in: block), what: "\(Self.pallet).Round"))
        guard let phase = try storage.value(Self.pallet, "CurrentPhase", key: phaseKey, in: block)?.variantName else {
            throw storage.fail("\(Self.pallet).CurrentPhase at block \(block.number) is not a phase")
        }
        return (round, phase)
    }

    private func pageKey(_ item: String, _ round: UInt32, _ page: UInt32) throws(CollectorError) -> String {
        try storage.key(Self.pallet, item, [.primitive(.u32(round)), .primitive(.u32(page))])
    }

    private func roundKey(_ pallet: String, _ item: String, _ round: UInt32) throws(CollectorError) -> String {
        try storage.key(pallet, item, [.primitive(.u32(round))])
    }

    /// The snapshot pages whose length is not known yet.
    private func unknownPages(_ round: UInt32) -> [PageLengths.Page] {
        let known = pageLengths.lengths.withLock { $0 }
        return ["PagedVoterSnapshot", "PagedTargetSnapshot"].flatMap { item in
            (0..<pages).map { PageLengths.Page(item: item, round: round, page: $0) }.filter { known[$0] == nil }
        }
    }

    func followUpKeys(_ block: BlockContext) throws(CollectorError) -> [String] {
        let (round, phase) = try roundAndPhase(block)
        guard phase != "Off" else { return [] }
        let roundKeys = try keys(round)
        var keys = [roundKeys.desiredTargets] + (roundKeys.score.map { [$0] } ?? []) + roundKeys.snapshotHashes
        if Self.snapshotComplete.contains(phase) {
            keys += unknownPages(round).compactMap { roundKeys.snapshotPages[$0] }
        }
        return keys
    }

    func collect(_ block: BlockContext) throws(CollectorError) -> [Sample] {
        let (round, phase) = try roundAndPhase(block)
        var samples = [
            Sample(metric: "phase", labels: [Sample.Label("phase", phase)], value: SampleValue(1)),
            Sample(metric: "round", value: SampleValue(UInt128(round))),
        ]
        // Off: no snapshot (the last round's was cleared), nothing desired or queued.
        guard phase != "Off" else { return samples + [Sample(metric: "snapshot_pages", value: SampleValue(0))] }
        let roundKeys = try keys(round)
        if let desired = try storage.value(Self.pallet, "DesiredTargets", key: roundKeys.desiredTargets, in: block) {
            samples.append(Sample(metric: "desired_targets", value: SampleValue(try storage.number(desired, what: "\(Self.pallet).DesiredTargets[\(round)]"))))
        }
        var present: UInt128 = 0
        for key in roundKeys.snapshotHashes where try storage.value(Self.pallet, "PagedVoterSnapshotHash", key: key, in: block) != nil {
            present += 1
        }
        samples.append(Sample(metric: "snapshot_pages", value: SampleValue(present)))
        if Self.snapshotComplete.contains(phase) {
            for page in unknownPages(round) {
                guard let key = roundKeys.snapshotPages[page] else { continue }
                let value = try storage.value(Self.pallet, page.item, key: key, in: block)
                var length: UInt128 = 0
                if let value {
                    guard case let .sequence(entries) = (value.unwrappedNewtype ?? value).kind else {
                        throw storage.fail("\(Self.pallet).\(page.item)[\(round), \(page.page)] is not a list")
                    }
                    length = UInt128(entries.count)
                }
                pageLengths.lengths.withLock { lengths in
                    // Rounds far from this one are not asked for again (history goes backwards).
                    if lengths.count >= 8 * Int(pages) { lengths = lengths.filter { max($0.key.round, round) - min($0.key.round, round) <= 2 } }
                    lengths[page] = length
                }
            }
            let lengths = pageLengths.lengths.withLock { $0 }
            for (item, metric) in [("PagedVoterSnapshot", "snapshot_voters"), ("PagedTargetSnapshot", "snapshot_targets")] {
                let total = (0..<pages).reduce(UInt128(0)) { $0 + (lengths[PageLengths.Page(item: item, round: round, page: $1)] ?? 0) }
                samples.append(Sample(metric: metric, value: SampleValue(total)))
            }
        }
        if let scoreKey = roundKeys.score, let score = try storage.value(Self.verifier, "QueuedSolutionScore", key: scoreKey, in: block) {
            for (field, metric) in [("minimal_stake", "queued_minimal_stake"), ("sum_stake", "queued_sum_stake"), ("sum_stake_squared", "queued_sum_stake_squared")] {
                samples.append(Sample(metric: metric, value: SampleValue(try storage.number(score, field, what: "\(Self.verifier).QueuedSolutionScore[\(round)]"))))
            }
        }
        return samples
    }
}
