/// Where a block's samples go besides Prometheus: the history store. The follower writes to it
/// before the registry, so a failed write leaves the block unprocessed, to be tried again
/// whole (counters are never increased twice). `failures`: the metrics that gave no sample
/// at the block, kept with it so that the store can say which blocks a metric lacks and why.
public protocol SampleSink: Sendable {
    func write(chain: String, block: UInt64, timeMilliseconds: UInt64?, samples: [Sample], failures: [MetricFailure]) async throws
}
