/// Why one metric gave no sample at one block. A failure of the data (a value that does not
/// decode, a field that is absent, a number that overflows) costs that metric's sample for that
/// block only: the block's other metrics are kept and following goes on. Failures of the node
/// (transport, timeouts, garbled frames) are other errors and retry the block.
public struct MetricFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// A small fixed set, so that `runtime_exporter_metric_failures_total{reason}` stays bounded.
    public enum Reason: String, Sendable, CaseIterable, Comparable {
        /// A stored value's bytes do not decode as the runtime's type.
        case undecodable
        /// An item, key, field or constant the metric reads is absent at this block.
        case missing
        /// The value has another shape than the metric expects (no single integer where one should be).
        case shape
        /// A total beyond what 128 bits hold.
        case overflow
        /// The block's extrinsics or events do not decode, so a metric reading them has nothing to read.
        case blockUndecodable = "block_undecodable"

        public static func < (lhs: Reason, rhs: Reason) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The definition whose sample is missing.
    public let metric: String
    public let reason: Reason
    public let message: String

    public init(metric: String, reason: Reason, message: String) {
        self.metric = metric
        self.reason = reason
        self.message = message
    }

    public var description: String { "\(metric): \(message) (\(reason.rawValue))" }
}

/// A block's samples, and the metrics that gave none at it and why.
public struct BlockEvaluation: Sendable {
    public var samples: [Sample]
    public var failures: [MetricFailure]

    public init(samples: [Sample] = [], failures: [MetricFailure] = []) {
        self.samples = samples
        self.failures = failures
    }
}

/// What a block's decoding left out: its extrinsics or its events, when they do not decode with
/// the block's runtime. Metrics reading them fail for that block; storage metrics do not.
public struct UndecodedParts: Sendable, Equatable {
    public var extrinsics: String?
    public var events: String?

    public init(extrinsics: String? = nil, events: String? = nil) {
        self.extrinsics = extrinsics
        self.events = events
    }

    /// Why a reader of `parts` has nothing to read; nil when those parts decoded.
    func reason(reading parts: BlockParts) -> String? {
        if parts.contains(.extrinsics), let extrinsics { return "the block's extrinsics do not decode: \(extrinsics)" }
        if parts.contains(.events), let events { return "the block's events do not decode: \(events)" }
        return nil
    }
}

/// The parts of a block's body a metric reads.
public struct BlockParts: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let extrinsics = BlockParts(rawValue: 1)
    public static let events = BlockParts(rawValue: 2)
}
