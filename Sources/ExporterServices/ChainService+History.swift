import Exporter
import Foundation
import Logging
import SubstrateRPC
import WebUI

/// Loading a chain's configured history next to following it.
extension ChainService {
    /// The configured history, on connections of its own so that loading never slows following.
    /// Without an end it ends at the block before the first one followed, so that the two meet.
    /// A failed load (the node gone, chunks failed) is retried every 30 s; chunks loaded stay
    /// loaded, so each attempt does only what is left.
    func loadHistory(_ history: ExporterConfiguration.History, chain: String, sink: StoreSink, follower: ChainFollower) async {
        // The chain's nodes share the load: calls go to each in turn, failing over to the others.
        let transport = FailoverTransport(
            endpoints: entry.endpoints, spreadsCalls: true, observer: entry.health.forwarding(to: metrics.observer(chain: chain)), logger: logger)
        await load(history, chain: chain, sink: sink, follower: follower, client: SubstrateRPCClient(transport: transport, timeout: .seconds(60)))
        await transport.close()
    }

    private func load(_ history: ExporterConfiguration.History, chain: String, sink: StoreSink, follower: ChainFollower, client: SubstrateRPCClient) async {
        // Checked when the configuration was read: nothing it names is missing.
        let chosen = (try? history.selection.choose(from: definitions)) ?? []
        var loader = HistoryLoader(chain: chain, client: client, definitions: chosen, sink: sink, logger: logger)
        loader.chunkSize = history.chunk
        loader.concurrency = history.workers
        while !Task.isCancelled {
            do {
                let last: UInt64
                if let to = history.to { last = to } else {
                    let first = try await follower.firstProcessed()
                    guard first > history.from else {
                        logger.info("\(chain): following started at or before block \(history.from); no history to load")
                        entry.updateHistory { $0.state = .loaded; $0.to = first - 1; $0.remaining = 0 }
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
                logger.error("\(chain): history: \(error); loading history again in 30 s")
            }
            do { try await Task.sleep(for: Self.historyRetryPause) } catch { return }
        }
    }
}
