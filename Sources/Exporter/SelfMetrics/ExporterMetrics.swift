public import Prometheus
public import SubstrateRPC

/// The exporter's own health, as a Prometheus registry (swift-prometheus): whether each
/// endpoint answers, RPC latency and errors per endpoint and method (the synthetic probe of the
/// node), blocks processed, lag behind the finalized head, time from a finalized head's
/// notification to its metrics, and errors by stage.
public final class ExporterMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()

    /// Seconds: RPC calls and block processing on a healthy node take milliseconds, a slow one seconds.
    static let latencyBuckets: [Double] = [0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    public init() {}

    /// What the RPC transports of `chain` report to.
    public func observer(chain: String) -> any RPCObserver {
        ChainRPCObserver(metrics: self, chain: chain)
    }

    func requestFinished(chain: String, endpoint: String, method: String, duration: Duration, error: RPCError?) {
        let seconds = Self.seconds(duration)
        registry.makeValueHistogram(
            descriptor: .init(namespace: "runtime_exporter", metricName: "rpc_request_duration", unitName: "seconds", helpText: "Time from sending a JSON-RPC request to its answer, per endpoint and method."),
            labels: [("chain", chain), ("endpoint", endpoint), ("method", method)], buckets: Self.latencyBuckets
        ).record(seconds)
        // An RPC error is an answer: the node is up. No answer (refused, dropped, timed out) is down.
        var answered = true
        if let error {
            counter("rpc_errors", "JSON-RPC requests that failed, per endpoint, method and kind of failure.",
                    [("chain", chain), ("endpoint", endpoint), ("method", method), ("kind", error.kind.label)]).increment()
            if case .rpc = error.kind {} else { answered = false }
        }
        gauge("up", "", "Whether the endpoint answered its last request (1) or not (0).", [("chain", chain), ("endpoint", endpoint)])
            .set(to: answered ? 1 : 0)
    }

    /// What the node says of its chain's token and addresses (`system_properties`), as labels.
    public func chainInfo(chain: String, symbol: String, decimals: Int, ss58Format: UInt16?) {
        gauge("chain_info", "", "The chain's token and address format as its node gives them (system_properties); the value is always 1.", [
            ("chain", chain), ("token_symbol", symbol), ("token_decimals", String(decimals)), ("ss58_format", ss58Format.map(String.init) ?? ""),
        ]).set(to: 1)
    }

    /// A block's metrics are in the registry.
    public func blockProcessed(chain: String, number: UInt64, finalized: UInt64) {
        counter("blocks_processed", "Finalized blocks processed.", [("chain", chain)]).increment()
        gauge("processed_block", "", "Number of the last block processed.", [("chain", chain)]).set(to: Double(number))
        gauge("finalized_block", "", "The head followed (finalized, or best when following best heads), as last notified.", [("chain", chain)]).set(to: Double(finalized))
        gauge("lag", "blocks", "Finalized blocks not yet processed.", [("chain", chain)]).set(to: Double(finalized - min(number, finalized)))
    }

    /// Every block up to a notified finalized head is processed, `duration` after the notification.
    public func headProcessed(chain: String, duration: Duration) {
        let seconds = Self.seconds(duration)
        registry.makeValueHistogram(
            descriptor: .init(namespace: "runtime_exporter", metricName: "head_processing", unitName: "seconds", helpText: "Time from a finalized head's notification to the metrics of every block up to it."),
            labels: [("chain", chain)], buckets: Self.latencyBuckets
        ).record(seconds)
    }

    /// A collector (a Swift one, or `definitions` for all declarative ones) took `duration` on a block.
    public func collectorFinished(chain: String, collector: String, duration: Duration) {
        registry.makeValueHistogram(
            descriptor: .init(namespace: "runtime_exporter", metricName: "collector_duration", unitName: "seconds", helpText: "Time a collector took to compute one block's samples."),
            labels: [("chain", chain), ("collector", collector)], buckets: Self.latencyBuckets
        ).record(Self.seconds(duration))
    }

    /// A metric gave no sample at a block (see `MetricFailure`).
    public func metricFailed(chain: String, metric: String, reason: MetricFailure.Reason) {
        counter("metric_failures", "Blocks at which a metric gave no sample, by metric and reason (undecodable, missing, shape, overflow, block_undecodable); the other metrics of those blocks are kept.",
                [("chain", chain), ("metric", metric), ("reason", reason.rawValue)]).increment()
    }

    /// A scheduled read (a storage map, a scheduled collector) finished: its values are those of `block`.
    public func scheduledRead(chain: String, task: String, block: UInt64) {
        gauge("scheduled_block", "", "The block whose state the last run of a scheduled read (storage maps, voter bags) reflects.", [("chain", chain), ("task", task)])
            .set(to: Double(block))
    }

    /// Reads of a scheduled task due or started and not yet finished: above 1 for long, its
    /// reads take longer than its schedule allows.
    public func scheduledPending(chain: String, task: String, reads: Int) {
        gauge("scheduled_reads_pending", "", "Reads of a scheduled task that are due or running and not yet finished.", [("chain", chain), ("task", task)])
            .set(to: Double(reads))
    }

    /// A history load's range, in blocks, as it starts.
    public func historyStarted(chain: String, blocks: UInt64) {
        gauge("history_range", "blocks", "Blocks in the history range being loaded.", [("chain", chain)]).set(to: Double(blocks))
        gauge("history_remaining", "blocks", "Blocks of the history range still to load.", [("chain", chain)]).set(to: Double(blocks))
        _ = counter("history_blocks_loaded", "Blocks of history loaded into the store by this process.", [("chain", chain)])
    }

    /// A chunk of history is done (loaded, found loaded, or failed).
    public func historyProgress(chain: String, _ progress: HistoryLoader.Progress) {
        let loaded = counter("history_blocks_loaded", "Blocks of history loaded into the store by this process.", [("chain", chain)])
        if progress.outcome == .loaded { loaded.increment(by: Int64(progress.chunk.count)) }
        for failed in progress.metricFailures { metricFailed(chain: chain, metric: failed.failure.metric, reason: failed.failure.reason) }
        gauge("history_remaining", "blocks", "Blocks of the history range still to load.", [("chain", chain)]).set(to: Double(progress.blocksLeft))
        gauge("history_failed_chunks", "", "Chunks of history that failed after their retries, recorded as failed (a later load retries them).", [("chain", chain)])
            .set(to: Double(progress.failures))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// The stages errors are counted by: following, scheduled reads, history loading.
    public static let errorStages = ["follow", "scheduled", "history"]

    /// Something failed at `stage` (one of `errorStages`); what is logged says what.
    public func error(chain: String, stage: String) {
        counter("errors", "Failures by stage; each is logged with its block.", [("chain", chain), ("stage", stage)]).increment()
    }

    /// A chain's error counters start at 0 rather than at their first error, so that `rate()`
    /// and `increase()` (dashboards, alerts) see the first error too.
    public func chainStarted(chain: String) {
        for stage in Self.errorStages {
            _ = counter("errors", "Failures by stage; each is logged with its block.", [("chain", chain), ("stage", stage)])
        }
    }

    public func exposition() -> String {
        registry.emitToString()
    }

    private func counter(_ name: String, _ help: String, _ labels: [(String, String)]) -> Counter {
        registry.makeCounter(descriptor: .init(namespace: "runtime_exporter", metricName: name, unitName: "total", helpText: help), labels: labels)
    }

    private func gauge(_ name: String, _ unit: String, _ help: String, _ labels: [(String, String)]) -> Gauge {
        registry.makeGauge(descriptor: .init(namespace: "runtime_exporter", metricName: name, unitName: unit, helpText: help), labels: labels)
    }
}

/// Reports one chain's RPC requests to the exporter's metrics.
struct ChainRPCObserver: RPCObserver {
    let metrics: ExporterMetrics
    let chain: String

    func requestFinished(endpoint: String, method: String, duration: Duration, error: RPCError?) {
        metrics.requestFinished(chain: chain, endpoint: endpoint, method: method, duration: duration, error: error)
    }
}
