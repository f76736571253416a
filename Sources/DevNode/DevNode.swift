public import Logging
public import ServiceLifecycle
public import ExactJSON
import Foundation
import NIOCore
import SCALE
import Substrate

/// A simulated Substrate node, ready to run: its chain caught up to the clock, its JSON-RPC
/// server (HTTP and WebSocket on one port) and its block producer as services. The
/// `runtime-devnode` command runs one on its own; `runtime-exporter demo` runs one in-process.
public struct DevNode: Sendable {
    public struct Options: Sendable {
        public var host = "127.0.0.1"
        /// 0 picks a free port; `listening` says which.
        public var port = 9944
        /// The kind of chain whose bundled runtime runs when no metadata file is given.
        public var chain = Chain.relay
        /// Runtime metadata file (V14, V15 or V16; binary or hex). Nil: the chain's bundled runtime.
        public var metadataPath: String?
        public var withoutPallets: Set<String> = []
        /// Runtime upgrades: from `block` on, the runtime of the metadata in `metadataPath`.
        public var upgrades: [(block: UInt64, metadataPath: String)] = []
        /// Blocks that exist at start.
        public var history: UInt64 = 100
        /// Seconds between blocks; 0 for a fixed chain of `history` blocks.
        public var blockTime = 6.0
        public var finalityLag: UInt64 = 2
        public var finalityStep: UInt64 = 1
        public var transfersPerBlock = 4
        public var seed: UInt64 = 0
        /// `NAME=RATE,…` (see `FaultPlan`).
        public var faults = ""
        /// Unix milliseconds of block 0; nil puts the head at now.
        public var genesisTimeMilliseconds: UInt64?
        /// Plain storage items (`Pallet.Item`) answered with 3 bytes that decode as no type they
        /// have, at one block each: a value of a shape nobody expected, as real chains can give.
        public var damaged: [(item: String, block: UInt64)] = []

        public init() {}

        /// Refuses what cannot run, naming the option; a clean check does no work.
        public func validate() throws(InvalidOptions) {
            do { _ = try FaultPlan(parsing: faults) } catch { throw InvalidOptions(description: error.description) }
            guard blockTime >= 0, blockTime.isFinite else { throw InvalidOptions(description: "the block time must be 0 or more seconds") }
            guard blockTime > 0 || history > 0 else { throw InvalidOptions(description: "a fixed chain (block time 0) needs a history of at least 1 block") }
            guard finalityStep >= 1 else { throw InvalidOptions(description: "the finality step must be at least 1") }
            for (item, _) in damaged where item.split(separator: ".").count != 2 {
                throw InvalidOptions(description: "--damage takes Pallet.Item@BLOCK, not \(item)")
            }
        }
    }

    /// The bundled runtimes: a Polkadot relay chain (spec 2000000, V15) and Polkadot Asset Hub
    /// after the migration (spec 2003001, V16), where staking, pools and elections live.
    public enum Chain: String, Sendable, CaseIterable {
        case relay
        case assetHub = "asset-hub"

        var bundledMetadata: String {
            switch self {
            case .relay: "polkadot_2000000_v15"
            case .assetHub: "statemint_2003001_v16"
            }
        }
    }

    public struct InvalidOptions: Error, CustomStringConvertible {
        public let description: String
    }

    public let specName: String
    public let specVersion: UInt32
    /// The head when the node was made.
    public let head: UInt64
    /// The server and the block producer, to run in a service group.
    public let services: [any Service]
    private let rpc: DevnodeRPC

    /// A JSON-RPC error as the node answers it.
    public struct Refusal: Error, Sendable, Equatable {
        public let code: Int
        public let message: String
    }

    /// Answers one plain JSON-RPC request in-process, as the server would over a socket (without
    /// the faults it injects there): for clients driven without I/O. Subscriptions are the server's.
    public func answer(_ method: String, _ params: [JSON]) async -> Result<JSON, Refusal> {
        guard DevnodeRPC.plainMethods.contains(method) else { return .failure(Refusal(code: -32601, message: "Method not found: \(method)")) }
        do {
            return .success(try await rpc.answer(method, params))
        } catch {
            return .failure(Refusal(code: error.code, message: error.message))
        }
    }

    /// Builds the chain up to the clock (or to its fixed length). `listening` is told the
    /// port once the server accepts connections.
    public init(options: Options, logger: Logger, listening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try options.validate()
        let faults = try FaultPlan(parsing: options.faults)
        guard let path = options.metadataPath ?? Bundle.module.url(forResource: options.chain.bundledMetadata, withExtension: "scale")?.path else {
            throw InvalidOptions(description: "the bundled metadata is missing")
        }
        let genesisRuntime = try DevRuntime(metadataBytes: try Self.readMetadata(path), droppingPallets: options.withoutPallets)
        var schedule: [(from: UInt64, runtime: DevRuntime)] = [(0, genesisRuntime)]
        for upgrade in options.upgrades {
            guard upgrade.block > 0 else { throw InvalidOptions(description: "a runtime upgrade at block 0: the genesis runtime is the first") }
            schedule.append((upgrade.block, try DevRuntime(metadataBytes: try Self.readMetadata(upgrade.metadataPath))))
        }
        schedule.sort { $0.from < $1.from }
        let blockDuration = Duration.milliseconds(Int64(options.blockTime * 1000))
        // A fixed chain's blocks still carry timestamps six seconds apart, as a chain's do.
        let slot = options.blockTime == 0 ? Duration.seconds(6) : blockDuration
        let nowMilliseconds = UInt64(Date().timeIntervalSince1970 * 1000)
        let genesis = options.genesisTimeMilliseconds ?? nowMilliseconds - options.history * UInt64(max(slot.milliseconds, 0))
        let chain = try DevChain(schedule: schedule, configuration: .init(
            seed: options.seed, genesisTimeMilliseconds: genesis, blockTime: slot, finalityLag: options.finalityLag,
            finalityStep: options.finalityStep, transfersPerBlock: options.transfersPerBlock
        ))
        let producer = BlockProducer(
            chain: chain, genesisMilliseconds: genesis, blockTime: blockDuration, fixedLength: options.blockTime == 0 ? options.history : nil)
        try await producer.catchUp()
        head = await chain.head.number
        specName = genesisRuntime.version.specName
        specVersion = genesisRuntime.version.specVersion
        var damaged = [String: Set<UInt64>]()
        for (item, block) in options.damaged {
            let parts = item.split(separator: ".").map(String.init)
            damaged[Hex.encode(StorageKeyBuilder.prefix(pallet: parts[0], item: parts[1])), default: []].insert(block)
        }
        let rpc = DevnodeRPC(chain: chain, faults: faults.struck, damaged: damaged)
        self.rpc = rpc
        let server = DevnodeServer(rpc: rpc, host: options.host, port: options.port, faults: faults, logger: logger)
            .application { channel in await listening(channel.localAddress?.port ?? options.port) }
        services = [producer, server]
    }

    /// A metadata file's bytes, hex or binary.
    static func readMetadata(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw InvalidOptions(description: "cannot read the metadata file \(path)") }
        let raw = [UInt8](data)
        return Hex.decodeIfHex(raw) ?? raw
    }
}
