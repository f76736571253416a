/// An answer of a node that lacks what following or loading history needs: a node's answers
/// always have it, so the answer came damaged (cut, garbled) and is asked for again.
public enum NodeAnswerError: Error, Sendable, CustomStringConvertible {
    /// A head notified or asked for without a number.
    case headWithoutNumber(FollowMode, head: String)
    /// No hash for a block the node should have (below its finalized head, when known).
    case missingBlock(UInt64, belowFinalized: UInt64? = nil)
    /// `chain_getBlock` answered null for a block's hash.
    case nullBlock(UInt64, hash: String)
    case noParentHash(block: UInt64)
    case unreadableHeader(block: UInt64, hash: String, reason: String)
    /// `state_getRuntimeVersion` without a spec version, at a block or a parent's hash.
    case noSpecVersion(block: UInt64?, parentHash: String?)

    public var description: String {
        switch self {
        case let .headWithoutNumber(follow, head): "a \(follow.rawValue) head without a number: \(head.prefix(200))"
        case let .missingBlock(number, nil): "the node has no block \(number)"
        case let .missingBlock(number, finalized?): "the node has no block \(number) below its finalized head \(finalized)"
        case let .nullBlock(number, hash): "block \(number): chain_getBlock(\(hash)) answered null"
        case let .noParentHash(number): "block \(number): no header.parentHash in chain_getBlock's answer"
        case let .unreadableHeader(number, hash, reason): "block \(number): chain_getBlock(\(hash)) answered a header that does not read: \(reason)"
        case let .noSpecVersion(number?, _): "block \(number): no specVersion in state_getRuntimeVersion's answer"
        case let .noSpecVersion(nil, parent): "no specVersion in state_getRuntimeVersion's answer at \(parent ?? "the head")"
        }
    }
}

/// A chain whose token has more decimals than exact amounts can hold (u128 scaling holds 38):
/// a property of the chain, not a damaged answer, so following and loading stop with it.
public struct TokenDecimalsOutOfRange: Error, Sendable, CustomStringConvertible {
    public let decimals: Int
    public var description: String { "system_properties gives tokenDecimals \(decimals), outside 0…38" }
}
