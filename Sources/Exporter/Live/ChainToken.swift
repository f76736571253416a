public import Substrate

/// The chain's token as following and history both scale amounts by: its first token's
/// decimals (0 when it names none) and symbol.
public struct ChainToken: Sendable, Equatable {
    public let decimals: Int
    public let symbol: String?
    public let ss58Format: UInt16?

    public init(_ properties: ChainProperties) throws(TokenDecimalsOutOfRange) {
        let decimals = properties.tokenDecimals.first ?? 0
        // Amounts are scaled with exact u128 arithmetic, which holds up to 38 decimals.
        guard (0...38).contains(decimals) else { throw TokenDecimalsOutOfRange(decimals: decimals) }
        (self.decimals, symbol, ss58Format) = (decimals, properties.tokenSymbols.first, properties.ss58Format)
    }
}
