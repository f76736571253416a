import Foundation

/// The chain metrics as Prometheus series, kept exact: a gauge holds its last value, a counter
/// the exact sum of its increases (u128 planck, never a running `Double`), a histogram its
/// bucket counts and exact sum. Renders the text exposition format (0.0.4).
///
/// A scrape must stay cheap with tens of thousands of series: each series keeps its name and
/// labels rendered once, when it first appears, and each family its series in exposition
/// order, sorted again only after a series came or went.
public final class ChainMetricsRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private let definitions: [MetricDefinition]
    private let byName: [String: MetricDefinition]
    private var families: [String: Family] = [:]

    /// Upper bounds of histogram buckets, in the metric's unit (seconds for block times).
    public static let defaultBuckets: [Double] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 18, 24, 30, 60, 120, 300]
    private static let bucketLabels = defaultBuckets.map(number) + ["+Inf"]

    private enum SeriesState {
        case gauge(SampleValue)
        case counter(SampleValue)
        case histogram(buckets: [UInt64], count: UInt64, sum: SampleValue)
    }

    private struct Series {
        /// `{chain="polkadot",pool="1"}`, rendered once.
        let labelText: String
        var state: SeriesState
    }

    private struct Family {
        var series: [[Sample.Label]: Series] = [:]
        /// Label sets in exposition order; nil after a series came or went.
        var order: [[Sample.Label]]?
    }

    public init(definitions: [MetricDefinition]) {
        self.definitions = definitions
        byName = Dictionary(definitions.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Takes one block's samples of one chain: gauges are set, counters increased, histograms
    /// observe. Samples of unknown metrics are ignored. `replacing`: gauges whose every series
    /// of the chain the samples hold, so series they lack are gone (a pool destroyed, a runtime
    /// version replaced, a pallet removed by an upgrade).
    public func record(_ samples: [Sample], chain: String, replacing: Set<String> = []) {
        lock.lock()
        defer { lock.unlock() }
        let chainLabel = Sample.Label("chain", chain)
        // Gauges being replaced: their series of this chain that the samples do not set again go.
        var stale = [String: Set<[Sample.Label]>]()
        for name in replacing where byName[name]?.kind == .gauge {
            if let family = families[name] { stale[name] = Set(family.series.keys.filter { $0.contains(chainLabel) }) }
        }
        for sample in samples {
            guard let definition = byName[sample.metric] else { continue }
            let labels = ([chainLabel] + sample.labels).sorted()
            stale[sample.metric]?.remove(labels)
            var family = families[sample.metric] ?? Family()
            let current = family.series[labels]
            let next: SeriesState
            switch (definition.kind, current?.state) {
            case (.gauge, _):
                next = .gauge(sample.value)
            case let (.counter, .counter(total)?) where total.decimals == sample.value.decimals:
                next = .counter(total + sample.value)
            case (.counter, _):
                next = .counter(sample.value)
            case let (.histogram, .histogram(buckets, count, sum)?) where sum.decimals == sample.value.decimals:
                next = .histogram(buckets: Self.observe(sample.value.double, into: buckets), count: count + 1, sum: sum + sample.value)
            case (.histogram, _):
                next = .histogram(buckets: Self.observe(sample.value.double, into: Array(repeating: 0, count: Self.defaultBuckets.count)), count: 1, sum: sample.value)
            }
            if let current {
                family.series[labels] = Series(labelText: current.labelText, state: next)
            } else {
                family.series[labels] = Series(labelText: Self.render(labels), state: next)
                family.order = nil
            }
            families[sample.metric] = family
        }
        for (name, gone) in stale where !gone.isEmpty {
            for labels in gone { families[name]?.series.removeValue(forKey: labels) }
            families[name]?.order = nil
        }
    }

    private static func observe(_ value: Double, into buckets: [UInt64]) -> [UInt64] {
        var updated = buckets
        for (index, bound) in defaultBuckets.enumerated() where value <= bound { updated[index] += 1 }
        return updated
    }

    /// The text exposition of every series, families in definition order.
    public func exposition() -> String {
        lock.lock()
        defer { lock.unlock() }
        var out = ""
        out.reserveCapacity(families.values.reduce(0) { $0 + $1.series.count } * 96)
        for definition in definitions {
            guard var family = families[definition.name], !family.series.isEmpty else { continue }
            if family.order == nil {
                family.order = family.series.keys.sorted { $0.lexicographicallyPrecedes($1) }
                families[definition.name] = family
            }
            let name = definition.prometheusName
            out += "# HELP \(name) \(Self.escapeHelp(definition.help))\n# TYPE \(name) \(definition.kind.rawValue)\n"
            for labels in family.order! {
                guard let series = family.series[labels] else { continue }
                switch series.state {
                case let .gauge(value), let .counter(value):
                    out += name; out += series.labelText; out += " "; out += value.description; out += "\n"
                case let .histogram(buckets, count, sum):
                    // `le` goes last: the other labels are already in order, and Prometheus
                    // does not require label order anyway.
                    let open = series.labelText.isEmpty ? "{" : String(series.labelText.dropLast()) + ","
                    for (bound, cumulative) in zip(Self.bucketLabels, buckets + [count]) {
                        out += "\(name)_bucket\(open)le=\"\(bound)\"} \(cumulative)\n"
                    }
                    out += "\(name)_sum\(series.labelText) \(sum)\n\(name)_count\(series.labelText) \(count)\n"
                }
            }
        }
        return out
    }

    private static func render(_ labels: [Sample.Label]) -> String {
        labels.isEmpty ? "" : "{" + labels.map { "\($0.name)=\"\(escapeLabel($0.value))\"" }.joined(separator: ",") + "}"
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    private static func escapeLabel(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") }) else { return text }
        return text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    private static func escapeHelp(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}
