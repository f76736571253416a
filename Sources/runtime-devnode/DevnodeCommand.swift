import ArgumentParser
import DevNode
import Logging
import ServiceLifecycle
import UnixSignals

/// `runtime-devnode`: a simulated Substrate node for tests, demos and benchmarks.
@main
struct DevnodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runtime-devnode",
        abstract: "Serve a deterministic synthetic Substrate chain over JSON-RPC (ws and http on one port)."
    )

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port for both HTTP and WebSocket JSON-RPC.")
    var port = 9944

    @Option(help: "The chain to simulate when no --metadata is given: relay (a bundled Polkadot runtime, spec 2000000, V15) or asset-hub (a bundled Polkadot Asset Hub runtime, spec 2003001, V16: staking-async, multi-block elections, pools through delegated staking). state_getMetadata serves V14, as a node does.")
    var chain = "relay"

    @Option(help: "Runtime metadata V14, V15 or V16 (binary or hex, bare or wrapped), instead of the chain's bundled runtime; what it holds decides what its blocks do.")
    var metadata: String?

    @Option(help: "Leave a pallet out of the genesis runtime (repeatable; V15 metadata), as a chain built without it, e.g. Staking.")
    var withoutPallet: [String] = []

    @Option(help: "Switch to another runtime from a block on: BLOCK:METADATA_FILE (repeatable), so history crosses runtime upgrades.")
    var upgradeAt: [String] = []

    @Option(help: "Blocks that exist at start (with --block-time 0, the whole chain).")
    var history: UInt64 = 100

    @Option(help: "Seconds between blocks; fractions allowed; 0 for a fixed chain of --history blocks.")
    var blockTime = 6.0

    @Option(help: "Blocks by which finality lags the head.")
    var finalityLag: UInt64 = 2

    @Option(help: "Finality advances this many blocks at a time (1: every block); followers must fill the gaps.")
    var finalityStep: UInt64 = 1

    @Option(help: "At most this many balance transfers per block.")
    var transfersPerBlock = 4

    @Option(help: "Seed: the same seed gives byte-identical blocks.")
    var seed: UInt64 = 0

    @Option(help: "Faults to inject, NAME=RATE,… with names drop, delay (delay=RATE:SECONDS), error, malformed, truncate, stall.")
    var faults = ""

    @Option(help: "Unix time in milliseconds of block 0. Default: now minus --history blocks; give it to restart the same chain where the clock puts it.")
    var genesisTime: UInt64?

    @Option(help: "Answer a plain storage item with 3 bytes that decode as nothing at one block: Pallet.Item@BLOCK (repeatable).")
    var damage: [String] = []

    func validate() throws {
        do { try options().validate() } catch let error as DevNode.InvalidOptions { throw ValidationError(error.description) }
    }

    func options() throws -> DevNode.Options {
        var options = DevNode.Options()
        options.host = host
        options.port = port
        guard let kind = DevNode.Chain(rawValue: chain) else {
            throw ValidationError("--chain takes \(DevNode.Chain.allCases.map(\.rawValue).joined(separator: " or ")), not \(chain)")
        }
        options.chain = kind
        options.metadataPath = metadata
        options.withoutPallets = Set(withoutPallet)
        for upgrade in upgradeAt {
            let parts = upgrade.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, let block = UInt64(parts[0]), block > 0 else {
                throw ValidationError("--upgrade-at takes BLOCK:METADATA_FILE with BLOCK above 0, not \(upgrade)")
            }
            options.upgrades.append((block, parts[1]))
        }
        options.history = history
        options.blockTime = blockTime
        options.finalityLag = finalityLag
        options.finalityStep = finalityStep
        options.transfersPerBlock = transfersPerBlock
        options.seed = seed
        options.faults = faults
        options.genesisTimeMilliseconds = genesisTime
        for item in damage {
            let parts = item.split(separator: "@", maxSplits: 1).map(String.init)
            guard parts.count == 2, let block = UInt64(parts[1]) else { throw ValidationError("--damage takes Pallet.Item@BLOCK, not \(item)") }
            options.damaged.append((parts[0], block))
        }
        return options
    }

    func run() async throws {
        let logger = Logger(label: "runtime-devnode")
        let options = try options()
        let node: DevNode
        do { node = try await DevNode(options: options, logger: logger) } catch let error as DevNode.InvalidOptions { throw ValidationError(error.description) }
        logger.info("serving \(node.specName) \(node.specVersion) at ws://\(host):\(port) and http://\(host):\(port), head #\(node.head)")
        // One service group: SIGTERM or SIGINT shuts both the server and the producer down.
        var configuration = ServiceGroupConfiguration(services: node.services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // Open WebSocket subscriptions never end by themselves: stop waiting for them after a second.
        configuration.maximumGracefulShutdownDuration = .seconds(1)
        configuration.maximumCancellationDuration = .seconds(2)
        try await ServiceGroup(configuration: configuration).run()
    }
}
