import ExactJSON
public import Logging
import SCALE
import Substrate
public import SubstrateRPC

/// Follows one chain's finalized heads (or best heads, when asked) and turns every such block,
/// exactly once and in order, into samples for the registry. Without WebSocket endpoints the
/// head is polled. When finality jumps from N to N+5 the blocks between
/// are processed too. Per block: `chain_getBlock` and one `state_queryStorageAt`, plus a second
/// only when the keys collectors choose from the first's values changed (hashes come from the
/// notified header, or in array calls of `chain_getBlockHash` when filling a gap); each block is decoded with the runtime that
/// executed it, fetched again only after a block that set new code.
public actor ChainFollower {
    public nonisolated let chain: String
    let client: SubstrateRPCClient
    private let definitions: [MetricDefinition]
    let registry: ChainMetricsRegistry
    let metrics: ExporterMetrics?
    let logger: Logger
    let sink: (any SampleSink)?
    private let follow: FollowMode
    /// With HTTP endpoints only there are no subscriptions: the head is asked for this often.
    private let pollInterval: Duration?
    private var runtimes: RuntimeCache
    private var current: ChainRuntime?
    private var runtimeMayChange = true
    private var tokenDecimals = 0
    private var lastProcessed: UInt64?
    private let firstProcessedSignal = SetOnce<UInt64>()
    private var lastTimestamp: UInt64?
    private var lastSpecVersion: UInt32?
    /// The keys collectors read in the follow-up query of the last block, and its runtime.
    private var lastFollowUp: (spec: UInt32, keys: [String]) = (0, [])
    /// Which scheduled reads are due, waiting or running.
    var scheduledReads = ScheduledReads<ScheduledBlock>()
    /// The scheduled reads running now, by name: owned here, ended by `stopScheduledWork()`.
    var scheduledTasks: [String: Task<Void, Never>] = [:]
    private var finalizedHead: UInt64 = 0
    private var failureLog = MetricFailureLog()

    public init(
        chain: String, client: SubstrateRPCClient, definitions: [MetricDefinition], registry: ChainMetricsRegistry,
        metrics: ExporterMetrics? = nil, sink: (any SampleSink)? = nil, follow: FollowMode = .finalized, pollInterval: Duration? = nil,
        logger: Logger
    ) {
        runtimes = RuntimeCache(chain: chain, client: client, definitions: definitions, use: .following, logger: logger)
        self.sink = sink
        self.follow = follow
        self.pollInterval = pollInterval
        self.chain = chain
        self.client = client
        self.definitions = definitions
        self.registry = registry
        self.metrics = metrics
        self.logger = logger
    }

    /// The last block processed.
    public var processedHead: UInt64? { lastProcessed }

    /// The metrics that gave no sample at some block, by metric and reason.
    public var metricFailures: [MetricFailureLog.Entry] { failureLog.summary }

    /// The first block this follower processed: history up to the block before it meets
    /// following with no gap.
    public var firstProcessedBlock: UInt64? { firstProcessedSignal.value }

    /// The first block this follower processes, once it has: history waits here to know where to end.
    public nonisolated func firstProcessed() async throws -> UInt64 {
        try await firstProcessedSignal.wait()
    }

    /// The head followed (finalized or best), as last notified.
    public var notifiedHead: UInt64 { finalizedHead }

    /// The node's best block, as last seen (following finalized heads, when a definition wants it).
    public private(set) var bestHead: UInt64?

    /// The chain's token as its node names it, once following has started.
    public private(set) var tokenSymbol: String?

    /// The runtime of the last block processed: spec name and version.
    public var runtimeVersion: (name: String, version: UInt32)? {
        guard let current, let version = current.metadata.runtimeVersion else { return nil }
        return (version.specName, version.specVersion)
    }

    /// Follows until cancelled; starts at the finalized head (or after `after`).
    public func run(after: UInt64? = nil) async throws {
        if lastProcessed == nil { lastProcessed = after }
        let token = try ChainToken(try ChainProperties(json: try await client.systemProperties()))
        (tokenDecimals, tokenSymbol) = (token.decimals, token.symbol)
        metrics?.chainInfo(chain: chain, symbol: token.symbol ?? "", decimals: token.decimals, ss58Format: token.ss58Format)
        if let pollInterval {
            while true {
                let best = try await client.chainGetHeader()
                recordBest(best)
                let head = follow == .finalized ? try await client.chainGetHeader(try await client.chainGetFinalizedHead()) : best
                try await catchUp(to: try headNumber(head), hash: Self.hash(ofHeader: head))
                try await Task.sleep(for: pollInterval)
            }
        }
        // Following finalized heads, the best ones come on a stream of their own, read by a
        // child task that ends with following.
        let bestHeads = follow == .finalized && bestDefinitions.isEmpty == false ? try await client.chainSubscribeNewHeads() : nil
        let heads = follow == .finalized ? try await client.chainSubscribeFinalizedHeads() : try await client.chainSubscribeNewHeads()
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let bestHeads {
                let (chain, logger) = (chain, logger)
                group.addTask {
                    do {
                        for try await head in bestHeads { await self.recordBest(head) }
                    } catch where !Task.isCancelled {
                        logger.warning("\(chain): the best heads' subscription ended: \(error); the best block shows its last value until following resumes")
                    }
                }
            }
            for try await head in heads {
                if follow == .best { recordBest(head) }
                try await catchUp(to: try headNumber(head), hash: Self.hash(ofHeader: head))
            }
            group.cancelAll()
        }
    }

    private var bestDefinitions: [MetricDefinition] {
        definitions.filter { $0.source == .header(.bestNumber) }
    }

    /// The node's best block number, for the definitions that show it.
    private func recordBest(_ head: JSON) {
        guard let number = head["number"]?.uint64Value else { return }
        bestHead = number
        registry.record(bestDefinitions.map { Sample(metric: $0.name, value: SampleValue(UInt128(number))) }, chain: chain)
    }

    /// A block's hash from its header as notified (BLAKE2b-256 of the encoded header), which
    /// saves asking for it; nil when the header does not read (the hash is then asked for).
    static func hash(ofHeader json: JSON) -> String? {
        (try? BlockHeader(json: json)).map { Hex.encode($0.hash) }
    }

    private func headNumber(_ head: JSON) throws -> UInt64 {
        guard let number = head["number"]?.uint64Value else {
            throw NodeAnswerError.headWithoutNumber(follow, head: head.serialized())
        }
        return number
    }

    /// Processes every block after the last one up to `finalized`, whose hash may be known
    /// from its notification, as `CatchUpPlan` says.
    public func catchUp(to finalized: UInt64, hash finalizedHash: String? = nil) async throws {
        let notified = ContinuousClock.now
        finalizedHead = max(finalizedHead, finalized)
        defer { if lastProcessed == finalized { metrics?.headProcessed(chain: chain, duration: .now - notified) } }
        var plan = CatchUpPlan(lastProcessed: lastProcessed, runtimeMayChange: runtimeMayChange)
        plan.notified(head: finalized, hash: finalizedHash)
        // Blocks fetched ahead, by tasks owned here: whatever ends catching up cancels and awaits those left.
        var ahead = [UInt64: Task<Fetched, any Error>]()
        do {
            while true {
                switch plan.nextAction() {
                case .done:
                    return
                case let .askHashes(numbers):
                    try plan.hashesAnswered(numbers, try await client.chainGetBlockHashes(numbers))
                case let .fetchAhead(blocks):
                    for block in blocks { ahead[block.number] = prefetch(block.hash) }
                case let .process(block, _, _):
                    do {
                        try await process(block.number, hash: block.hash, fetched: ahead.removeValue(forKey: block.number), hashKnownFromHeader: block.hashFromHeader)
                        let stale = plan.processed(block.number, setNewCode: runtimeMayChange)
                        await Self.end(stale.compactMap { ahead.removeValue(forKey: $0) })
                    } catch {
                        guard case let .askAgain(pause) = plan.failed(block.number, error) else { throw error }
                        metrics?.error(chain: chain, stage: "follow")
                        logger.warning("\(chain): \(error); asking for block \(block.number) again")
                        try await Task.sleep(for: pause)
                    }
                }
            }
        } catch {
            await Self.end(Array(ahead.values))
            throw error
        }
    }

    /// Cancels fetches no longer wanted and waits for them to end.
    private static func end(_ fetches: some Collection<Task<Fetched, any Error>>) async {
        for fetch in fetches { fetch.cancel() }
        for fetch in fetches { _ = try? await fetch.value }
    }

    /// A block and its storage values, fetched together.
    struct Fetched: Sendable {
        let blockJSON: JSON
        let values: [String: String?]
        /// The runtime whose keys were read.
        let specVersion: UInt32
    }

    /// Starts fetching a block and its storage at once, when the runtime (so the keys) is
    /// known; nil when the runtime may change at this block.
    private func prefetch(_ hash: String) -> Task<Fetched, any Error>? {
        guard let runtime = current, !runtimeMayChange else { return nil }
        let keys = storageKeys(runtime)
        let client = client
        return Task {
            async let block = client.chainGetBlock(hash)
            async let values = client.stateQueryStorageAt(keys, at: hash)
            return Fetched(blockJSON: try await block, values: try await values, specVersion: runtime.specVersion)
        }
    }

    /// The keys read at a block of `runtime`: its own, and the collectors' follow-up keys of the
    /// block before, which rarely change (so the second query is needed only when they did).
    private func storageKeys(_ runtime: ChainRuntime) -> [String] {
        let predicted = lastFollowUp.spec == runtime.specVersion ? lastFollowUp.keys : []
        return predicted.isEmpty ? runtime.storageKeys : Array(Set(runtime.storageKeys).union(predicted))
    }

    private func process(_ number: UInt64, hash given: String, fetched prefetched: Task<Fetched, any Error>?, hashKnownFromHeader: Bool = false) async throws {
        var hash = given
        var fetched: Fetched?
        if let prefetched {
            do {
                fetched = try await prefetched.value
            } catch let error as RPCError where hashKnownFromHeader {
                // An unknown hash answered with an error: asked again below.
                guard case .rpc = error.kind else { throw error }
                fetched = nil
            }
        }
        var blockJSON: JSON
        if let fetched {
            blockJSON = fetched.blockJSON
        } else {
            do {
                blockJSON = try await client.chainGetBlock(hash)
            } catch {
                // A node may answer an unknown hash with an error rather than null.
                guard hashKnownFromHeader, case .rpc = error.kind else { throw error }
                blockJSON = .null
            }
        }
        if blockJSON == .null, hashKnownFromHeader {
            // The header's hash as computed here is not the node's (a chain hashing otherwise): ask.
            guard let asked = try await client.chainGetBlockHash(number) else { throw NodeAnswerError.missingBlock(number) }
            hash = asked
            blockJSON = try await client.chainGetBlock(hash)
            fetched = nil
        }
        guard blockJSON != .null else { throw NodeAnswerError.nullBlock(number, hash: hash) }
        // The runtime to decode with comes from the parent's state, so read its hash before decoding.
        guard let parentHash = (blockJSON["block"] ?? blockJSON)["header"]?["parentHash"]?.stringValue else {
            throw NodeAnswerError.noParentHash(block: number)
        }
        let runtime = try await runtime(executing: parentHash, number: number)
        let values: [String: String?]
        if let fetched, fetched.specVersion == runtime.specVersion {
            values = fetched.values
        } else {
            values = try await client.stateQueryStorageAt(storageKeys(runtime), at: hash)
        }
        let (context, header, followUp) = try await runtime.read(
            number, hash: hash, blockJSON: blockJSON, values: values, tokenDecimals: tokenDecimals,
            parentTimestampMilliseconds: lastProcessed == number - 1 ? lastTimestamp : nil, previousSpecVersion: lastSpecVersion, client: client)
        let timestamp = context.timestampMilliseconds
        lastFollowUp = (runtime.specVersion, followUp)
        // Each definition and collector on its own: one that fails costs its own sample only.
        let evaluation = runtime.evaluate(context) { collector, duration in
            metrics?.collectorFinished(chain: chain, collector: collector, duration: duration)
        }
        try await sink?.write(chain: chain, block: number, timeMilliseconds: timestamp, samples: evaluation.samples, failures: evaluation.failures)
        recordFailures(evaluation.failures, block: number, runtime: runtime)
        // A gauge that failed goes from the exposition rather than showing an old value as current.
        let replacing = runtime.everyBlockGauges.union(runtime.absentGauges).union(evaluation.failures.map(\.metric))
        registry.record(evaluation.samples, chain: chain, replacing: replacing)
        startScheduledWork(runtime, context: context, hash: hash)
        metrics?.blockProcessed(chain: chain, number: number, finalized: finalizedHead)
        runtimeMayChange = header?.digest.contains(.runtimeEnvironmentUpdated) ?? false
        lastProcessed = number
        firstProcessedSignal.set(number)
        lastTimestamp = timestamp
        lastSpecVersion = runtime.specVersion
    }

    /// Counts a block's metric failures and logs the first of each runtime version, metric and reason.
    func recordFailures(_ failures: [MetricFailure], block: UInt64, runtime: ChainRuntime) {
        guard !failures.isEmpty else { return }
        for failure in failures { metrics?.metricFailed(chain: chain, metric: failure.metric, reason: failure.reason) }
        for failure in failureLog.record(failures, block: block, specVersion: runtime.specVersion) {
            logger.warning("""
                \(chain): \(failure.metric) gave no sample at block \(block) (runtime \(runtime.specVersion)): \(failure.message) [\(failure.reason.rawValue)]; \
                further blocks it fails at are counted in runtime_exporter_metric_failures_total, the other metrics go on
                """)
        }
    }

    /// The runtime that executed the block whose parent is `parentHash`: the one in the parent's
    /// state. Asked for only at start and after a block that set new code.
    private func runtime(executing parentHash: String, number: UInt64) async throws -> ChainRuntime {
        if let current, !runtimeMayChange { return current }
        var cache = runtimes
        let runtime = try await cache.runtime(atParent: parentHash, block: number)
        (runtimes, current) = (cache, runtime)
        return runtime
    }
}
