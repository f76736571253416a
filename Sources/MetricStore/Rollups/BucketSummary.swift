/// What the samples of one series in one time bucket come to: enough to answer every
/// aggregation but `median` without reading them again, and to merge with a neighbouring
/// bucket's summary. First and last are by block: a chain's block times never go back.
public struct BucketSummary: Sendable, Equatable {
    public var count: Int64
    public var total: Double
    public var minimum: Double
    public var maximum: Double
    public var firstBlock: Int64
    public var firstValue: Double
    public var lastBlock: Int64
    public var lastValue: Double

    public init(count: Int64, total: Double, minimum: Double, maximum: Double, firstBlock: Int64, firstValue: Double, lastBlock: Int64, lastValue: Double) {
        self.count = count
        self.total = total
        self.minimum = minimum
        self.maximum = maximum
        self.firstBlock = firstBlock
        self.firstValue = firstValue
        self.lastBlock = lastBlock
        self.lastValue = lastValue
    }

    /// One sample.
    public init(block: Int64, value: Double) {
        self.init(count: 1, total: value, minimum: value, maximum: value, firstBlock: block, firstValue: value, lastBlock: block, lastValue: value)
    }

    /// Both buckets' samples as one (they hold different samples).
    public mutating func merge(_ other: BucketSummary) {
        count += other.count
        total += other.total
        minimum = Swift.min(minimum, other.minimum)
        maximum = Swift.max(maximum, other.maximum)
        if other.firstBlock < firstBlock { (firstBlock, firstValue) = (other.firstBlock, other.firstValue) }
        if other.lastBlock > lastBlock { (lastBlock, lastValue) = (other.lastBlock, other.lastValue) }
    }

    /// The bucket's value under `aggregation`; nil for `median`, which a summary cannot give.
    public func value(_ aggregation: Aggregation) -> Double? {
        switch aggregation {
        case .avg: total / Double(count)
        case .sum: total
        case .min: minimum
        case .max: maximum
        case .first: firstValue
        case .last: lastValue
        case .count: Double(count)
        case .median: nil
        }
    }
}

/// Summaries keyed by series and bucket start, merged as rows arrive.
struct BucketSummaries: Sendable, Equatable {
    private(set) var byKey: [RollupKey: BucketSummary] = [:]

    init() {}

    init(_ rows: [(key: RollupKey, summary: BucketSummary)]) {
        for (key, summary) in rows { add(summary, at: key) }
    }

    var isEmpty: Bool { byKey.isEmpty }

    mutating func add(_ summary: BucketSummary, at key: RollupKey) {
        if let index = byKey.index(forKey: key) {
            byKey.values[index].merge(summary)
        } else {
            byKey[key] = summary
        }
    }

    /// The same samples in the next coarser level's buckets.
    func rolledUp(to level: RollupLevel) -> BucketSummaries {
        var coarser = BucketSummaries()
        for (key, summary) in byKey { coarser.add(summary, at: RollupKey(series: key.series, bucket: level.start(of: key.bucket))) }
        return coarser
    }

    /// In key order, so that writes touch a table's pages in order.
    var sorted: [(key: RollupKey, summary: BucketSummary)] {
        byKey.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}

/// One series' bucket: its id and the bucket's start in Unix milliseconds.
struct RollupKey: Hashable, Comparable, Sendable {
    let series: Int64
    let bucket: Int64

    static func < (a: RollupKey, b: RollupKey) -> Bool { (a.series, a.bucket) < (b.series, b.bucket) }
}
