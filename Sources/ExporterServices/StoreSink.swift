public import Exporter
import Foundation
public import Logging
public import MetricStore

/// Samples into the history store: followed blocks one transaction each, loaded history one
/// chunk each; a block without a timestamp is stored at the time it was processed.
public struct StoreSink: SampleSink, HistorySink {
    public let store: any MetricStore
    /// Where the store is, without its password: what a waiting write's log line names.
    public let location: String
    public let onFailedWrite: OnFailedWrite

    /// What a followed block's write does when the store fails it.
    public enum OnFailedWrite: Sendable {
        /// The error goes to the caller (a load that records the chunk as failed).
        case fail
        /// Tried again until it lands, logged as it waits (following, whose block is already done).
        case retry(Logger)
    }

    public init(store: any MetricStore, location: String = "the store", onFailedWrite: OnFailedWrite = .fail) {
        (self.store, self.location, self.onFailedWrite) = (store, location, onFailedWrite)
    }
    /// How often a write that waits (a database that went away) says so.
    static let waitingReport = Duration.seconds(10)
    /// Pauses between tries of a failed write: doubling from 1 s up to 8 s.
    static let firstRetryPause = Duration.seconds(1)
    static let lastRetryPause = Duration.seconds(8)

    /// A block's samples, in one transaction. Following waits here while the store is away
    /// (nothing is lost: the block counts as processed only once written), and says so every
    /// 10 s. A write the store fails (a connection cut by a server shutting down) is tried
    /// again until it lands, since the block or scheduled read it belongs to is already done.
    public func write(chain: String, block: UInt64, timeMilliseconds: UInt64?, samples: [Sample], failures: [MetricFailure]) async throws {
        let rows = Self.stored(samples, chain: chain, block: block, timeMilliseconds: timeMilliseconds)
        let runs = failures.map { Self.run($0, chain: chain, block: block) }
        guard case let .retry(logger) = onFailedWrite else { return try await store.write(rows, failures: runs) }
        let (store, location) = (store, location)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var pause = Self.firstRetryPause
                while true {
                    do {
                        return try await store.write(rows, failures: runs)
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        logger.warning("\(chain) block \(block): \(location) failed to take its samples: \(error); trying again in \(pause.components.seconds) s, nothing is dropped")
                        try await Task.sleep(for: pause)
                        pause = min(pause * 2, Self.lastRetryPause)
                    }
                }
            }
            group.addTask {
                var waited = Duration.zero
                while true {
                    try await Task.sleep(for: Self.waitingReport)
                    waited += Self.waitingReport
                    logger.warning("\(chain) block \(block): \(location) has not taken its samples for \(waited.components.seconds) s; following waits for it, nothing is dropped")
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    static func stored(_ samples: [Sample], chain: String, block: UInt64, timeMilliseconds: UInt64?) -> [StoredSample] {
        // A block without `Timestamp.set` (the genesis block) is stored at time 0, not at the
        // time it was written: a block written again must find its earlier samples by key.
        let time = timeMilliseconds.map { Int64(clamping: $0) } ?? 0
        return samples.map { sample in
            StoredSample(
                metric: sample.metric, chain: chain, labels: Dictionary(sample.labels.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first }),
                block: block, timeMilliseconds: time, value: sample.value.double, exact: sample.value.description)
        }
    }

    static func run(_ failure: MetricFailure, chain: String, block: UInt64) -> MetricFailureRun {
        MetricFailureRun(chain: chain, metric: failure.metric, reason: failure.reason.rawValue, firstBlock: block, lastBlock: block, message: failure.message)
    }

    public func loadedChunks(chain: String) async throws -> Set<HistoryChunk> {
        Set(try await store.loadedRanges(chain: chain).map { HistoryChunk(metric: $0.metric, version: $0.version, firstBlock: $0.firstBlock) })
    }

    public func claim(chain: String, chunk: ClosedRange<UInt64>, wait: Bool) async throws -> (any HistoryClaim)? {
        try await store.claimChunk(chain: chain, chunk: chunk, wait: wait).map { Claim(held: $0, chain: chain, chunk: chunk) }
    }

    /// A chunk claimed in the store, in the loader's terms.
    struct Claim: HistoryClaim {
        let held: any ChunkClaim
        let chain: String
        let chunk: ClosedRange<UInt64>

        func loaded() async throws -> Set<HistoryChunk> {
            Set(try await held.loadedRanges().map { HistoryChunk(metric: $0.metric, version: $0.version, firstBlock: $0.firstBlock) })
        }

        func write(metrics: [MetricDefinition], blocks: [HistoryBlock]) async throws {
            var samples = [StoredSample]()
            var failures = [MetricFailureRun]()
            for block in blocks {
                samples += StoreSink.stored(block.samples, chain: chain, block: block.number, timeMilliseconds: block.timestampMilliseconds)
                failures += block.failures.map { StoreSink.run($0, chain: chain, block: block.number) }
            }
            let runs = MetricFailureRun.runs(failures)
            // A metric that failed at some block is recorded as failed in the chunk, with its first error.
            var firstFailure = [String: MetricFailureRun]()
            for run in runs where (firstFailure[run.metric]?.firstBlock ?? .max) > run.firstBlock { firstFailure[run.metric] = run }
            let loading = ranges(metrics.filter { firstFailure[$0.name] == nil })
            let failing = ranges(metrics.filter { firstFailure[$0.name] != nil }).map { range in
                let first = firstFailure[range.metric]!
                return FailedRange(range: range, error: "\(first.message) [\(first.reason)]; failed at \(failures.count { $0.metric == range.metric }) block(s) from \(first.firstBlock)")
            }
            try await held.write(samples, loading: loading, failing: failing, failures: runs)
        }

        func recordFailure(metrics: [MetricDefinition], error: String) async throws {
            try await held.recordFailure(ranges(metrics), error: error)
        }

        func release() async {
            await held.release()
        }

        private func ranges(_ metrics: [MetricDefinition]) -> [LoadedRange] {
            metrics.map { LoadedRange(chain: chain, metric: $0.name, version: $0.version, firstBlock: chunk.lowerBound, lastBlock: chunk.upperBound) }
        }
    }

    /// The definitions in use, kept in the store's `metric_metadata`.
    public static func definitions(_ definitions: [MetricDefinition]) -> [StoredDefinition] {
        definitions.map { StoredDefinition(name: $0.name, version: $0.version, json: $0.json) }
    }
}
