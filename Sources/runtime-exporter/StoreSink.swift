import Exporter
import Foundation
import MetricStore

/// Samples of followed blocks into the history store, one transaction per block; a block
/// without a timestamp is stored at the time it was processed.
struct StoreSink: SampleSink {
    let store: any MetricStore

    func write(chain: String, block: UInt64, timeMilliseconds: UInt64?, samples: [Sample]) async throws {
        let time = timeMilliseconds.map { Int64(clamping: $0) } ?? Int64(Date().timeIntervalSince1970 * 1000)
        try await store.write(samples.map { sample in
            StoredSample(
                metric: sample.metric, chain: chain, labels: Dictionary(sample.labels.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first }),
                block: block, timeMilliseconds: time, value: sample.value.double, exact: sample.value.description)
        })
    }

    /// The definitions in use, kept in the store's `metric_metadata`.
    static func definitions(_ definitions: [MetricDefinition]) -> [StoredDefinition] {
        definitions.map { StoredDefinition(name: $0.name, version: $0.version, json: $0.json) }
    }
}
