public import Exporter
public import MetricStore
public import WebUI

/// The headline measurements of each chain over the last hours, in memory: per 5-minute bucket,
/// a gauge's last value or a counter's increments added up. What the landing page draws when
/// there is no store. I/O-free; `RecentSamples` feeds it the blocks followed.
public struct RecentBuckets: Sendable {
    public let measures: [Headlines.Measure]
    private struct Key: Hashable {
        let chain: String
        let measure: Int
    }
    private var buckets = [Key: [Int64: Double]]()
    /// The latest bucket of each chain: what falls out of the window is dropped against it.
    private var latest = [String: Int64]()

    public init(measures: [Headlines.Measure] = Headlines.measures) {
        self.measures = measures
    }

    /// One block's samples at `time` (Unix milliseconds).
    public mutating func record(chain: String, time: Int64, samples: [Sample]) {
        let bucket = time - ((time % Headlines.bucket) + Headlines.bucket) % Headlines.bucket
        for (index, measure) in measures.enumerated() {
            let matching = samples.filter { sample in
                sample.metric == measure.metric && measure.labels.allSatisfy { sample.labels.contains(Sample.Label($0.key, $0.value)) }
            }
            let key = Key(chain: chain, measure: index)
            // A counter quiet in this block counts 0 once the chain has shown it; a gauge not read keeps its last value.
            guard !matching.isEmpty || (measure.counts && buckets[key] != nil) else { continue }
            let value = matching.map(\.value.double).reduce(0, +)
            if measure.counts { buckets[key, default: [:]][bucket, default: 0] += value } else { buckets[key, default: [:]][bucket] = value }
        }
        guard bucket > latest[chain] ?? .min else { return }
        latest[chain] = bucket
        let oldest = bucket - Headlines.window
        for key in buckets.keys where key.chain == chain { buckets[key] = buckets[key]?.filter { $0.key > oldest } }
    }

    /// The charts of `chain` with any point, in the order of `measures`.
    public func charts(chain: String) -> [Headlines.Chart] {
        measures.enumerated().compactMap { index, measure in
            guard let points = buckets[Key(chain: chain, measure: index)], !points.isEmpty else { return nil }
            return Headlines.Chart(measure: measure, points: points.sorted { $0.key < $1.key }.map { TimeseriesPoint(time: $0.key, value: $0.value) })
        }
    }
}
