public import Exporter
import Foundation
public import Logging
public import ServiceLifecycle
import SubstrateRPC

/// Follows one chain for as long as the process runs. A chain whose nodes do not answer (or
/// answer garbage) is retried after 2 s, doubling up to 8 s while no block gets processed, and
/// never holds the other chains up: each chain is its own service. Every failure is logged and
/// counted; following resumes after the last block processed. (A metric that fails on a block's
/// data is no such failure: the follower counts it and goes on.)
public struct ChainService: Service {
    let entry: ChainEntry
    let board: ChainBoard
    let definitions: [MetricDefinition]
    let registry: ChainMetricsRegistry
    let metrics: ExporterMetrics
    let sink: StoreSink?
    /// Where followed blocks go for the landing page when there is no store.
    let recent: RecentSamples?
    let logger: Logger
    static let retryPause = Duration.seconds(2)
    static let longestRetryPause = Duration.seconds(8)
    static let historyRetryPause = Duration.seconds(30)

    public init(
        entry: ChainEntry, board: ChainBoard, definitions: [MetricDefinition], registry: ChainMetricsRegistry, metrics: ExporterMetrics, sink: StoreSink?,
        recent: RecentSamples? = nil, logger: Logger
    ) {
        (self.entry, self.board, self.definitions, self.registry, self.metrics, self.sink, self.recent, self.logger) = (entry, board, definitions, registry, metrics, sink, recent, logger)
    }

    public func run() async {
        await cancelWhenGracefulShutdown {
            guard let name = await resolveName() else { return }
            metrics.chainStarted(chain: name)
            let transport = FailoverTransport(endpoints: entry.endpoints, observer: entry.health.forwarding(to: metrics.observer(chain: name)), logger: logger)
            let client = SubstrateRPCClient(transport: transport, timeout: .seconds(30))
            let polling = !entry.endpoints.contains { $0.hasPrefix("ws") }
            let follower = ChainFollower(
                chain: name, client: client, definitions: definitions, registry: registry, metrics: metrics, sink: sink ?? recent,
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

    /// The chain's name: given, or the node's (spec name or chain name) once a node answers. Nil when cancelled.
    private func resolveName() async -> String? {
        if let name = entry.name { return name }
        let where_ = entry.endpoints.joined(separator: ",")
        while !Task.isCancelled {
            do {
                let learnt = try await ChainNaming.name(from: entry.naming, endpoints: entry.endpoints, observer: entry.health, timeout: .seconds(10), logger: logger)
                let name = board.claim(learnt)
                if name != learnt { logger.warning("\(where_): another chain is named \(learnt); this one is \(name) (name chains in the config to choose)") }
                entry.name = name
                entry.lastError = nil
                return name
            } catch {
                entry.lastError = "\(error)"
                logger.error("\(where_): cannot learn the chain's name: \(error); retrying in 2 s")
            }
            do { try await Task.sleep(for: Self.retryPause) } catch { return nil }
        }
        return nil
    }
}
