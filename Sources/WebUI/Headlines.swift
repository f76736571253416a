public import MetricStore

/// The landing page's charts: a few headline measurements of each chain over its last hours,
/// drawn on the server from the store, or from memory when there is none.
public enum Headlines {
    public struct Measure: Sendable, Equatable {
        public let title: String
        /// The metric as stored (without `runtime_`) and the label values its series must have;
        /// the matching series are added up.
        public let metric: String
        public let labels: [String: String]
        /// A counter: its increments are added up per bucket; otherwise a gauge's last value.
        public let counts: Bool
        public let unit: String

        public init(title: String, metric: String, labels: [String: String] = [:], counts: Bool, unit: String) {
            (self.title, self.metric, self.labels, self.counts, self.unit) = (title, metric, labels, counts, unit)
        }
    }

    public static let measures: [Measure] = [
        Measure(title: "Total issuance", metric: "balances_total_issuance_tokens", counts: false, unit: "tokens"),
        Measure(title: "Transfers", metric: "events_total", labels: ["pallet": "Balances", "event": "Transfer"], counts: true, unit: "per 5 minutes"),
        Measure(title: "Fees", metric: "transaction_payment_fees_tokens_total", counts: true, unit: "tokens per 5 minutes"),
        Measure(title: "Staked this era", metric: "staking_era_total_stake_tokens", counts: false, unit: "tokens"),
        Measure(title: "XCM transfers", metric: "xcm_transfers_total", counts: true, unit: "per 5 minutes"),
        Measure(title: "Calls", metric: "extrinsics_total", counts: true, unit: "per 5 minutes"),
    ]

    /// How far back the charts reach, and their buckets' width, in milliseconds.
    public static let window: Int64 = 6 * 3_600_000
    public static let bucket: Int64 = 300_000

    /// One measurement's points (bucket start, value), oldest first.
    public struct Chart: Sendable, Equatable {
        public let measure: Measure
        public let points: [TimeseriesPoint]

        public init(measure: Measure, points: [TimeseriesPoint]) {
            self.measure = measure
            self.points = points
        }
    }

    /// Where a chain's charts come from.
    public enum Source: String, Sendable {
        case store
        case memory
    }
}
