/// An amount of a chain's token in its smallest unit (planck), with the chain's decimals, kept
/// exact: scaling is done on integers, and only the final step converts to `Double`.
public struct TokenAmount: Sendable, Hashable, CustomStringConvertible {
    public var planck: UInt128
    public var decimals: Int

    public init(planck: UInt128, decimals: Int) {
        precondition((0...38).contains(decimals), "decimals must be 0…38 to fit u128 arithmetic")
        self.planck = planck
        self.decimals = decimals
    }

    private var unit: UInt128 {
        var result: UInt128 = 1
        for _ in 0..<decimals { result *= 10 }
        return result
    }

    public var wholeTokens: UInt128 { planck / unit }
    public var fractionPlanck: UInt128 { planck % unit }

    /// The exact decimal amount in tokens, without trailing zeros: `"1234.5"`, `"0.0000000001"`.
    public var description: String {
        guard decimals > 0 else { return Self.digits(planck) }
        let unit = self.unit
        let whole = Self.digits(planck / unit)
        let fractionValue = planck % unit
        guard fractionValue > 0 else { return whole }
        let fractionDigits = Self.digits(fractionValue)
        var fraction = Array(fractionDigits.utf8)
        while fraction.last == UInt8(ascii: "0") { fraction.removeLast() }
        let zeros = decimals - fractionDigits.utf8.count
        return whole + "." + String(repeating: "0", count: zeros) + String(decoding: fraction, as: UTF8.self)
    }

    /// Decimal digits; through `UInt64` when the value fits (128-bit division is slow).
    private static func digits(_ value: UInt128) -> String {
        if let small = UInt64(exactly: value) { return String(small) }
        return String(value)
    }

    /// The amount in tokens, correctly rounded from the exact decimal (no intermediate `Double`
    /// division that would lose digits of an 18-decimal token).
    public var tokens: Double {
        // Both operands exact in a Double (at most 2^53, a power of ten up to 10^22): one IEEE
        // division is then correctly rounded, as parsing the decimal text is, without the text.
        if planck <= Self.exactIntegerLimit, decimals < Self.exactPowersOfTen.count {
            return Double(UInt64(planck)) / Self.exactPowersOfTen[decimals]
        }
        return Double(description) ?? .nan
    }

    /// The largest integer below which every integer is exact in a `Double`.
    static let exactIntegerLimit: UInt128 = 1 << 53
    /// 10^0 … 10^22, each exact in a `Double`.
    static let exactPowersOfTen: [Double] = (0...22).map { power in (0..<power).reduce(1.0) { value, _ in value * 10 } }
}
