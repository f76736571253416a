/// The failures of one chain's metrics as blocks bring them, without I/O: which to log (the
/// first of each runtime version, metric and reason, with its block: a metric failing at every
/// block says so once, not per block) and a summary per metric and reason for the status page.
public struct MetricFailureLog: Sendable {
    /// One metric's failures for one reason.
    public struct Entry: Sendable, Equatable {
        public let metric: String
        public let reason: MetricFailure.Reason
        /// Blocks at which it failed.
        public var blocks: UInt64
        public var firstBlock: UInt64
        public var lastBlock: UInt64
        /// The latest block's error.
        public var message: String
    }

    private struct Key: Hashable {
        let metric: String
        let reason: MetricFailure.Reason
    }

    private var entries: [Key: Entry] = [:]
    private var logged: Set<LoggedKey> = []

    private struct LoggedKey: Hashable {
        let specVersion: UInt32
        let key: Key
    }

    public init() {}

    /// Takes a block's failures; gives those to log now, the first of their runtime version,
    /// metric and reason.
    public mutating func record(_ failures: [MetricFailure], block: UInt64, specVersion: UInt32) -> [MetricFailure] {
        var toLog = [MetricFailure]()
        for failure in failures {
            let key = Key(metric: failure.metric, reason: failure.reason)
            if var entry = entries[key] {
                entry.blocks += 1
                entry.firstBlock = min(entry.firstBlock, block)
                entry.lastBlock = max(entry.lastBlock, block)
                entry.message = failure.message
                entries[key] = entry
            } else {
                entries[key] = Entry(metric: failure.metric, reason: failure.reason, blocks: 1, firstBlock: block, lastBlock: block, message: failure.message)
            }
            if logged.insert(LoggedKey(specVersion: specVersion, key: key)).inserted { toLog.append(failure) }
        }
        return toLog
    }

    /// Every metric and reason that failed, by metric name.
    public var summary: [Entry] {
        entries.values.sorted { ($0.metric, $0.reason) < ($1.metric, $1.reason) }
    }
}
