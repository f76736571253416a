import ExactJSON
import SCALE
import Substrate
import Synchronization

/// The JSON-RPC methods the devnode serves, answering in Substrate's formats and with its error
/// codes. Subscriptions are handled by the WebSocket side (`DevnodeServer`); this type answers
/// plain requests.
struct DevnodeRPC: Sendable {
    let chain: DevChain
    let name = "runtime-devnode"
    let version = "1.0.0"
    /// Requests answered, by method (`devnode_requests`): what clients asked of this node.
    let requests = RequestCounts()
    /// Faults injected, by name (`devnode_faults`).
    let faults: FaultPlan.Struck
    /// Storage keys answered with damaged values, at these blocks (`--damage`).
    var damaged: [String: Set<UInt64>] = [:]

    /// What the block's state holds under `key`, as this node answers it.
    private func stored(_ key: String, in block: DevChain.Block) -> [UInt8]? {
        if damaged[key]?.contains(block.number) == true { return [0x01, 0x02, 0x03] }
        return block.storage[key]
    }

    final class RequestCounts: Sendable {
        let counts = Mutex<[String: Int]>([:])
    }

    /// JSON-RPC error codes Substrate uses.
    struct Failure: Error {
        let code: Int
        let message: String

        static func methodNotFound(_ method: String) -> Failure { Failure(code: -32601, message: "Method not found: \(method)") }
        static func invalidParams(_ detail: String) -> Failure { Failure(code: -32602, message: "Invalid params: \(detail)") }
        static let unknownBlock = Failure(code: 4003, message: "Client error: UnknownBlock: header not found")
    }

    static let plainMethods = [
        "chain_getBlockHash", "chain_getHeader", "chain_getBlock", "chain_getFinalizedHead",
        "state_getMetadata", "state_call", "state_getRuntimeVersion", "state_getStorage", "state_getStorageHash", "state_getStorageSize",
        "state_queryStorageAt", "state_queryStorage", "state_getKeysPaged",
        "system_chain", "system_name", "system_version", "system_properties", "system_health", "rpc_methods",
        "devnode_truth", "devnode_requests", "devnode_faults",
    ]
    static let subscriptionMethods = [
        "chain_subscribeNewHeads", "chain_unsubscribeNewHeads", "chain_subscribeFinalizedHeads",
        "chain_unsubscribeFinalizedHeads", "chain_subscribeAllHeads", "chain_unsubscribeAllHeads",
        "state_subscribeRuntimeVersion", "state_unsubscribeRuntimeVersion",
    ]

    func answer(_ method: String, _ params: [JSON]) async throws(Failure) -> JSON {
        requests.counts.withLock { $0[method, default: 0] += 1 }
        switch method {
        case "chain_getBlockHash":
            let head = await chain.head.number
            func hash(_ item: JSON?) async -> JSON {
                guard let item, item != .null else { return .string(await chain.head.hash) }
                guard let number = item.uint64Value, number <= head, let block = await chain.block(number: number) else { return .null }
                return .string(block.hash)
            }
            if case let .array(numbers)? = params.first {
                var hashes = [JSON]()
                for number in numbers { hashes.append(await hash(number)) }
                return .array(hashes)
            }
            return await hash(params.first)
        case "chain_getHeader":
            return try await block(params.first).headerJSON
        case "chain_getBlock":
            let block = try await block(params.first)
            return .object([
                "block": .object(["header": block.headerJSON, "extrinsics": .array(block.extrinsics.map { .string(Hex.encode($0)) })]),
                "justifications": .null,
            ])
        case "chain_getFinalizedHead":
            return .string(await chain.finalized.hash)
        case "state_getMetadata":
            let block = try await block(params.first)
            return .string(Hex.encode(chain.runtime(at: block.number).metadataBytes))
        case "state_call":
            guard let function = params.first?.stringValue, let data = params.count > 1 ? params[1].stringValue.flatMap({ Hex.decode($0) }) : [] else {
                throw .invalidParams("expected a runtime API function name and 0x-hex call data")
            }
            let block = try await block(params.count > 2 ? params[2] : nil)
            return .string(Hex.encode(try Self.call(function, data, on: chain.runtime(at: block.number))))
        case "state_getRuntimeVersion":
            let block = try await block(params.first)
            return Self.runtimeVersion(chain.runtime(at: block.number))
        case "state_getStorageSize":
            // As Substrate answers: the value's size, or for a prefix without a value of its own
            // the sizes of every value under it added up (null when there is none).
            let key = try keyParameter(params.first)
            let storage = try await block(params.count > 1 ? params[1] : nil).storage
            if let value = storage[key] { return .number(value.count) }
            let under = storage.filter { $0.key.hasPrefix(key) }
            return under.isEmpty ? .null : .number(under.values.reduce(0) { $0 + $1.count })
        case "state_getStorage", "state_getStorageHash":
            let key = try keyParameter(params.first)
            guard let value = stored(key, in: try await block(params.count > 1 ? params[1] : nil)) else { return .null }
            switch method {
            case "state_getStorageHash": return .string(Hex.encode(Blake2b.hash256(value)))
            default: return .string(Hex.encode(value))
            }
        case "state_queryStorageAt":
            guard case let .array(keys)? = params.first else { throw .invalidParams("expected a list of keys") }
            let block = try await block(params.count > 1 ? params[1] : nil)
            var changes = [JSON]()
            for key in keys {
                let normalized = try keyParameter(key)
                changes.append(.array([.string(normalized), stored(normalized, in: block).map { .string(Hex.encode($0)) } ?? .null]))
            }
            return .array([.object(["block": .string(block.hash), "changes": .array(changes)])])
        case "state_queryStorage":
            return try await queryStorage(params)
        case "state_getKeysPaged":
            let prefix = try keyParameter(params.first)
            guard params.count > 1, let count = params[1].uint64Value else { throw .invalidParams("expected a count") }
            let start = params.count > 2 && params[2] != .null ? try keyParameter(params[2]) : nil
            let block = try await block(params.count > 3 ? params[3] : nil)
            let keys = block.storage.keys.filter { key in key.hasPrefix(prefix) && (start.map { key > $0 } ?? true) }.sorted()
            return .array(keys.prefix(Int(min(count, 1000))).map(JSON.string))
        case "system_chain":
            return .string("Development (\(chain.runtime(at: 0).version.specName))")
        case "system_name":
            return .string(name)
        case "system_version":
            return .string(version)
        case "system_properties":
            return .object([
                "ss58Format": .number(chain.runtime(at: 0).metadata.ss58Prefix ?? 42),
                "tokenDecimals": .number(10),
                "tokenSymbol": .string("DOT"),
            ])
        case "system_health":
            return .object(["peers": .number(0), "isSyncing": .bool(false), "shouldHavePeers": .bool(false)])
        case "devnode_truth":
            let block = try await block(params.first)
            return DevnodeTruth.json(block, runtime: chain.runtime(executing: block.number))
        case "devnode_faults":
            return faults.json
        case "devnode_requests":
            let counts = requests.counts.withLock { $0 }
            return .object(counts.sorted { $0.key < $1.key }.map { JSON.Member($0.key, .number(String($0.value))) })
        case "rpc_methods":
            return .object(["methods": .array((Self.plainMethods + Self.subscriptionMethods).sorted().map(JSON.string))])
        default:
            throw .methodNotFound(method)
        }
    }

    /// The runtime API calls a metadata reader makes: which metadata versions there are, and one
    /// of them (`Option<OpaqueMetadata>`), SCALE-encoded as the runtime returns them.
    static func call(_ function: String, _ data: [UInt8], on runtime: DevRuntime) throws(Failure) -> [UInt8] {
        var out = SCALEEncoder()
        switch function {
        case "Metadata_metadata_versions":
            let versions = runtime.metadataByVersion.keys.sorted()
            out.encodeLength(versions.count)
            for version in versions { out.append(contentsOf: withUnsafeBytes(of: version.littleEndian, Array.init)) }
        case "Metadata_metadata_at_version":
            guard data.count == 4 else { throw .invalidParams("Metadata_metadata_at_version takes a u32 version") }
            let version = UInt32(data[0]) | UInt32(data[1]) << 8 | UInt32(data[2]) << 16 | UInt32(data[3]) << 24
            guard let bytes = runtime.metadataByVersion[version] else { return [0] }
            out.append(1)
            out.encodeByteVector(bytes)
        case "Metadata_metadata":
            out.encodeByteVector(runtime.metadataBytes)
        default:
            throw Failure(code: 4003, message: "Client error: Execution failed: Other: Exported method \(function) is not found")
        }
        return out.bytes
    }

    static func runtimeVersion(_ runtime: DevRuntime) -> JSON {
        let version = runtime.version
        return .object([
            "specName": .string(version.specName),
            "implName": .string(version.implName),
            "authoringVersion": .number(version.authoringVersion),
            "specVersion": .number(version.specVersion),
            "implVersion": .number(version.implVersion),
            "apis": .array(runtime.metadata.apis.map { api in
                .array([.string(Hex.encode(Blake2b.hash(Array(api.name.utf8), digestLength: 8))), .number(api.version ?? 1)])
            }),
            "transactionVersion": .number(version.transactionVersion ?? 0),
            "stateVersion": .number(version.stateVersion ?? 0),
        ])
    }

    /// The block a `hash` parameter names (the head when absent or null).
    private func block(_ parameter: JSON?) async throws(Failure) -> DevChain.Block {
        guard let parameter, parameter != .null else { return await chain.head }
        guard let hash = parameter.stringValue, Hex.decode(hash)?.count == 32 else { throw .invalidParams("expected a 0x block hash") }
        guard let block = await chain.block(hash: hash) else { throw .unknownBlock }
        return block
    }

    private func keyParameter(_ parameter: JSON?) throws(Failure) -> String {
        guard let text = parameter?.stringValue, let bytes = Hex.decode(text) else { throw .invalidParams("expected a 0x storage key") }
        return Hex.encode(bytes)
    }

    /// `state_queryStorage(keys, from, to)`: the changes of each key over a range of blocks.
    private func queryStorage(_ params: [JSON]) async throws(Failure) -> JSON {
        guard case let .array(keys)? = params.first, params.count > 1 else { throw .invalidParams("expected keys and a start block") }
        let from = try await block(params[1])
        let to = try await block(params.count > 2 ? params[2] : nil)
        guard from.number <= to.number else { throw .invalidParams("the start block is after the end block") }
        var normalized = [String]()
        for key in keys { normalized.append(try keyParameter(key)) }
        var sets = [JSON]()
        var previous: [String: [UInt8]]? = nil
        for number in from.number...to.number {
            guard let block = await chain.block(number: number) else { break }
            let changes = normalized.filter { previous == nil || previous?[$0] != block.storage[$0] }.map { key in
                JSON.array([.string(key), block.storage[key].map { .string(Hex.encode($0)) } ?? .null])
            }
            if !changes.isEmpty { sets.append(.object(["block": .string(block.hash), "changes": .array(changes)])) }
            previous = block.storage
        }
        return .array(sets)
    }
}
