import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals
import SCALE
import Substrate

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

    @Option(help: "Runtime metadata V14, V15 or V16 (binary or hex, bare or wrapped). Default: a bundled Polkadot runtime (spec 2000000, metadata V15; state_getMetadata serves its V14 form, as a node does).")
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

    func validate() throws {
        do { _ = try FaultPlan(parsing: faults) } catch { throw ValidationError(error.description) }
        guard blockTime >= 0, blockTime.isFinite else { throw ValidationError("--block-time must be 0 or more seconds") }
        guard blockTime > 0 || history > 0 else { throw ValidationError("a fixed chain (--block-time 0) needs --history of at least 1") }
        guard finalityStep >= 1 else { throw ValidationError("--finality-step must be at least 1") }
    }

    static func readMetadata(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
        let raw = [UInt8](data)
        return Hex.decodeIfHex(raw) ?? raw
    }

    func run() async throws {
        let logger = Logger(label: "runtime-devnode")
        guard let path = metadata ?? Bundle.module.url(forResource: "polkadot_2000000_v15", withExtension: "scale")?.path else {
            throw ValidationError("the bundled metadata is missing")
        }
        let genesisRuntime = try DevRuntime(metadataBytes: try Self.readMetadata(path), droppingPallets: Set(withoutPallet))
        var schedule: [(from: UInt64, runtime: DevRuntime)] = [(0, genesisRuntime)]
        for upgrade in upgradeAt {
            let parts = upgrade.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, let block = UInt64(parts[0]), block > 0 else {
                throw ValidationError("--upgrade-at takes BLOCK:METADATA_FILE with BLOCK above 0, not \(upgrade)")
            }
            schedule.append((block, try DevRuntime(metadataBytes: try Self.readMetadata(parts[1]))))
        }
        schedule.sort { $0.from < $1.from }
        let blockDuration = Duration.milliseconds(Int64(blockTime * 1000))
        // A fixed chain's blocks still carry timestamps six seconds apart, as a chain's do.
        let slot = blockTime == 0 ? Duration.seconds(6) : blockDuration
        let nowMilliseconds = UInt64(Date().timeIntervalSince1970 * 1000)
        let genesis = genesisTime ?? nowMilliseconds - history * UInt64(max(slot.milliseconds, 0))
        let chain = try DevChain(schedule: schedule, configuration: .init(
            seed: seed, genesisTimeMilliseconds: genesis, blockTime: slot, finalityLag: finalityLag,
            finalityStep: finalityStep, transfersPerBlock: transfersPerBlock
        ))
        let producer = BlockProducer(chain: chain, genesisMilliseconds: genesis, blockTime: blockDuration, fixedLength: blockTime == 0 ? history : nil)
        try await producer.catchUp()
        let head = await chain.head.number
        logger.info("serving \(genesisRuntime.version.specName) \(genesisRuntime.version.specVersion) at ws://\(host):\(port) and http://\(host):\(port), head #\(head)")
        // One service group: SIGTERM or SIGINT shuts both the server and the producer down.
        let server = DevnodeServer(
            rpc: DevnodeRPC(chain: chain), host: host, port: port, faults: try FaultPlan(parsing: faults), logger: logger
        ).application()
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: producer), .init(service: server)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
        )
        // Open WebSocket subscriptions never end by themselves: stop waiting for them after a second.
        configuration.maximumGracefulShutdownDuration = .seconds(1)
        configuration.maximumCancellationDuration = .seconds(2)
        try await ServiceGroup(configuration: configuration).run()
    }
}
