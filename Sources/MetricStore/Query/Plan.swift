/// The plans an API key may carry, cheapest first (Sanbase's): a metric's `min_plan` is the
/// least one that opens it.
public enum Plan: String, Sendable, CaseIterable, Comparable {
    case free, basic, pro, businessPro = "business_pro", businessMax = "business_max", custom

    public static func < (a: Plan, b: Plan) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// As the API names it: `BUSINESS_PRO`.
    public var apiName: String { rawValue.uppercased() }
}
