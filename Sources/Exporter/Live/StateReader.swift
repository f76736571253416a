import ExactJSON
import SCALE
public import SubstrateRPC

/// Reads one block's state with calls of its own, for what is read on a schedule rather than
/// at every block: every key under a prefix (`state_getKeysPaged`, page by page, so a map of
/// millions of entries never sits in memory at once), their values (`state_queryStorageAt` in
/// batches), and sizes (`state_getStorageSize`). Each request is retried on its own (`Retry`).
public struct StateReader: Sendable {
    public let client: SubstrateRPCClient
    public let hash: String
    public static let pageSize = 1000

    public init(client: SubstrateRPCClient, hash: String) {
        self.client = client
        self.hash = hash
    }

    /// Calls `body` with each page of keys under `prefix`, in key order.
    public func forEachPage(prefix: [UInt8], _ body: ([String]) async throws -> Void) async throws {
        let prefixHex = Hex.encode(prefix)
        var start: String?
        while true {
            let keys = try await Retry.step { try await client.stateGetKeysPaged(prefix: prefixHex, count: Self.pageSize, startKey: start, at: hash) }
            if !keys.isEmpty { try await body(keys) }
            guard keys.count == Self.pageSize, let last = keys.last else { return }
            start = last
        }
    }

    /// The values of `keys` (nil for an absent one).
    public func values(_ keys: [String]) async throws -> [String: [UInt8]?] {
        var result = [String: [UInt8]?]()
        for start in stride(from: 0, to: keys.count, by: Self.pageSize) {
            let batch = Array(keys[start..<min(start + Self.pageSize, keys.count)])
            for (key, value) in try await Retry.step({ try await client.stateQueryStorageAt(batch, at: hash) }) { result[key] = value.flatMap { Hex.decode($0) } }
        }
        return result
    }

    /// Every entry under `prefix`, page by page: keys with their values.
    public func forEachEntries(prefix: [UInt8], _ body: ([(key: String, value: [UInt8])]) async throws -> Void) async throws {
        try await forEachPage(prefix: prefix) { keys in
            let values = try await values(keys)
            try await body(keys.compactMap { key in values[key]?.map { (key, $0) } })
        }
    }

    /// `state_getStorageSize`: the size of the value at `key`; for a prefix without a value of
    /// its own, nodes add up the values under it.
    public func size(_ key: [UInt8]) async throws -> UInt64? {
        try await Retry.step { try await client.call("state_getStorageSize", [.string(Hex.encode(key)), .string(hash)]) }.uint64Value
    }
}
