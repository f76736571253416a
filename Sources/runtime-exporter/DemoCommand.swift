import ArgumentParser
import DevNode
import Exporter
import ExporterServices
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// `runtime-exporter demo`: everything at once with nothing installed — a simulated chain
/// (`runtime-devnode`, in-process), followed live, its history loaded into an embedded SQLite
/// store, and the pages, /metrics and the query API served.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a simulated chain in-process, follow it, load its history and serve the pages, /metrics and the API."
    )

    static let defaultStore = "runtime-exporter-demo.sqlite"

    @Option(name: .customLong("web.listen-address"), help: "Address to serve the pages, /metrics and the API on, HOST:PORT or :PORT.")
    var listenAddress = "127.0.0.1:9616"

    @Option(help: "The store for the chain's history. Default: sqlite:\(Self.defaultStore), made afresh at each start (the demo chain is new each time).")
    var store: String?

    @Option(help: "Blocks of history the chain has at start, all loaded into the store.")
    var blocks: UInt64 = 1200

    @Option(name: .customLong("block-time"), help: "Seconds between blocks of the simulated chain.")
    var blockTime = 6.0

    @Option(name: .customLong("node-port"), help: "Port of the simulated node's JSON-RPC (ws and http); 0 picks a free one.")
    var nodePort = 0

    @Option(help: "The chain's name in the chain label.")
    var chain = "devnode"

    @OptionGroup var definitions: DefinitionOptions

    func validate() throws {
        guard ListenAddress(listenAddress) != nil else { throw ValidationError("--web.listen-address takes HOST:PORT or :PORT, not \(listenAddress)") }
        guard blocks >= 2 else { throw ValidationError("--blocks must be at least 2") }
        guard blockTime > 0, blockTime.isFinite else { throw ValidationError("--block-time must be above 0 seconds") }
        guard (0...65535).contains(nodePort) else { throw ValidationError("--node-port takes 0…65535") }
    }

    func run() async throws {
        var quiet = Logger(label: "runtime-exporter")
        quiet.logLevel = .warning  // the page shows progress; the terminal keeps the address in sight
        let logger = quiet
        let (listenAddress, chain, blockTime) = (listenAddress, chain, blockTime)
        let storeText = try freshStore()
        var options = DevNode.Options()
        options.port = nodePort
        options.history = blocks
        options.blockTime = blockTime
        var nodeLogger = Logger(label: "runtime-devnode")
        nodeLogger.logLevel = .warning
        let (ports, portReady) = AsyncStream.makeStream(of: Int.self)
        let node: DevNode
        do {
            node = try await DevNode(options: options, logger: nodeLogger) { port in portReady.yield(port) }
        } catch let error as DevNode.InvalidOptions {
            throw ValidationError(error.description)
        }
        let loaded = try definitions.load()
        let exporter = ServiceOnceReady(ready: ports) { nodePort in
            var settings = ExporterConfiguration()
            settings.listenAddress = listenAddress
            settings.store = storeText
            settings.chains = [.init(name: chain, endpoints: ["ws://127.0.0.1:\(nodePort)"], history: .init(from: 1))]
            return try await ExporterServer(
                settings: settings, definitions: loaded, apiKeysFile: nil, origin: "demo", shutdownSignals: [], logger: logger
            ) { host, port in
                let shown = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
                FileHandle.standardOutput.write(Data("""
                    runtime-exporter demo listening on \(host):\(port): open http://\(shown):\(port)/
                      a simulated \(node.specName) chain (\(chain)), head #\(node.head), one block every \(blockTime) s, node at ws://127.0.0.1:\(nodePort)
                      its history (blocks 1 to the first followed) loads into \(storeText)
                      Prometheus: http://\(shown):\(port)/metrics   GraphQL: http://\(shown):\(port)/graphql   REST: http://\(shown):\(port)/api/v1/metrics
                    Ctrl-C stops it.

                    """.utf8))
            }
        }
        // Shut down in reverse order: the exporter first, then the node it follows.
        var configuration = ServiceGroupConfiguration(
            services: node.services.map { .init(service: $0) } + [.init(service: exporter)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(5)
        configuration.maximumCancellationDuration = .seconds(2)
        try await ServiceGroup(configuration: configuration).run()
    }

    /// The store's `--store` text; the default file is removed first, being the history of an earlier demo chain.
    private func freshStore() throws -> String {
        if let store { return store }
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: Self.defaultStore + suffix) {
            do { try FileManager.default.removeItem(atPath: Self.defaultStore + suffix) } catch {
                throw InputFailure(file: Self.defaultStore + suffix, message: "cannot remove the earlier demo's store: \(error.localizedDescription)")
            }
        }
        return "sqlite:\(Self.defaultStore)"
    }
}
