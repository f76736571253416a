import SubstrateRPC
import Substrate

/// Following's catch-up as plain state, without I/O: which block comes next, which hashes to
/// ask for, what to fetch ahead, and what a failure means. `ChainFollower` feeds it the heads
/// notified and what came of each step, and does what it says.
///
/// Every block after the last one processed is processed, once and in order, up to the head
/// notified: when finality jumps from N to N+5 the blocks between are processed too; a head at
/// or below the last one processed (a best head reorganised away) changes nothing. Hashes come
/// in array calls of up to 256, the head's from its notification. While the runtime is known,
/// up to `depth` blocks are fetched ahead of the one processed; a block that sets new code
/// makes those stale. A damaged answer is asked again at once, up to twice, before following
/// stops (and resumes after a pause): processing a block changes nothing until it has all it
/// needs, so asking again is safe.
struct CatchUpPlan: Sendable {
    static let hashBatch: UInt64 = 256
    static let depth: UInt64 = 8
    static let immediateRetries = 2

    private(set) var lastProcessed: UInt64?
    /// The head to reach, and its hash when its notification gave one.
    private(set) var head: (number: UInt64, hash: String?)?
    private var hashes: [UInt64: String] = [:]
    private var fetching: Set<UInt64> = []
    private var attempts = 0
    /// The block being asked for again: fetched by processing itself, not ahead.
    private var askingAgain: UInt64?
    /// Until a block is processed, and after one that set new code, the keys to fetch are unknown.
    private(set) var runtimeMayChange = true

    enum Action: Equatable, Sendable {
        /// Ask for these blocks' hashes (one array call), then `hashesAnswered`.
        case askHashes([UInt64])
        /// Start fetching these blocks (block and storage) ahead of processing.
        case fetchAhead([Block])
        /// Process the block, with what was fetched ahead for it if anything; then `processed` or `failed`.
        case process(Block, prefetched: Bool, attempt: Int)
        /// Caught up with the head.
        case done
    }

    struct Block: Equatable, Sendable {
        let number: UInt64
        let hash: String
        /// The hash was computed from the notified header, not answered by the node: a node
        /// that does not know it is asked for the block's hash instead.
        let hashFromHeader: Bool
    }

    /// What to do about a block that failed.
    enum Decision: Equatable, Sendable {
        /// Ask for it again after this pause, without what was fetched ahead.
        case askAgain(after: Duration)
        /// Stop following; it resumes after a pause, from the block after the last processed.
        case stop
    }

    init(lastProcessed: UInt64? = nil, runtimeMayChange: Bool = true) {
        (self.lastProcessed, self.runtimeMayChange) = (lastProcessed, runtimeMayChange)
    }

    /// A head was notified (finalized, or best when following best heads): the one to reach
    /// now. Hashes are asked afresh, as best heads may have been reorganised since.
    mutating func notified(head number: UInt64, hash: String?) {
        head = (number, hash)
        hashes = [:]
        if let hash { hashes[number] = hash }
    }

    /// The block processed next: the one after the last, or the head itself at start.
    var nextNumber: UInt64? {
        guard let head else { return nil }
        return lastProcessed.map { $0 + 1 } ?? head.number
    }

    mutating func nextAction() -> Action {
        guard let head, let next = nextNumber, next <= head.number else { return .done }
        guard let hash = hashes[next] else {
            let last = min(head.number, next + Self.hashBatch - 1)
            return .askHashes((next...last).filter { hashes[$0] == nil })
        }
        if !runtimeMayChange {
            let ahead = (next...min(head.number, next + Self.depth - 1)).compactMap { number in
                hashes[number].flatMap { fetching.contains(number) || number == askingAgain ? nil : block(number, $0) }
            }
            if !ahead.isEmpty {
                fetching.formUnion(ahead.map(\.number))
                return .fetchAhead(ahead)
            }
        }
        return .process(block(next, hash), prefetched: fetching.contains(next), attempt: attempts)
    }

    private func block(_ number: UInt64, _ hash: String) -> Block {
        Block(number: number, hash: hash, hashFromHeader: number == head?.number && head?.hash == hash)
    }

    /// The node's answer to `askHashes`: a block it lacks below the head is a damaged answer.
    mutating func hashesAnswered(_ numbers: [UInt64], _ answered: [String?]) throws(NodeAnswerError) {
        for (number, hash) in zip(numbers, answered) {
            guard let hash else { throw NodeAnswerError.missingBlock(number, belowFinalized: head?.number) }
            hashes[number] = hash
        }
        if answered.count < numbers.count, let number = numbers.dropFirst(answered.count).first {
            throw NodeAnswerError.missingBlock(number, belowFinalized: head?.number)
        }
    }

    /// The block is processed. Returns the blocks whose fetch ahead is now stale (it set new
    /// code, so the keys read ahead may be wrong): to cancel.
    mutating func processed(_ number: UInt64, setNewCode: Bool) -> [UInt64] {
        lastProcessed = number
        hashes[number] = nil
        fetching.remove(number)
        (attempts, askingAgain) = (0, nil)
        runtimeMayChange = setNewCode
        guard setNewCode else { return [] }
        defer { fetching = [] }
        return fetching.sorted()
    }

    /// The block failed with `error`: asked again when the answer came damaged and tries are left.
    mutating func failed(_ number: UInt64, _ error: any Error) -> Decision {
        fetching.remove(number)
        guard attempts < Self.immediateRetries, Self.isDamagedAnswer(error) else {
            // Following stops: what was fetched ahead is dropped, and hashes asked again on resuming.
            (attempts, askingAgain) = (0, nil)
            fetching = []
            return .stop
        }
        attempts += 1
        askingAgain = number
        return .askAgain(after: .milliseconds(100 * attempts))
    }

    /// An answer of the node that came damaged or refused, as opposed to a transport failure
    /// (which the transport retries), a store that fails, or cancellation.
    static func isDamagedAnswer(_ error: any Error) -> Bool {
        switch error {
        case let error as RPCError:
            if case .rpc = error.kind { return true }
            return error.kind == .malformedAnswer
        case is ListingDamaged, is NodeAnswerError, is MetadataError: return true
        default: return false
        }
    }
}
