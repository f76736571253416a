import ExactJSON
import SCALE
import Substrate
import Synchronization

/// A deterministic synthetic chain on a real runtime's metadata: every block is a pure function
/// of the seed and its number (and of the blocks before it, which are just as deterministic).
/// `DevRuntime` builds each block with the metadata of the runtime that executes it.
actor DevChain {
    struct Block: Sendable {
        let number: UInt64
        let hash: String
        let header: BlockHeader
        let extrinsics: [[UInt8]]
        /// Every storage value at this block, by `0x` key.
        let storage: [String: [UInt8]]
        let state: DevRuntime.State

        var headerJSON: JSON {
            .object([
                "parentHash": .string(Hex.encode(header.parentHash)),
                "number": .string("0x" + String(header.number, radix: 16)),
                "stateRoot": .string(Hex.encode(header.stateRoot)),
                "extrinsicsRoot": .string(Hex.encode(header.extrinsicsRoot)),
                "digest": .object(["logs": .array(header.digest.map { item in
                    var encoder = SCALEEncoder()
                    item.encode(into: &encoder)
                    return .string(Hex.encode(encoder.bytes))
                })]),
            ])
        }
    }

    struct Configuration: Sendable {
        var seed: UInt64
        var genesisTimeMilliseconds: UInt64
        /// Time between two blocks' timestamps.
        var blockTime: Duration
        var finalityLag: UInt64
        /// Finality advances in steps of this many blocks (1: every block), as GRANDPA does when
        /// it catches up several blocks at once.
        var finalityStep: UInt64 = 1
        var transfersPerBlock: Int
    }

    /// Runtimes by the first block they produce; the first starts at genesis.
    nonisolated let schedule: [(from: UInt64, runtime: DevRuntime)]
    let configuration: Configuration
    private(set) var blocks: [Block] = []
    private var numberByHash: [String: UInt64] = [:]
    /// Followers of new heads; a stream dropped removes itself at once, outside the actor.
    private let subscribers = HeadFollowers()
    private var nextSubscriber = 0

    init(schedule: [(from: UInt64, runtime: DevRuntime)], configuration: Configuration) throws {
        precondition(schedule.first?.from == 0, "the first runtime starts at genesis")
        self.schedule = schedule
        self.configuration = configuration
        let genesis = try schedule[0].runtime.genesis(seed: configuration.seed)
        blocks = [genesis]
        numberByHash[genesis.hash] = 0
    }

    var head: Block { blocks[blocks.count - 1] }

    /// The runtime that executes block `number`.
    nonisolated func runtime(executing number: UInt64) -> DevRuntime {
        schedule.last { $0.from <= number }!.runtime
    }

    /// The runtime in the state after block `number`, which is what `state_getRuntimeVersion` and
    /// `state_getMetadata` at that block answer: the one that executes the next block. (A runtime
    /// upgrade is set in the block before the first block the new runtime executes.)
    nonisolated func runtime(at number: UInt64) -> DevRuntime {
        runtime(executing: number + 1)
    }

    var finalized: Block { finalized(whenHeadIs: head.number) }

    /// The finalized block at the time `number` was the head (each head produced moves finality
    /// on, so followers see every step even when blocks come in a burst).
    func finalized(whenHeadIs number: UInt64) -> Block {
        let lagging = number > configuration.finalityLag ? number - configuration.finalityLag : 0
        let step = max(configuration.finalityStep, 1)
        return blocks[Int(min(lagging / step * step, head.number))]
    }

    func block(number: UInt64) -> Block? {
        number < blocks.count ? blocks[Int(number)] : nil
    }

    func block(hash: String) -> Block? {
        numberByHash[hash.lowercased()].map { blocks[Int($0)] }
    }

    /// Produces blocks up to `number` (history at start, then one per block time).
    func advance(to number: UInt64) throws {
        while head.number < number {
            let number = head.number + 1
            let producer = runtime(executing: number)
            let next = try producer.block(
                after: head, configuration: configuration,
                setsCode: runtime(executing: number + 1).version != producer.version,
                enactsUpgrade: runtime(executing: number - 1).version != producer.version
            )
            blocks.append(next)
            numberByHash[next.hash] = next.number
            for continuation in subscribers.continuations.withLock({ Array($0.values) }) { continuation.yield(next) }
        }
    }

    /// The current head and every head produced after it, taken together so none is missed
    /// or repeated.
    func headAndLaterHeads() -> (head: Block, later: AsyncStream<Block>) {
        (head, heads())
    }

    /// New heads as they are produced.
    func heads() -> AsyncStream<Block> {
        let (stream, continuation) = AsyncStream<Block>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let id = nextSubscriber
        nextSubscriber += 1
        subscribers.continuations.withLock { $0[id] = continuation }
        continuation.onTermination = { [subscribers] _ in
            subscribers.continuations.withLock { _ = $0.removeValue(forKey: id) }
        }
        return stream
    }
}

/// The streams of new heads handed out, each removed as its follower drops it.
private final class HeadFollowers: Sendable {
    let continuations = Mutex([Int: AsyncStream<DevChain.Block>.Continuation]())
}
