public import ExactJSON
import JSONRPC

/// Typed Substrate JSON-RPC calls over any transport: one method per node method, named after it.
/// Hashes, keys and SCALE values travel as `0x` hex strings; decoding them is the caller's business.
public struct SubstrateRPCClient: Sendable {
    public let transport: any RPCTransport
    public var timeout: Duration

    public init(transport: any RPCTransport, timeout: Duration = .seconds(30)) {
        self.transport = transport
        self.timeout = timeout
    }

    public func call(_ method: String, _ params: [JSON] = []) async throws(RPCError) -> JSON {
        try await transport.call(RPCCall(method, params), timeout: timeout)
    }

    // MARK: chain_*

    /// `chain_getBlockHash(number)`; nil when the node has no block at that height.
    public func chainGetBlockHash(_ number: UInt64) async throws(RPCError) -> String? {
        try optionalString(await call("chain_getBlockHash", [.number(number)]), method: "chain_getBlockHash")
    }

    /// The array form of `chain_getBlockHash`: many heights in one call.
    public func chainGetBlockHashes(_ numbers: [UInt64]) async throws(RPCError) -> [String?] {
        let answer = try await call("chain_getBlockHash", [.array(numbers.map { .number($0) })])
        guard case let .array(items) = answer, items.count == numbers.count else {
            throw malformed("chain_getBlockHash", "expected \(numbers.count) hashes")
        }
        var hashes = [String?]()
        for item in items { hashes.append(try optionalString(item, method: "chain_getBlockHash")) }
        return hashes
    }

    public func chainGetHeader(_ hash: String? = nil) async throws(RPCError) -> JSON {
        try await call("chain_getHeader", hash.map { [.string($0)] } ?? [])
    }

    /// `chain_getBlock`: `{"block": {"header", "extrinsics"}, "justifications"}`.
    public func chainGetBlock(_ hash: String? = nil) async throws(RPCError) -> JSON {
        try await call("chain_getBlock", hash.map { [.string($0)] } ?? [])
    }

    public func chainGetFinalizedHead() async throws(RPCError) -> String {
        guard let hash = try optionalString(await call("chain_getFinalizedHead"), method: "chain_getFinalizedHead") else {
            throw malformed("chain_getFinalizedHead", "null")
        }
        return hash
    }

    public func chainSubscribeFinalizedHeads() async throws(RPCError) -> RPCSubscription {
        try await transport.subscribe(RPCCall("chain_subscribeFinalizedHeads"), unsubscribeMethod: "chain_unsubscribeFinalizedHeads", timeout: timeout)
    }

    public func chainSubscribeNewHeads() async throws(RPCError) -> RPCSubscription {
        try await transport.subscribe(RPCCall("chain_subscribeNewHeads"), unsubscribeMethod: "chain_unsubscribeNewHeads", timeout: timeout)
    }

    // MARK: state_*

    /// `state_getMetadata` at a block (the head when nil): the metadata as `0x` hex.
    public func stateGetMetadata(at hash: String? = nil) async throws(RPCError) -> String {
        guard let hex = try optionalString(await call("state_getMetadata", hash.map { [.string($0)] } ?? []), method: "state_getMetadata") else {
            throw malformed("state_getMetadata", "null")
        }
        return hex
    }

    /// `state_call(function, data, at)`: a runtime API call; its SCALE-encoded answer as `0x` hex.
    public func stateCall(_ function: String, data: String = "0x", at hash: String? = nil) async throws(RPCError) -> String {
        let params: [JSON] = [.string(function), .string(data)] + (hash.map { [.string($0)] } ?? [])
        guard let hex = try optionalString(await call("state_call", params), method: "state_call") else {
            throw malformed("state_call", "null")
        }
        return hex
    }

    /// The richest metadata the runtime at `hash` offers, as `0x` hex: V16 or V15 through
    /// `Metadata_metadata_at_version` (a node's `state_getMetadata` always answers V14, which
    /// lacks what decoding v5 extrinsics needs), else `state_getMetadata`. A node without the
    /// runtime API (an error answer) is asked the old way; a transport failure is thrown.
    public func newestMetadata(at hash: String? = nil) async throws(RPCError) -> String {
        for version: UInt32 in [16, 15] {
            do {
                if let hex = try await metadata(version: version, at: hash) { return hex }
            } catch {
                guard case .rpc = error.kind else { throw error }
                break
            }
        }
        return try await stateGetMetadata(at: hash)
    }

    /// Metadata of a given version (15 for V15) through `Metadata_metadata_at_version`, as `0x`
    /// hex of an `Option<OpaqueMetadata>` (`RuntimeMetadata.decode` reads the wrapper); nil when
    /// the runtime does not offer that version. `state_getMetadata` always answers V14.
    public func metadata(version: UInt32, at hash: String? = nil) async throws(RPCError) -> String? {
        let littleEndian = (0..<4).map { UInt8(truncatingIfNeeded: version >> (8 * $0)) }
            .map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        let answer = try await stateCall("Metadata_metadata_at_version", data: "0x" + littleEndian, at: hash)
        return answer == "0x00" ? nil : answer
    }

    /// `state_getRuntimeVersion` at a block: `{specName, specVersion, transactionVersion, …}`.
    public func stateGetRuntimeVersion(at hash: String? = nil) async throws(RPCError) -> JSON {
        try await call("state_getRuntimeVersion", hash.map { [.string($0)] } ?? [])
    }

    public func stateSubscribeRuntimeVersion() async throws(RPCError) -> RPCSubscription {
        try await transport.subscribe(RPCCall("state_subscribeRuntimeVersion"), unsubscribeMethod: "state_unsubscribeRuntimeVersion", timeout: timeout)
    }

    /// `state_getStorage(key, at)`: the value as `0x` hex, nil when absent.
    public func stateGetStorage(_ key: String, at hash: String? = nil) async throws(RPCError) -> String? {
        var params: [JSON] = [.string(key)]
        if let hash { params.append(.string(hash)) }
        return try optionalString(await call("state_getStorage", params), method: "state_getStorage")
    }

    /// `state_queryStorageAt(keys, at)`: every key's value at one block (nil when absent), keyed
    /// as asked. A node answers every key asked (absent ones with null) for the block asked; an
    /// answer that misses a key, names another or another block is damaged on its way, so it is
    /// a malformed answer to ask again, never a value that is absent.
    public func stateQueryStorageAt(_ keys: [String], at hash: String? = nil) async throws(RPCError) -> [String: String?] {
        var params: [JSON] = [.array(keys.map(JSON.string))]
        if let hash { params.append(.string(hash)) }
        let answer = try await call("state_queryStorageAt", params)
        guard case let .array(sets) = answer else { throw malformed("state_queryStorageAt", "expected a list of change sets") }
        let asked = Set(keys)
        var values = [String: String?]()
        for set in sets {
            if let hash, let block = set["block"]?.stringValue, block.lowercased() != hash.lowercased() {
                throw malformed("state_queryStorageAt", "values of block \(block), asked at \(hash)")
            }
            guard case let .array(changes)? = set["changes"] else { throw malformed("state_queryStorageAt", "a change set without changes") }
            for change in changes {
                guard case let .array(pair) = change, pair.count == 2, let key = pair[0].stringValue else {
                    throw malformed("state_queryStorageAt", "a change that is not [key, value]")
                }
                // Nodes answer in the case they were asked in; another case is the same key.
                guard let askedKey = asked.contains(key) ? key : keys.first(where: { $0.lowercased() == key.lowercased() }) else {
                    throw malformed("state_queryStorageAt", "a value for key \(key.prefix(80)), which was not asked for")
                }
                let value = try optionalString(pair[1], method: "state_queryStorageAt")
                if let value, !Self.isHex(value) { throw malformed("state_queryStorageAt", "the value of key \(key.prefix(80)) is no 0x hex: \(value.prefix(40))") }
                values[askedKey] = value
            }
        }
        if values.count < asked.count, let unanswered = keys.first(where: { values.index(forKey: $0) == nil }) {
            throw malformed("state_queryStorageAt", "no value (not even null) for key \(unanswered.prefix(80)) of the \(asked.count) asked")
        }
        return values
    }

    /// `state_getKeysPaged(prefix, count, startKey, at)`: up to `count` keys under `prefix`, after
    /// `startKey`. A key outside the prefix is damaged on its way: a malformed answer.
    public func stateGetKeysPaged(prefix: String, count: Int, startKey: String? = nil, at hash: String? = nil) async throws(RPCError) -> [String] {
        var params: [JSON] = [.string(prefix), .number(count)]
        if startKey != nil || hash != nil { params.append(startKey.map(JSON.string) ?? .null) }
        if let hash { params.append(.string(hash)) }
        let answer = try await call("state_getKeysPaged", params)
        guard case let .array(items) = answer else { throw malformed("state_getKeysPaged", "expected a list of keys") }
        var keys = [String]()
        for item in items {
            guard let key = item.stringValue else { throw malformed("state_getKeysPaged", "a key that is not a string") }
            guard key.count >= prefix.count, key.lowercased().hasPrefix(prefix.lowercased()) else {
                throw malformed("state_getKeysPaged", "key \(key.prefix(80)) is not under the prefix \(prefix.prefix(80)) asked for")
            }
            keys.append(key)
        }
        return keys
    }

    // MARK: system_*, rpc_*

    public func systemChain() async throws(RPCError) -> String {
        guard let name = try await call("system_chain").stringValue else { throw malformed("system_chain", "expected a string") }
        return name
    }

    /// `system_properties`: `{ss58Format, tokenDecimals, tokenSymbol}` (read with `ChainProperties`).
    public func systemProperties() async throws(RPCError) -> JSON {
        try await call("system_properties")
    }

    /// `rpc_methods`: the method names the node serves.
    public func rpcMethods() async throws(RPCError) -> [String] {
        let answer = try await call("rpc_methods")
        guard let methods = answer["methods"]?.arrayValue else { throw malformed("rpc_methods", "expected {methods: [...]}") }
        return methods.compactMap(\.stringValue)
    }

    // MARK: Helpers

    private func optionalString(_ json: JSON, method: String) throws(RPCError) -> String? {
        switch json {
        case .null: return nil
        case let .string(text): return text
        default: throw malformed(method, "expected a string or null, got \(json.serialized().prefix(100))")
        }
    }

    /// `0x` and an even number of hex digits: how a node writes bytes.
    static func isHex(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard utf8.count % 2 == 0, utf8.starts(with: "0x".utf8) else { return false }
        return utf8.dropFirst(2).allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) || (0x41...0x46).contains($0) }
    }

    private func malformed(_ method: String, _ detail: String) -> RPCError {
        RPCError(.malformedAnswer, endpoint: transport.endpoint, method: method, detail: detail)
    }
}
