/// Where a block's samples go besides Prometheus: the history store. The follower writes to it
/// before the registry, so a failed write leaves the block unprocessed, to be tried again
/// whole (counters are never increased twice).
public protocol SampleSink: Sendable {
    func write(chain: String, block: UInt64, timeMilliseconds: UInt64?, samples: [Sample]) async throws
}
