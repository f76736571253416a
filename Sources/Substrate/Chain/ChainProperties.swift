public import ExactJSON
/// Token symbol, decimals and SS58 prefix as `system_properties` returns them
/// (`{"ss58Format": 0, "tokenDecimals": 10, "tokenSymbol": "DOT"}`; multi-token chains send arrays,
/// the first entry is the native token).
public struct ChainProperties: Sendable, Hashable {
    public var ss58Format: UInt16?
    public var tokenDecimals: [Int]
    public var tokenSymbols: [String]

    public init(ss58Format: UInt16?, tokenDecimals: [Int], tokenSymbols: [String]) {
        self.ss58Format = ss58Format
        self.tokenDecimals = tokenDecimals
        self.tokenSymbols = tokenSymbols
    }

    public struct InvalidProperties: Error, Sendable, CustomStringConvertible {
        public let field: String
        public let problem: String
        public var description: String { "system_properties field \(field): \(problem)" }
    }

    public init(json: JSON) throws(InvalidProperties) {
        guard case .object = json else { throw InvalidProperties(field: "(root)", problem: "expected an object") }
        if let format = json["ss58Format"] ?? json["SS58Prefix"], format != .null {
            guard let value = format.uint64Value, value < 16384 else {
                throw InvalidProperties(field: "ss58Format", problem: "expected an integer below 16384")
            }
            ss58Format = UInt16(value)
        } else {
            ss58Format = nil
        }
        tokenDecimals = []
        for item in Self.list(json["tokenDecimals"]) {
            guard let value = item.uint64Value, value <= 38 else {
                throw InvalidProperties(field: "tokenDecimals", problem: "expected integers from 0 to 38")
            }
            tokenDecimals.append(Int(value))
        }
        tokenSymbols = []
        for item in Self.list(json["tokenSymbol"]) {
            guard let symbol = item.stringValue else { throw InvalidProperties(field: "tokenSymbol", problem: "expected strings") }
            tokenSymbols.append(symbol)
        }
    }

    private static func list(_ json: JSON?) -> [JSON] {
        switch json {
        case nil, .null?: []
        case let .array(items)?: items
        case let single?: [single]
        }
    }

    /// Decimals of the native token (the first listed); nil when the node does not say.
    public var nativeDecimals: Int? { tokenDecimals.first }
    public var nativeSymbol: String? { tokenSymbols.first }
}
