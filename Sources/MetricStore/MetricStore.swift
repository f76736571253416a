public import ExactJSON
import Foundation

/// Where samples of finalized blocks are kept for history. One schema serves every metric:
/// `series` (metric, chain, labels), `samples` (series, time, block, value), their rollups
/// per five minutes, hour and day (`sample_five_minutes`, `sample_hours`, `sample_days`), `metric_metadata`
/// (the definitions), `backfill_ranges` and `schema_migrations`. Writes are idempotent: a
/// sample written twice (a restart, an overlapping load) is stored once, the later value kept.
public protocol MetricStore: Sendable {
    /// Brings the schema to the newest version; safe with several processes at once.
    func migrate() async throws
    /// Keeps the definitions in use (by name, with their version) for the API and SQL users.
    func saveDefinitions(_ definitions: [StoredDefinition]) async throws
    /// The samples of one metric of one chain, oldest first.
    func samples(metric: String, chain: String) async throws -> [StoredSample]
    /// The chunks of history loaded for a chain, per metric and version.
    func loadedRanges(chain: String) async throws -> [LoadedRange]
    /// A chunk of history in one transaction: the samples the chunk's metrics had in its blocks
    /// go (a version bump reloads them), the new ones are written, and the chunk is recorded as
    /// loaded for each metric of `ranges`, and as failed with its error for each of `failing`
    /// (so a rerun reloads those metrics only). `failures` are kept with the blocks they name
    /// (`metricFailures`); those an earlier load recorded in the ranges go. A crash leaves
    /// either all of it or none. Without ranges: a followed block's samples and failures.
    func writeChunk(_ samples: [StoredSample], loading ranges: [LoadedRange], failing: [FailedRange], failures: [MetricFailureRun]) async throws
    /// The blocks at which a chain's metrics gave no sample, and why, by metric and first block.
    func metricFailures(chain: String) async throws -> [MetricFailureRun]
    /// Chunks that could not be loaded, with the error: never marked loaded, so a rerun retries them.
    func recordFailure(_ ranges: [LoadedRange], error: String) async throws
    /// Takes a chunk of history for this process until the claim writes it, records its failure or
    /// is released. Nil when another process holds it and `wait` is false; with `wait`, blocks
    /// until that process is done. A process that dies loses its claims with its connection.
    func claimChunk(chain: String, chunk: ClosedRange<UInt64>, wait: Bool) async throws -> (any ChunkClaim)?
    func close() async throws

    // Reading for the query API: every metric through the same queries.

    /// The definitions kept by `saveDefinitions`, by name.
    func definitions() async throws -> [StoredDefinition]
    /// Each metric with samples, and the chains it has them for.
    func chainsByMetric() async throws -> [String: Set<String>]
    /// The times (Unix milliseconds) of a metric's first and last sample on a chain; nil without samples.
    func sampleTimes(metric: String, chain: String) async throws -> (first: Int64, last: Int64)?
    /// A metric bucketed and aggregated in the database (see `TimeseriesQuery`); buckets
    /// without samples are left out. Both sources give the same answer; `fastest` reads
    /// rollups where they serve (`RollupReadPlan`).
    func timeseries(_ query: TimeseriesQuery, source: TimeseriesSource) async throws -> [TimeseriesPoint]
    /// Each series of the query's metric and chain whose labels hold the query's: its value
    /// over the whole range under the query's aggregation, alone (the interval is not used).
    /// Series without samples in the range are left out.
    func seriesValues(_ query: TimeseriesQuery) async throws -> [SeriesValue]
}

/// Where a timeseries query reads from.
public enum TimeseriesSource: Sendable {
    /// Rollups for whole five minutes, hours and days where the query allows, samples elsewhere.
    case fastest
    /// Every sample in the range.
    case samples
}

/// A chunk of history held by this process (see `MetricStore.claimChunk`). Ends with one of
/// `write`, `recordFailure` or `release`.
public protocol ChunkClaim: Sendable {
    /// What is loaded in the chunk now: another process may have loaded it since the range was planned.
    func loadedRanges() async throws -> [LoadedRange]
    /// `MetricStore.writeChunk`, then the claim ends.
    func write(_ samples: [StoredSample], loading ranges: [LoadedRange], failing: [FailedRange], failures: [MetricFailureRun]) async throws
    /// `MetricStore.recordFailure`, then the claim ends.
    func recordFailure(_ ranges: [LoadedRange], error: String) async throws
    /// Gives the chunk up unchanged.
    func release() async
}

extension MetricStore {
    public func timeseries(_ query: TimeseriesQuery) async throws -> [TimeseriesPoint] {
        try await timeseries(query, source: .fastest)
    }

    /// Samples in one transaction.
    public func write(_ samples: [StoredSample]) async throws {
        try await writeChunk(samples, loading: [], failing: [], failures: [])
    }

    /// A followed block's samples and the failures of the metrics that gave none, in one transaction.
    public func write(_ samples: [StoredSample], failures: [MetricFailureRun]) async throws {
        try await writeChunk(samples, loading: [], failing: [], failures: failures)
    }

    public func writeChunk(_ samples: [StoredSample], loading ranges: [LoadedRange]) async throws {
        try await writeChunk(samples, loading: ranges, failing: [], failures: [])
    }
}

extension ChunkClaim {
    public func write(_ samples: [StoredSample], loading ranges: [LoadedRange]) async throws {
        try await write(samples, loading: ranges, failing: [], failures: [])
    }
}

/// A metric that gave no sample at any of the blocks `firstBlock…lastBlock` of a chain, for one
/// reason (`undecodable`, `missing`, `shape`, `overflow`, `block_undecodable`); `message` is the
/// first block's error.
public struct MetricFailureRun: Sendable, Equatable {
    public var chain: String
    public var metric: String
    public var reason: String
    public var firstBlock: UInt64
    public var lastBlock: UInt64
    public var message: String

    public init(chain: String, metric: String, reason: String, firstBlock: UInt64, lastBlock: UInt64, message: String) {
        self.chain = chain
        self.metric = metric
        self.reason = reason
        self.firstBlock = firstBlock
        self.lastBlock = lastBlock
        self.message = message
    }

    /// Failures of single blocks (or runs) joined into runs of consecutive blocks per metric
    /// and reason, each keeping its first block's message.
    public static func runs(_ failures: [MetricFailureRun]) -> [MetricFailureRun] {
        var runs = [MetricFailureRun]()
        var open = [String: Int]()
        for failure in failures.sorted(by: { ($0.metric, $0.reason, $0.firstBlock) < ($1.metric, $1.reason, $1.firstBlock) }) {
            let key = failure.metric + "\u{0}" + failure.reason
            if let index = open[key], runs[index].lastBlock + 1 >= failure.firstBlock {
                runs[index].lastBlock = max(runs[index].lastBlock, failure.lastBlock)
            } else {
                open[key] = runs.count
                runs.append(failure)
            }
        }
        return runs
    }
}

/// A chunk of history a metric failed in: recorded as failed with `error`, never as loaded.
public struct FailedRange: Sendable, Equatable {
    public var range: LoadedRange
    public var error: String

    public init(range: LoadedRange, error: String) {
        self.range = range
        self.error = error
    }
}

/// One sample as the store keeps it: the exact decimal text and its `Double`.
public struct StoredSample: Sendable, Equatable {
    public var metric: String
    public var chain: String
    /// Label pairs by name; the chain is a column of its own.
    public var labels: [String: String]
    public var block: UInt64
    /// Unix time of the block (its `Timestamp.Now`), in milliseconds; 0 for a block without one.
    public var timeMilliseconds: Int64
    public var value: Double
    /// The exact value (`"1234.5678901234"`): u128 balances survive where a `Double` cannot.
    public var exact: String

    public init(metric: String, chain: String, labels: [String: String], block: UInt64, timeMilliseconds: Int64, value: Double, exact: String) {
        self.metric = metric
        self.chain = chain
        self.labels = labels
        self.block = block
        self.timeMilliseconds = timeMilliseconds
        self.value = value
        self.exact = exact
    }

    /// The labels as stored: a JSON object with keys in name order, so one label set is one text.
    public var labelsJSON: String {
        if labels.isEmpty { return "{}" }
        let pairs = labels.sorted { $0.key < $1.key }
        // Names and values that need no escaping (nearly all) are joined directly, as the
        // serialiser would write them.
        guard pairs.allSatisfy({ Self.isPlain($0.key) && Self.isPlain($0.value) }) else {
            return JSON.object(pairs.map { JSON.Member($0.key, .string($0.value)) }).serialized()
        }
        var text = "{"
        for (index, pair) in pairs.enumerated() {
            if index > 0 { text += "," }
            text += "\"" + pair.key + "\":\"" + pair.value + "\""
        }
        return text + "}"
    }

    private static func isPlain(_ text: String) -> Bool {
        !text.utf8.contains { $0 < 0x20 || $0 >= 0x80 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
    }
}

/// Blocks `firstBlock…lastBlock` of a chain loaded for one metric at one version.
public struct LoadedRange: Sendable, Hashable {
    public var chain: String
    public var metric: String
    public var version: String
    public var firstBlock: UInt64
    public var lastBlock: UInt64

    public init(chain: String, metric: String, version: String, firstBlock: UInt64, lastBlock: UInt64) {
        self.chain = chain
        self.metric = metric
        self.version = version
        self.firstBlock = firstBlock
        self.lastBlock = lastBlock
    }
}

/// A definition as the store keeps it: its name, version and the whole record as JSON.
public struct StoredDefinition: Sendable, Equatable {
    public var name: String
    public var version: String
    public var json: JSON

    public init(name: String, version: String, json: JSON) {
        self.name = name
        self.version = version
        self.json = json
    }
}

/// A store that cannot do what was asked, by what went wrong: callers tell a store address
/// they cannot use (a configuration error) from a database that failed (retried).
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// `--store` (or PGPORT) does not say where a store is.
        case location
        /// The store cannot be opened or reached.
        case unreachable
        /// A statement or transaction failed.
        case failed
        /// A chunk claim used after it ended.
        case claimEnded
    }

    public let kind: Kind
    public let description: String

    public init(_ kind: Kind, _ description: String) {
        (self.kind, self.description) = (kind, description)
    }
}

/// Who wrote a chunk, as `backfill_ranges.loaded_by` records it.
public enum StoreOwner {
    /// This process, as `host:pid`.
    public static var thisProcess: String {
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    }
}
