import Foundation
import MetricStore
import Synchronization

/// A real SQLite store that keeps the order of what reached it: every write (followed blocks,
/// chunks, failures) and the close, so a test can tell whether anything was written after it.
final class WatchedStore: MetricStore {
    enum Event: Equatable {
        case write(samples: Int)
        /// With the writes still under way when it came.
        case closed(writesUnderWay: Int)
    }

    let inner: SQLiteStore
    private let log = Mutex((events: [Event](), underWay: 0))

    init(path: String) throws {
        inner = try SQLiteStore(path: path)
    }

    var events: [Event] { log.withLock { $0.events } }

    /// Runs a write, noted as it starts and counted until it ends.
    fileprivate func writing(samples: Int, _ write: () async throws -> Void) async throws {
        log.withLock {
            $0.events.append(.write(samples: samples))
            $0.underWay += 1
        }
        defer { log.withLock { $0.underWay -= 1 } }
        try await write()
    }

    func migrate() async throws { try await inner.migrate() }
    func saveDefinitions(_ definitions: [StoredDefinition]) async throws { try await inner.saveDefinitions(definitions) }
    func samples(metric: String, chain: String) async throws -> [StoredSample] { try await inner.samples(metric: metric, chain: chain) }
    func loadedRanges(chain: String) async throws -> [LoadedRange] { try await inner.loadedRanges(chain: chain) }
    func metricFailures(chain: String) async throws -> [MetricFailureRun] { try await inner.metricFailures(chain: chain) }
    func definitions() async throws -> [StoredDefinition] { try await inner.definitions() }
    func chainsByMetric() async throws -> [String: Set<String>] { try await inner.chainsByMetric() }
    func sampleTimes(metric: String, chain: String) async throws -> (first: Int64, last: Int64)? { try await inner.sampleTimes(metric: metric, chain: chain) }
    func timeseries(_ query: TimeseriesQuery, source: TimeseriesSource) async throws -> [TimeseriesPoint] { try await inner.timeseries(query, source: source) }
    func seriesValues(_ query: TimeseriesQuery) async throws -> [SeriesValue] { try await inner.seriesValues(query) }

    func writeChunk(_ samples: [StoredSample], loading ranges: [LoadedRange], failing: [FailedRange], failures: [MetricFailureRun]) async throws {
        try await writing(samples: samples.count) { try await inner.writeChunk(samples, loading: ranges, failing: failing, failures: failures) }
    }

    func recordFailure(_ ranges: [LoadedRange], error: String) async throws {
        try await writing(samples: 0) { try await inner.recordFailure(ranges, error: error) }
    }

    func claimChunk(chain: String, chunk: ClosedRange<UInt64>, wait: Bool) async throws -> (any ChunkClaim)? {
        try await inner.claimChunk(chain: chain, chunk: chunk, wait: wait).map { WatchedClaim(inner: $0, store: self) }
    }

    func close() async throws {
        log.withLock { $0.events.append(.closed(writesUnderWay: $0.underWay)) }
        try await inner.close()
    }

    private struct WatchedClaim: ChunkClaim {
        let inner: any ChunkClaim
        let store: WatchedStore

        func loadedRanges() async throws -> [LoadedRange] { try await inner.loadedRanges() }
        func release() async { await inner.release() }

        func write(_ samples: [StoredSample], loading ranges: [LoadedRange], failing: [FailedRange], failures: [MetricFailureRun]) async throws {
            try await store.writing(samples: samples.count) { try await inner.write(samples, loading: ranges, failing: failing, failures: failures) }
        }

        func recordFailure(_ ranges: [LoadedRange], error: String) async throws {
            try await store.writing(samples: 0) { try await inner.recordFailure(ranges, error: error) }
        }
    }
}
