import ExactJSON
public import Logging
import SCALE
import Substrate
public import SubstrateRPC

/// Where loaded history goes: the chunks already loaded (per metric and version, so a version
/// bump reloads one metric only), and claims on chunks, so that several processes share a range.
public protocol HistorySink: Sendable {
    func loadedChunks(chain: String) async throws -> Set<HistoryChunk>
    /// Holds a chunk for this process; nil when another holds it and `wait` is false.
    func claim(chain: String, chunk: ClosedRange<UInt64>, wait: Bool) async throws -> (any HistoryClaim)?
}

/// A chunk this process holds until it writes it, records its failure or releases it.
public protocol HistoryClaim: Sendable {
    /// What is loaded in the chunk now (another process may have loaded it meanwhile).
    func loaded() async throws -> Set<HistoryChunk>
    /// The chunk's samples and its record, in one transaction: loaded for each of `metrics`
    /// that gave a sample at every block it was evaluated at, failed for those that failed at
    /// some block (the blocks' `failures`), with the other metrics' rows written all the same.
    func write(metrics: [MetricDefinition], blocks: [HistoryBlock]) async throws
    /// Recorded with why: never marked loaded, tried again by the next run.
    func recordFailure(metrics: [MetricDefinition], error: String) async throws
    func release() async
}

/// A chunk loaded for one metric at one version, named by its first block.
public struct HistoryChunk: Sendable, Hashable {
    public let metric: String
    public let version: String
    public let firstBlock: UInt64

    public init(metric: String, version: String, firstBlock: UInt64) {
        self.metric = metric
        self.version = version
        self.firstBlock = firstBlock
    }
}

/// One block's samples for the store, and the metrics that gave none at it.
public struct HistoryBlock: Sendable {
    public let number: UInt64
    public let timestampMilliseconds: UInt64?
    public let samples: [Sample]
    public var failures: [MetricFailure] = []
    /// The runtime that executed the block.
    public var specVersion: UInt32 = 0
}

/// Loads finalized history into a `HistorySink`, newest chunk first. Chunks are aligned to
/// multiples of `chunkSize`, so a restart with the same or another range finds the chunks
/// already loaded; a chunk is written whole or not at all. Each block is decoded with the
/// runtime that executed it: a chunk's runtime is asked for at its two ends, and block by block
/// only in the rare chunk holding an upgrade. Blocks and their storage are fetched with
/// `concurrency` blocks in flight, and a chunk is evaluated and written while the next one is
/// fetched. Each chunk is claimed first, so processes sharing a store share a range: a chunk
/// another holds comes back at the end and is waited for. Every RPC step is retried; a chunk
/// that still fails is recorded as failed with its error, the range goes on, and the run ends
/// with an error naming the failed chunks (a rerun tries them again). A metric that fails to
/// evaluate at a block (a value that does not decode) costs its own rows only: the chunk is
/// written with the other metrics, and recorded as failed for that metric alone. Storage maps
/// and scheduled collectors are read at the blocks their schedule names (`ScheduleClock`), of
/// each such block's state, as following reads them.
public struct HistoryLoader: Sendable {
    public let chain: String
    public let client: SubstrateRPCClient
    public let definitions: [MetricDefinition]
    public let sink: any HistorySink
    public let logger: Logger
    public var chunkSize: UInt64 = 500
    public var concurrency = 8

    public struct Progress: Sendable {
        public let chunk: ClosedRange<UInt64>
        public let chunksDone: Int
        public let chunks: Int
        public let blocksLoaded: UInt64
        /// Blocks of the range still to go (loaded or failed chunks excluded).
        public let blocksLeft: UInt64
        public let outcome: ChunkOutcome
        /// Chunks that failed so far.
        public let failures: Int
        /// The chunk's metric failures, block by block (a written chunk's failing metrics are
        /// recorded as failed in it, the other metrics as loaded).
        public var metricFailures: [BlockFailure] = []
    }

    /// A metric that gave no sample at one block of history.
    public struct BlockFailure: Sendable {
        public let block: UInt64
        public let specVersion: UInt32
        public let failure: MetricFailure
    }

    public enum ChunkOutcome: Sendable, Equatable {
        case loaded
        case alreadyLoaded
        /// By another process sharing the range.
        case loadedElsewhere
        case failed(String)
    }

    /// Tries an RPC step again on failure (see `Retry`).
    static func retrying<T>(_ step: () async throws -> T) async throws -> T {
        try await Retry.step(step)
    }

    /// Why a load ends without every chunk loaded (a node's damaged answers are `NodeAnswerError`).
    public enum LoadError: Error, Sendable, CustomStringConvertible {
        case nothingToLoad(from: UInt64, to: UInt64)
        /// Chunks that still failed after retries, recorded as failed: a rerun tries them again.
        case chunksFailed(count: Int, first: String)
        case finalizedHeadWithoutNumber

        public var description: String {
            switch self {
            case let .nothingToLoad(from, to): "nothing to load between blocks \(from) and \(to)"
            case let .chunksFailed(count, first): "\(count) chunk(s) failed and were recorded as failed (run again to retry them); first: \(first)"
            case .finalizedHeadWithoutNumber: "the node's finalized head has no number"
            }
        }
    }

    /// The number of the node's finalized head: where a range without an end ends.
    public func finalizedHead() async throws -> UInt64 {
        let client = client
        let header = try await Self.retrying { try await client.chainGetHeader(try await client.chainGetFinalizedHead()) }
        guard let number = header["number"]?.uint64Value else {
            throw LoadError.finalizedHeadWithoutNumber
        }
        return number
    }

    public init(chain: String, client: SubstrateRPCClient, definitions: [MetricDefinition], sink: any HistorySink, logger: Logger) {
        self.chain = chain
        self.client = client
        self.definitions = definitions.filter(Self.loadable)
        self.sink = sink
        self.logger = logger
    }

    /// Whether history can load a definition: all but the best block's number, which is news
    /// of the moment only.
    static func loadable(_ definition: MetricDefinition) -> Bool {
        definition.sources.allSatisfy { source in
            if case .header(.bestNumber) = source { return false }
            return true
        }
    }

    public func load(from: UInt64, to: UInt64, progress: @escaping @Sendable (Progress) -> Void = { _ in }) async throws {
        let from = max(from, 1)  // the genesis block executes nothing
        guard from <= to else { throw LoadError.nothingToLoad(from: from, to: to) }
        let client = client
        let decimals = try ChainToken(try ChainProperties(json: try await Self.retrying { try await client.systemProperties() })).decimals
        let loaded = try await sink.loadedChunks(chain: chain)
        var plan = HistoryPlan(from: from, to: to, chunkSize: chunkSize)
        var runtimes = RuntimeCache(chain: chain, client: client, definitions: definitions, use: .history, logger: logger)
        var failureLog = MetricFailureLog()
        // The chunk being evaluated and written while the next one is fetched, whose task gives
        // its metric failures: one at a time, in order.
        var writing: (chunk: ClosedRange<UInt64>, task: Task<[BlockFailure], any Error>)?
        func finish(_ pending: (chunk: ClosedRange<UInt64>, task: Task<[BlockFailure], any Error>)?) async throws {
            guard let (chunk, task) = pending else { return }
            let metricFailures = try await task.value
            for failed in metricFailures {
                for failure in failureLog.record([failed.failure], block: failed.block, specVersion: failed.specVersion) {
                    logger.warning("""
                        \(chain): \(failure.metric) gave no sample at block \(failed.block) (runtime \(failed.specVersion)): \(failure.message) \
                        [\(failure.reason.rawValue)]; its chunks are recorded as failed, the other metrics are loaded
                        """)
                }
            }
            plan.loaded(chunk)
            var report = plan.progress(chunk, .loaded)
            report.metricFailures = metricFailures
            progress(report)
        }
        do {
            while let (chunk, wait) = plan.nextChunk() {
                func missing(_ loaded: Set<HistoryChunk>) -> [MetricDefinition] {
                    definitions.filter { !loaded.contains(HistoryChunk(metric: $0.name, version: $0.version, firstBlock: chunk.lowerBound)) }
                }
                guard !missing(loaded).isEmpty else {
                    plan.foundLoaded(chunk)
                    progress(plan.progress(chunk, .alreadyLoaded))
                    continue
                }
                guard let claim = try await sink.claim(chain: chain, chunk: chunk, wait: wait) else {
                    plan.heldElsewhere(chunk)
                    continue
                }
                // Another process may have loaded it since the range was planned.
                let wanted = missing(loaded.union(try await claim.loaded()))
                guard !wanted.isEmpty else {
                    await claim.release()
                    plan.foundLoaded(chunk)
                    progress(plan.progress(chunk, .loadedElsewhere))
                    continue
                }
                let fetched: FetchedChunk
                do {
                    fetched = try await fetchChunk(chunk, decimals: decimals, metrics: Set(wanted.map(\.name)), runtimes: &runtimes)
                } catch is CancellationError {
                    await claim.release()
                    throw CancellationError()
                } catch {
                    // Retried already: recorded as failed with its error, and the range goes on.
                    try await finish(writing.take())
                    try await claim.recordFailure(metrics: wanted, error: "\(error)")
                    plan.failed(chunk, "\(error)")
                    logger.error("\(chain): blocks \(chunk.lowerBound)–\(chunk.upperBound) failed: \(error)")
                    progress(plan.progress(chunk, .failed("\(error)")))
                    continue
                }
                try await finish(writing.take())
                let metrics = Set(wanted.map(\.name))
                writing = (chunk, Task {
                    // Each metric on its own: one failing at a block costs its own rows only.
                    let blocks = Self.evaluate(fetched, metrics: metrics)
                    try await claim.write(metrics: wanted, blocks: blocks)
                    return blocks.flatMap { block in block.failures.map { BlockFailure(block: block.number, specVersion: block.specVersion, failure: $0) } }
                })
            }
            try await finish(writing.take())
        } catch {
            // The chunk being written ends before the error goes up (cut short when loading is
            // cancelled): nothing of this load writes once `load` has returned.
            if let pending = writing.take() {
                if error is CancellationError { pending.task.cancel() }
                _ = try? await pending.task.value
            }
            throw error
        }
        if let failed = plan.outcome { throw failed }
    }

    /// A chunk's blocks fetched, decoded and evaluated, each with the runtime that executed it.
    struct FetchedChunk: Sendable {
        let chunk: ClosedRange<UInt64>
        let blocks: [UInt64: FetchedBlock]
        let executing: [UInt64: ChainRuntime]
        let parentTimestamp: UInt64?
        /// The scheduled reads' samples and failures, at the blocks they were due.
        var scheduled: [UInt64: BlockEvaluation] = [:]
    }

    /// One block as fetched, with its samples but those needing its parent's timestamp, and the
    /// failures of the metrics that gave none (fetching is what gets retried, not evaluating).
    struct FetchedBlock: Sendable {
        let context: BlockContext
        let evaluation: BlockEvaluation

        init(_ context: BlockContext, runtime: ChainRuntime) {
            self.context = context
            evaluation = runtime.evaluate(context)
        }
    }

    /// A chunk's blocks, fetched and decoded, and the scheduled reads of `metrics` due in it.
    private func fetchChunk(_ chunk: ClosedRange<UInt64>, decimals: Int, metrics: Set<String>, runtimes: inout RuntimeCache) async throws -> FetchedChunk {
        // Hashes from two blocks before the chunk: the parent's state gives the first block's
        // runtime, and the grandparent's the runtime before it (to count an upgrade at the edge).
        let start = chunk.lowerBound >= 2 ? chunk.lowerBound - 2 : 0
        let client = client
        var hashes = [UInt64: String]()
        for batch in Array(start...chunk.upperBound).chunked(256) {
            for (number, hash) in zip(batch, try await Self.retrying { try await client.chainGetBlockHashes(batch) }) {
                guard let hash else { throw NodeAnswerError.missingBlock(number) }
                hashes[number] = hash
            }
        }
        // The runtime executing each block: the one in its parent's state.
        let first = try await runtimes.runtime(atParent: hashes[chunk.lowerBound - 1]!)
        let last = try await runtimes.runtime(atParent: hashes[chunk.upperBound - 1]!)
        var executing = [UInt64: ChainRuntime]()
        for number in chunk {
            executing[number] = first.specVersion == last.specVersion ? first : try await runtimes.runtime(atParent: hashes[number - 1]!)
        }
        let before = chunk.lowerBound >= 2 ? try await runtimes.runtime(atParent: hashes[chunk.lowerBound - 2]!).specVersion : nil
        let parentHash = hashes[chunk.lowerBound - 1]!
        let parentTimestamp = try await Self.retrying { try await Self.timestamp(at: parentHash, client: client) }

        // Fetched and decoded with `concurrency` blocks in flight; evaluated in order after. The
        // first block goes alone: the keys its collectors chose or expect next are read along
        // for the others, refreshed from the newest block fetched, so a block needs a second
        // query only when its keys were not foreseen (a new pool, a new validator).
        var blocks = [UInt64: FetchedBlock]()
        let (firstHash, firstRuntime) = (hashes[chunk.lowerBound]!, executing[chunk.lowerBound]!)
        let firstContext = try await Self.retrying {
            try await Self.fetch(chunk.lowerBound, hash: firstHash, runtime: firstRuntime, previousSpec: before, decimals: decimals, keys: firstRuntime.storageKeys, client: client)
        }
        blocks[chunk.lowerBound] = FetchedBlock(firstContext, runtime: firstRuntime)
        func prediction(_ context: BlockContext) -> [String] {
            Array(Set(firstRuntime.storageKeys).union(firstRuntime.predictedKeys(context)))
        }
        // One key list for the chunk's blocks of the first block's runtime.
        var predicted = prediction(firstContext)
        var predictedAt = chunk.lowerBound
        // Each block is evaluated where it was fetched, so evaluation runs on every core and
        // overlaps the requests still in flight.
        try await withThrowingTaskGroup(of: (UInt64, FetchedBlock).self) { group in
            var pending = Array(chunk.dropFirst()).makeIterator()
            func next() {
                guard let number = pending.next(), let hash = hashes[number], let runtime = executing[number] else { return }
                let previous = executing[number - 1]?.specVersion
                let keys = runtime.specVersion == firstRuntime.specVersion ? predicted : runtime.storageKeys
                group.addTask {
                    let context = try await Self.retrying {
                        try await Self.fetch(number, hash: hash, runtime: runtime, previousSpec: previous, decimals: decimals, keys: keys, client: client)
                    }
                    return (number, FetchedBlock(context, runtime: runtime))
                }
            }
            for _ in 0..<concurrency { next() }
            while let (number, block) = try await group.next() {
                blocks[number] = block
                if number > predictedAt, executing[number]?.specVersion == firstRuntime.specVersion {
                    (predicted, predictedAt) = (prediction(block.context), number)
                }
                next()
            }
        }
        var fetched = FetchedChunk(chunk: chunk, blocks: blocks, executing: executing, parentTimestamp: parentTimestamp)
        let parentEra = try await Self.retrying { try await Self.activeEra(at: parentHash, runtime: first, client: client) }
        fetched.scheduled = try await scheduledReads(fetched, hashes: hashes, parent: ScheduleClock.Moment(
            block: chunk.lowerBound - 1, timestampMilliseconds: parentTimestamp, era: parentEra), metrics: metrics)
        return fetched
    }

    /// The reads of storage maps and scheduled collectors of `metrics` due in a chunk, each of
    /// its block's state, `concurrency` at a time. A read the data fails gives its definitions'
    /// failures; one the node fails (after each request's retries) fails the chunk.
    private func scheduledReads(_ fetched: FetchedChunk, hashes: [UInt64: String], parent: ScheduleClock.Moment, metrics: Set<String>) async throws
        -> [UInt64: BlockEvaluation]
    {
        var due = [(block: FetchedBlock, hash: String, task: ScheduledTask)]()
        var parent = parent
        for number in fetched.chunk {
            guard let block = fetched.blocks[number], let runtime = fetched.executing[number], let hash = hashes[number] else { continue }
            let now = runtime.scheduleMoment(block.context)
            for task in runtime.scheduled where task.definitions.contains(where: { metrics.contains($0.name) }) {
                if ScheduleClock.isDue(task.sampling, parent: parent, now: now) { due.append((block, hash, task)) }
            }
            parent = now
        }
        let client = client
        var evaluations = [UInt64: BlockEvaluation]()
        try await withThrowingTaskGroup(of: (UInt64, BlockEvaluation).self) { group in
            var pending = due.makeIterator()
            func next() {
                guard let (block, hash, task) = pending.next() else { return }
                group.addTask { (block.context.number, try await task.evaluate(StateReader(client: client, hash: hash), block.context)) }
            }
            for _ in 0..<concurrency { next() }
            while let (number, evaluation) = try await group.next() {
                evaluations[number, default: BlockEvaluation()].samples += evaluation.samples
                evaluations[number, default: BlockEvaluation()].failures += evaluation.failures
                next()
            }
        }
        return evaluations
    }

    /// A fetched chunk's samples and failures of `metrics`, block by block, in order: block time
    /// and sampling by the hour need the parent's timestamp.
    static func evaluate(_ fetched: FetchedChunk, metrics: Set<String>) -> [HistoryBlock] {
        var blocks = [HistoryBlock]()
        blocks.reserveCapacity(fetched.chunk.count)
        var previousTimestamp = fetched.parentTimestamp
        // Only what sampling needs, by metric: copying whole definitions for every sample costs.
        var sampling = [UInt32: [String: Sampling]]()
        for number in fetched.chunk {
            // A fetched chunk holds every block and its runtime (`fetchChunk` throws otherwise).
            guard let block = fetched.blocks[number], let runtime = fetched.executing[number] else { continue }
            if sampling[runtime.specVersion] == nil {
                sampling[runtime.specVersion] = Dictionary(runtime.definitions.map { ($0.name, Sampling($0)) }, uniquingKeysWith: { first, _ in first })
            }
            let byName = sampling[runtime.specVersion] ?? [:]
            var context = block.context
            context.parentTimestampMilliseconds = previousTimestamp
            let parentTimed = runtime.parentTimedEvaluation(context)
            let keeps = { (metric: String) -> Bool in
                guard metrics.contains(metric), let sampling = byName[metric] else { return false }
                return sampling.keeps(block: number, time: context.timestampMilliseconds, previousTime: previousTimestamp)
            }
            // Scheduled reads were made at their due blocks only.
            let scheduled = fetched.scheduled[number] ?? BlockEvaluation()
            let samples = (block.evaluation.samples + parentTimed.samples).filter { keeps($0.metric) } + scheduled.samples.filter { metrics.contains($0.metric) }
            let failures = (block.evaluation.failures + parentTimed.failures).filter { keeps($0.metric) } + scheduled.failures.filter { metrics.contains($0.metric) }
            blocks.append(HistoryBlock(
                number: number, timestampMilliseconds: context.timestampMilliseconds, samples: samples, failures: failures, specVersion: runtime.specVersion))
            previousTimestamp = context.timestampMilliseconds
        }
        return blocks
    }

    /// The storage keys loading reads in one query at a block: the definitions', the
    /// collectors', and the keys the collectors choose or expect next from the block's values
    /// (for benchmarks and tools that fetch what loading fetches).
    public func storageKeys(atBlock number: UInt64) async throws -> [String] {
        let client = client
        let hashes = try await client.chainGetBlockHashes([number - 1, number])
        guard let parent = hashes[0], let hash = hashes[1] else { throw NodeAnswerError.missingBlock(number) }
        var runtimes = RuntimeCache(chain: chain, client: client, definitions: definitions, use: .history, logger: logger)
        let runtime = try await runtimes.runtime(atParent: parent)
        let context = try await Self.fetch(number, hash: hash, runtime: runtime, previousSpec: nil, decimals: 0, keys: runtime.storageKeys, client: client)
        return Set(runtime.storageKeys).union(runtime.predictedKeys(context)).sorted()
    }

    /// Which of a metric's samples history keeps.
    struct Sampling {
        let kind: MetricDefinition.Kind
        let sampling: MetricDefinition.Sampling

        init(_ definition: MetricDefinition) {
            (kind, sampling) = (definition.kind, definition.sampling)
        }

        /// Whether the sample at this block is kept: counters and histograms at every block;
        /// gauges every N blocks (`every`), or at the first block of each hour or day
        /// (`schedule`; per era falls back to daily here).
        func keeps(block: UInt64, time: UInt64?, previousTime: UInt64?) -> Bool {
            guard kind == .gauge else { return true }
            switch sampling {
            case let .everyBlocks(blocks): return blocks <= 1 || block % UInt64(blocks) == 0
            case let .schedule(schedule):
                let period: UInt64 = schedule == .hourly ? 3_600_000 : 86_400_000
                guard let time, let previousTime else { return true }
                return time / period != previousTime / period
            }
        }
    }

    /// A block with the storage under `keys`, decoded; the collectors' follow-up keys not among
    /// them are read in a second query.
    private static func fetch(
        _ number: UInt64, hash: String, runtime: ChainRuntime, previousSpec: UInt32?, decimals: Int, keys: [String], client: SubstrateRPCClient
    ) async throws -> BlockContext {
        async let blockJSON = client.chainGetBlock(hash)
        async let values = client.stateQueryStorageAt(keys, at: hash)
        return try await runtime.read(
            number, hash: hash, blockJSON: try await blockJSON, values: try await values, tokenDecimals: decimals, parentTimestampMilliseconds: nil,
            previousSpecVersion: previousSpec, client: client
        ).context
    }

    /// The active era in a block's state, when `runtime` (the runtime of that state) schedules
    /// something per era.
    private static func activeEra(at hash: String, runtime: ChainRuntime, client: SubstrateRPCClient) async throws -> UInt32? {
        guard let key = runtime.activeEraKey, let hex = try await client.stateGetStorage(key, at: hash) else { return nil }
        return runtime.activeEra(in: [key: Hex.decode(hex)])
    }

    /// `Timestamp.Now` in a block's state (the same key in every runtime).
    private static func timestamp(at hash: String, client: SubstrateRPCClient) async throws -> UInt64? {
        let key = Hex.encode(StorageKeyBuilder.prefix(pallet: "Timestamp", item: "Now"))
        guard let hex = try await client.stateGetStorage(key, at: hash), let bytes = Hex.decode(hex), bytes.count == 8 else { return nil }
        return bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}

extension Array {
    fileprivate func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
