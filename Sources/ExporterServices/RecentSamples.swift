public import Exporter
import Foundation
import Synchronization
public import WebUI

/// The blocks followed, into `RecentBuckets`, for a landing page without a store. It never
/// fails a block's write.
public final class RecentSamples: SampleSink {
    private let state: Mutex<RecentBuckets>

    public init(measures: [Headlines.Measure] = Headlines.measures) {
        state = Mutex(RecentBuckets(measures: measures))
    }

    public func write(chain: String, block: UInt64, timeMilliseconds: UInt64?, samples: [Sample], failures: [MetricFailure]) async throws {
        // A block without a timestamp (genesis) is drawn when it was processed.
        let time = timeMilliseconds.map { Int64(clamping: $0) } ?? Int64(Date().timeIntervalSince1970 * 1000)
        state.withLock { $0.record(chain: chain, time: time, samples: samples) }
    }

    public func charts(chain: String) -> [Headlines.Chart] {
        state.withLock { $0.charts(chain: chain) }
    }
}
