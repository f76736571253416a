import ExactJSON
import Exporter
import Foundation
import Logging
import ServiceLifecycle
import SubstrateRPC
import WebUI

struct NameUnknown: Error, CustomStringConvertible {
    var description: String { "the runtime version has no specName; name the chain with --chain or in the config" }
}

/// One followed chain as the status page and readiness see it.
final class ChainEntry: @unchecked Sendable {
    let endpoints: [String]
    let follow: FollowMode
    let history: ExporterConfiguration.History?
    let health: EndpointHealth
    private let lock = NSLock()
    private var _name: String?
    private var _follower: ChainFollower?
    private var _lastError: String?
    private var _historyStatus: ChainStatus.History?

    init(name: String?, endpoints: [String], follow: FollowMode, history: ExporterConfiguration.History? = nil) {
        _name = name
        self.endpoints = endpoints
        self.follow = follow
        self.history = history
        health = EndpointHealth(endpoints: endpoints)
        _historyStatus = history.map { .init(state: .waiting, from: $0.from, to: $0.to, remaining: nil, failedChunks: 0, lastError: nil) }
    }

    /// Where loading the configured history stands.
    var historyStatus: ChainStatus.History? {
        get { lock.withLock { _historyStatus } }
        set { lock.withLock { _historyStatus = newValue } }
    }

    func updateHistory(_ change: (inout ChainStatus.History) -> Void) {
        lock.withLock {
            guard var status = _historyStatus else { return }
            change(&status)
            _historyStatus = status
        }
    }

    /// The chain as the status page shows it now.
    func status() async -> ChainStatus {
        let follower = follower
        let processed = await follower?.processedHead
        let runtime = await follower?.runtimeVersion
        let followed = await follower?.notifiedHead
        let endpoints = health.snapshot
        // Not yet following: waiting when following failed or no endpoint answers its requests.
        let unreachable = !endpoints.isEmpty && endpoints.allSatisfy { $0.answered == false }
        return ChainStatus(
            name: name ?? self.endpoints.joined(separator: ", "),
            state: processed != nil ? .following : lastError != nil || unreachable ? .waiting : .starting,
            follows: follow.rawValue,
            bestHead: await follower?.bestHead,
            followedHead: followed == 0 ? nil : followed,
            processed: processed,
            runtime: runtime.map { "\($0.name) \($0.version)" },
            token: await follower?.tokenSymbol,
            endpoints: endpoints,
            history: historyStatus,
            lastError: lastError,
            metricFailures: (await follower?.metricFailures ?? []).map { entry in
                ChainStatus.MetricFailures(
                    metric: entry.metric, reason: entry.reason.rawValue, blocks: entry.blocks, firstBlock: entry.firstBlock, lastBlock: entry.lastBlock,
                    message: entry.message)
            })
    }

    var name: String? {
        get { lock.withLock { _name } }
        set { lock.withLock { _name = newValue } }
    }

    var follower: ChainFollower? {
        get { lock.withLock { _follower } }
        set { lock.withLock { _follower = newValue } }
    }

    /// The last failure, until following works again.
    var lastError: String? {
        get { lock.withLock { _lastError } }
        set { lock.withLock { _lastError = newValue } }
    }
}

/// Every chain of the process, and the names they label their series with.
final class ChainBoard: @unchecked Sendable {
    let entries: [ChainEntry]
    private let lock = NSLock()
    private var claimed: Set<String>

    init(entries: [ChainEntry]) {
        self.entries = entries
        claimed = Set(entries.compactMap(\.name))
    }

    /// A chain named by its node: the spec name, or the spec name with a number when another
    /// chain has it already.
    func claim(_ wanted: String) -> String {
        lock.withLock {
            var name = wanted
            var suffix = 2
            while claimed.contains(name) {
                name = "\(wanted)_\(suffix)"
                suffix += 1
            }
            claimed.insert(name)
            return name
        }
    }
}

/// Follows one chain for as long as the process runs. A chain whose nodes do not answer (or
/// answer garbage) is retried after 2 s, doubling up to 8 s while no block gets processed, and
/// never holds the other chains up: each chain is its own service. Every failure is logged and
/// counted; following resumes after the last block processed. (A metric that fails on a block's
/// data is no such failure: the follower counts it and goes on.)
struct ChainService: Service {
    let entry: ChainEntry
    let board: ChainBoard
    let definitions: [MetricDefinition]
    let registry: ChainMetricsRegistry
    let metrics: ExporterMetrics
    let sink: StoreSink?
    let logger: Logger
    static let retryPause = Duration.seconds(2)
    static let longestRetryPause = Duration.seconds(8)
    static let historyRetryPause = Duration.seconds(30)

    func run() async {
        await cancelWhenGracefulShutdown {
            guard let name = await resolveName() else { return }
            metrics.chainStarted(chain: name)
            let transport = FailoverTransport(endpoints: entry.endpoints, observer: entry.health.forwarding(to: metrics.observer(chain: name)), logger: logger)
            let client = SubstrateRPCClient(transport: transport, timeout: .seconds(30))
            let polling = !entry.endpoints.contains { $0.hasPrefix("ws") }
            let follower = ChainFollower(
                chain: name, client: client, definitions: definitions, registry: registry, metrics: metrics, sink: sink,
                follow: entry.follow, pollInterval: polling ? .seconds(2) : nil, logger: logger)
            entry.follower = follower
            await withDiscardingTaskGroup { group in
                if let history = entry.history, let sink {
                    group.addTask { await loadHistory(history, chain: name, sink: sink, follower: follower) }
                }
                var pause = Self.retryPause
                var processedBefore: UInt64?
                while !Task.isCancelled {
                    do {
                        try await follower.run()
                    } catch is CancellationError {
                        break
                    } catch {
                        // Shutting down: the call in flight was cut short, which is no error.
                        if Task.isCancelled { break }
                        // Blocks processed since the last failure: the node is back, so is the short pause.
                        let processed = await follower.processedHead
                        if processed != processedBefore { pause = Self.retryPause }
                        processedBefore = processed
                        metrics.error(chain: name, stage: "follow")
                        entry.lastError = "\(error)"
                        logger.error("\(name): \(error); resuming in \(pause.components.seconds) s")
                    }
                    do { try await Task.sleep(for: pause) } catch { break }
                    pause = min(pause * 2, Self.longestRetryPause)
                }
                group.cancelAll()
            }
            // Nothing of this chain writes once the service has returned: the store closes after it.
            await follower.stopScheduledWork()
            await transport.close()
        }
    }

    /// The configured history, on connections of its own so that loading never slows following.
    /// Without an end it ends at the block before the first one followed, so that the two meet.
    /// A failed load (the node gone, chunks failed) is retried every 30 s; chunks loaded stay
    /// loaded, so each attempt does only what is left.
    private func loadHistory(_ history: ExporterConfiguration.History, chain: String, sink: StoreSink, follower: ChainFollower) async {
        // The chain's nodes share the load: calls go to each in turn, failing over to the others.
        let transport = FailoverTransport(
            endpoints: entry.endpoints, spreadsCalls: true, observer: entry.health.forwarding(to: metrics.observer(chain: chain)), logger: logger)
        await load(history, chain: chain, sink: sink, follower: follower, client: SubstrateRPCClient(transport: transport, timeout: .seconds(60)))
        await transport.close()
    }

    private func load(_ history: ExporterConfiguration.History, chain: String, sink: StoreSink, follower: ChainFollower, client: SubstrateRPCClient) async {
        let wanted = history.metrics.map(Set.init)
        var loader = HistoryLoader(chain: chain, client: client, definitions: definitions.filter { wanted?.contains($0.name) ?? true }, sink: sink, logger: logger)
        loader.chunkSize = history.chunk
        loader.concurrency = history.workers
        loader.every = history.every
        while !Task.isCancelled {
            do {
                let last: UInt64
                if let to = history.to { last = to } else {
                    var first = await follower.firstProcessedBlock
                    while first == nil {
                        try await Task.sleep(for: .milliseconds(500))
                        first = await follower.firstProcessedBlock
                    }
                    guard let first, first > history.from else {
                        logger.info("\(chain): following started at or before block \(history.from); no history to load")
                        entry.updateHistory { $0.state = .loaded; $0.to = first.map { $0 - 1 }; $0.remaining = 0 }
                        return
                    }
                    last = first - 1
                }
                entry.updateHistory { status in
                    status.state = .loading
                    status.to = last
                    status.remaining = status.remaining ?? (last >= history.from ? last - history.from + 1 : 0)
                }
                metrics.historyStarted(chain: chain, blocks: last >= history.from ? last - history.from + 1 : 0)
                logger.info("\(chain): loading history, blocks \(history.from)–\(last)")
                let (metrics, logger) = (metrics, logger)
                try await loader.load(from: history.from, to: last) { [entry] progress in
                    metrics.historyProgress(chain: chain, progress)
                    entry.updateHistory { $0.remaining = progress.blocksLeft; $0.failedChunks = progress.failures }
                    if case .loaded = progress.outcome, progress.chunksDone % 20 == 0 {
                        logger.info("\(chain): history \(progress.chunksDone)/\(progress.chunks) chunks, \(progress.blocksLeft) blocks left")
                    }
                }
                logger.info("\(chain): history loaded, blocks \(history.from)–\(last)")
                entry.updateHistory { $0.state = .loaded; $0.remaining = 0; $0.lastError = nil }
                return
            } catch is CancellationError {
                return
            } catch {
                metrics.error(chain: chain, stage: "history")
                entry.updateHistory { $0.state = .retrying; $0.lastError = "\(error)" }
                logger.error("\(error); loading history again in 30 s")
            }
            do { try await Task.sleep(for: Self.historyRetryPause) } catch { return }
        }
    }

    /// The chain's name: given, or the node's spec name once a node answers. Nil when cancelled.
    private func resolveName() async -> String? {
        if let name = entry.name { return name }
        let where_ = entry.endpoints.joined(separator: ",")
        while !Task.isCancelled {
            let transport = FailoverTransport(endpoints: entry.endpoints, observer: entry.health, logger: logger)
            do {
                let version = try await SubstrateRPCClient(transport: transport, timeout: .seconds(10)).stateGetRuntimeVersion()
                await transport.close()
                guard let specName = version["specName"]?.stringValue else {
                    throw NameUnknown()
                }
                let name = board.claim(specName)
                if name != specName { logger.warning("\(where_): another chain is named \(specName); this one is \(name) (name chains in the config to choose)") }
                entry.name = name
                entry.lastError = nil
                return name
            } catch {
                await transport.close()
                entry.lastError = "\(error)"
                logger.error("\(where_): cannot learn the chain's name: \(error); retrying in 2 s")
            }
            do { try await Task.sleep(for: Self.retryPause) } catch { return nil }
        }
        return nil
    }
}
