/// What the status page shows of one followed chain, taken at the moment of the request.
public struct ChainStatus: Sendable {
    public enum State: String, Sendable {
        case starting, following
        case waiting = "waiting for the node"
    }

    public struct Endpoint: Sendable {
        public var url: String
        /// Whether its last request was answered; nil before the first.
        public var answered: Bool?
        public var requests: Int
        public var failures: Int
        public var lastLatencySeconds: Double?
        public var lastError: String?

        public init(url: String, answered: Bool?, requests: Int, failures: Int, lastLatencySeconds: Double?, lastError: String?) {
            self.url = url
            self.answered = answered
            self.requests = requests
            self.failures = failures
            self.lastLatencySeconds = lastLatencySeconds
            self.lastError = lastError
        }
    }

    public struct History: Sendable {
        public enum State: String, Sendable {
            case waiting = "waiting for the first followed block"
            case loading
            case loaded
            case retrying = "failed, retrying"
        }

        public var state: State
        public var from: UInt64
        public var to: UInt64?
        /// Blocks of the range not yet loaded (nil until the range is known).
        public var remaining: UInt64?
        public var failedChunks: Int
        public var lastError: String?

        public init(state: State, from: UInt64, to: UInt64?, remaining: UInt64?, failedChunks: Int, lastError: String?) {
            self.state = state
            self.from = from
            self.to = to
            self.remaining = remaining
            self.failedChunks = failedChunks
            self.lastError = lastError
        }

        /// Blocks in the range, once its end is known.
        public var blocks: UInt64? { to.map { $0 >= from ? $0 - from + 1 : 0 } }

        /// Share of the range loaded, 0…1.
        public var fraction: Double? {
            guard let blocks, let remaining, blocks > 0 else { return nil }
            return Double(blocks - min(remaining, blocks)) / Double(blocks)
        }
    }

    /// A metric that gave no sample at some followed blocks, for one reason.
    public struct MetricFailures: Sendable {
        public var metric: String
        public var reason: String
        public var blocks: UInt64
        public var firstBlock: UInt64
        public var lastBlock: UInt64
        public var message: String

        public init(metric: String, reason: String, blocks: UInt64, firstBlock: UInt64, lastBlock: UInt64, message: String) {
            self.metric = metric
            self.reason = reason
            self.blocks = blocks
            self.firstBlock = firstBlock
            self.lastBlock = lastBlock
            self.message = message
        }
    }

    public var name: String
    public var state: State
    /// `finalized` or `best`.
    public var follows: String
    /// The node's best block, when known.
    public var bestHead: UInt64?
    /// The head followed (finalized, or best when following best heads), as last notified.
    public var followedHead: UInt64?
    public var processed: UInt64?
    public var runtime: String?
    public var token: String?
    public var endpoints: [Endpoint]
    public var history: History?
    public var lastError: String?
    public var metricFailures: [MetricFailures]

    public init(
        name: String, state: State, follows: String, bestHead: UInt64?, followedHead: UInt64?, processed: UInt64?, runtime: String?,
        token: String?, endpoints: [Endpoint], history: History?, lastError: String?, metricFailures: [MetricFailures] = []
    ) {
        self.metricFailures = metricFailures
        self.name = name
        self.state = state
        self.follows = follows
        self.bestHead = bestHead
        self.followedHead = followedHead
        self.processed = processed
        self.runtime = runtime
        self.token = token
        self.endpoints = endpoints
        self.history = history
        self.lastError = lastError
    }

    /// Followed blocks not yet processed.
    public var lag: UInt64? {
        guard let processed, let followedHead else { return nil }
        return followedHead > processed ? followedHead - processed : 0
    }
}
