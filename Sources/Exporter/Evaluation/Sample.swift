import Substrate

/// One value of one series at one block, as a definition's evaluation produces it: a gauge's
/// value, a counter's increase in this block, or one histogram observation. Sinks (Prometheus,
/// the store) take samples; they never decode chain data.
public struct Sample: Sendable, Equatable, CustomStringConvertible {
    public let metric: String
    /// Label pairs in name order (the exporter adds `chain`).
    public let labels: [Label]
    public let value: SampleValue

    public struct Label: Sendable, Hashable, Comparable {
        public let name: String
        public let value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }

        public static func < (lhs: Label, rhs: Label) -> Bool { (lhs.name, lhs.value) < (rhs.name, rhs.value) }
    }

    public init(metric: String, labels: [Label] = [], value: SampleValue) {
        self.metric = metric
        self.labels = labels.sorted()
        self.value = value
    }

    public var description: String {
        let labelText = labels.isEmpty ? "" : "{" + labels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ",") + "}"
        return "\(metric)\(labelText) \(value)"
    }
}

/// An exact non-negative number: an integer divided by 10^decimals (planck and token decimals,
/// milliseconds as seconds, Perbill as a ratio). Converted to `Double` only at the edge.
public struct SampleValue: Sendable, Hashable, CustomStringConvertible {
    public var integer: UInt128
    public var decimals: Int

    public init(_ integer: UInt128, decimals: Int = 0) {
        self.integer = integer
        self.decimals = decimals
    }

    /// The exact decimal text: `"1234.5"`, `"0.000000001"` (the same rendering as token amounts).
    public var description: String { TokenAmount(planck: integer, decimals: decimals).description }

    /// Correctly rounded from the exact decimal.
    public var double: Double { TokenAmount(planck: integer, decimals: decimals).tokens }

    public static func + (lhs: SampleValue, rhs: SampleValue) -> SampleValue {
        precondition(lhs.decimals == rhs.decimals, "adding values of different scales")
        return SampleValue(lhs.integer + rhs.integer, decimals: lhs.decimals)
    }
}
