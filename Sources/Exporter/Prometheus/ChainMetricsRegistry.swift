import Foundation

/// The chain metrics as Prometheus series, kept exact: a gauge holds its last value, a counter
/// the exact sum of its increases (u128 planck, never a running `Double`), a histogram its
/// bucket counts and exact sum. Renders the text exposition format (0.0.4).
public final class ChainMetricsRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private let definitions: [MetricDefinition]
    private let byName: [String: MetricDefinition]
    private var series: [String: [[Sample.Label]: SeriesState]] = [:]

    /// Upper bounds of histogram buckets, in the metric's unit (seconds for block times).
    public static let defaultBuckets: [Double] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 18, 24, 30, 60, 120, 300]

    private enum SeriesState {
        case gauge(SampleValue)
        case counter(SampleValue)
        case histogram(buckets: [UInt64], count: UInt64, sum: SampleValue)
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
        for name in replacing where byName[name]?.kind == .gauge {
            series[name] = series[name]?.filter { !$0.key.contains(chainLabel) }
        }
        for sample in samples {
            guard let definition = byName[sample.metric] else { continue }
            let labels = ([Sample.Label("chain", chain)] + sample.labels).sorted()
            let current = series[sample.metric]?[labels]
            let next: SeriesState
            switch (definition.kind, current) {
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
            series[sample.metric, default: [:]][labels] = next
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
        for definition in definitions {
            guard let family = series[definition.name], !family.isEmpty else { continue }
            let name = definition.prometheusName
            out += "# HELP \(name) \(Self.escapeHelp(definition.help))\n# TYPE \(name) \(definition.kind.rawValue)\n"
            for labels in family.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                switch family[labels]! {
                case let .gauge(value), let .counter(value):
                    out += "\(name)\(Self.render(labels)) \(value)\n"
                case let .histogram(buckets, count, sum):
                    for (bound, cumulative) in zip(Self.defaultBuckets, buckets) {
                        out += "\(name)_bucket\(Self.render(labels + [Sample.Label("le", Self.number(bound))])) \(cumulative)\n"
                    }
                    out += "\(name)_bucket\(Self.render(labels + [Sample.Label("le", "+Inf")])) \(count)\n"
                    out += "\(name)_sum\(Self.render(labels)) \(sum)\n\(name)_count\(Self.render(labels)) \(count)\n"
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
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    private static func escapeHelp(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}
