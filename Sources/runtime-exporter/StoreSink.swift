import Exporter
import Foundation
import MetricStore

/// Samples into the history store: followed blocks one transaction each, loaded history one
/// chunk each; a block without a timestamp is stored at the time it was processed.
struct StoreSink: SampleSink, HistorySink {
    let store: any MetricStore

    func write(chain: String, block: UInt64, timeMilliseconds: UInt64?, samples: [Sample]) async throws {
        try await store.write(Self.stored(samples, chain: chain, block: block, timeMilliseconds: timeMilliseconds))
    }

    static func stored(_ samples: [Sample], chain: String, block: UInt64, timeMilliseconds: UInt64?) -> [StoredSample] {
        let time = timeMilliseconds.map { Int64(clamping: $0) } ?? Int64(Date().timeIntervalSince1970 * 1000)
        return samples.map { sample in
            StoredSample(
                metric: sample.metric, chain: chain, labels: Dictionary(sample.labels.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first }),
                block: block, timeMilliseconds: time, value: sample.value.double, exact: sample.value.description)
        }
    }

    func loadedChunks(chain: String) async throws -> Set<HistoryChunk> {
        Set(try await store.loadedRanges(chain: chain).map { HistoryChunk(metric: $0.metric, version: $0.version, firstBlock: $0.firstBlock) })
    }

    func writeChunk(chain: String, chunk: ClosedRange<UInt64>, metrics: [MetricDefinition], blocks: [HistoryBlock]) async throws {
        var samples = [StoredSample]()
        for block in blocks { samples += Self.stored(block.samples, chain: chain, block: block.number, timeMilliseconds: block.timestampMilliseconds) }
        let ranges = metrics.map { LoadedRange(chain: chain, metric: $0.name, version: $0.version, firstBlock: chunk.lowerBound, lastBlock: chunk.upperBound) }
        try await store.writeChunk(samples, loading: ranges)
    }

    func recordFailure(chain: String, chunk: ClosedRange<UInt64>, metrics: [MetricDefinition], error: String) async throws {
        try await store.recordFailure(
            metrics.map { LoadedRange(chain: chain, metric: $0.name, version: $0.version, firstBlock: chunk.lowerBound, lastBlock: chunk.upperBound) },
            error: error)
    }

    /// The definitions in use, kept in the store's `metric_metadata`.
    static func definitions(_ definitions: [MetricDefinition]) -> [StoredDefinition] {
        definitions.map { StoredDefinition(name: $0.name, version: $0.version, json: $0.json) }
    }
}
