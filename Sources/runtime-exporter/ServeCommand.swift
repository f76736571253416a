import ArgumentParser
import ExactJSON
import Exporter
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import SubstrateRPC
import UnixSignals

/// `runtime-exporter serve`: follow a chain's finalized blocks and serve their metrics to Prometheus.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Follow a chain's finalized blocks and serve its metrics to Prometheus."
    )

    @Option(help: "A node's JSON-RPC endpoint (ws://, wss://); repeat for failover between nodes of the same chain.")
    var rpc: [String] = []

    @Option(help: "The chain's name in the chain label. Default: the runtime's spec name.")
    var chain: String?

    @Option(name: .customLong("web.listen-address"), help: "Address to serve /metrics on, HOST:PORT or :PORT.")
    var listenAddress = ":9616"

    @Option(name: .customLong("web.telemetry-path"), help: "Path of the metrics page.")
    var telemetryPath = "/metrics"

    @OptionGroup var definitions: DefinitionOptions

    func validate() throws {
        guard !rpc.isEmpty else { throw ValidationError("give the node's endpoint with --rpc ws://HOST:PORT") }
        guard telemetryPath.hasPrefix("/") else { throw ValidationError("--web.telemetry-path must start with /") }
        guard Self.address(listenAddress) != nil else { throw ValidationError("--web.listen-address takes HOST:PORT or :PORT, not \(listenAddress)") }
    }

    static func address(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        let host = String(text[..<colon])
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }

    func run() async throws {
        let logger = Logger(label: "runtime-exporter")
        let loaded = try definitions.load()
        let registry = ChainMetricsRegistry(definitions: loaded)
        let metrics = ExporterMetrics()
        let name: String
        if let chain { name = chain } else { name = try await Self.specName(rpc, logger: logger) }
        let transport = FailoverTransport(endpoints: rpc, observer: metrics.observer(chain: name), logger: logger)
        let client = SubstrateRPCClient(transport: transport, timeout: .seconds(30))
        let follower = ChainFollower(chain: name, client: client, definitions: loaded, registry: registry, metrics: metrics, logger: logger)
        let (host, port) = Self.address(listenAddress)!

        let router = Router()
        router.get(RouterPath(telemetryPath)) { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: registry.exposition() + metrics.exposition()))
            )
        }
        router.get("/") { _, _ -> Response in
            let head = await follower.processedHead.map(String.init) ?? "none yet"
            let page = """
                <!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
                <title>runtime-exporter</title></head><body><h1>runtime-exporter</h1>
                <p>Chain <b>\(name)</b>, last finalized block processed: \(head).</p>
                <p><a href="\(telemetryPath)">Metrics</a></p></body></html>
                """
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        router.get("/-/healthy") { _, _ in "OK\n" }
        router.get("/-/ready") { _, _ -> Response in
            await follower.processedHead == nil ? Response(status: .serviceUnavailable) : Response(status: .ok)
        }
        let server = Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "runtime-exporter"), logger: logger)
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: FollowerService(follower: follower, metrics: metrics, logger: logger)), .init(service: server)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
        )
        configuration.maximumGracefulShutdownDuration = .seconds(5)
        try await ServiceGroup(configuration: configuration).run()
        await transport.close()
    }

    /// The chain's name from its runtime, asked before the metrics' transport exists (its RPC
    /// metrics carry the name).
    static func specName(_ endpoints: [String], logger: Logger) async throws -> String {
        let transport = FailoverTransport(endpoints: endpoints, logger: logger)
        defer { Task { await transport.close() } }
        guard let name = try await SubstrateRPCClient(transport: transport, timeout: .seconds(30)).stateGetRuntimeVersion()["specName"]?.stringValue else {
            throw ValidationError("the node's runtime version has no specName; give --chain")
        }
        return name
    }
}

/// Keeps a follower running: a failure (node gone, bad answer) is logged and following resumes
/// after a pause from the block after the last one processed, so no block is skipped.
struct FollowerService: Service {
    let follower: ChainFollower
    let metrics: ExporterMetrics
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await follower.run()
                } catch is CancellationError {
                    return
                } catch {
                    metrics.error(chain: follower.chain, stage: "follow")
                    logger.error("\(follower.chain): \(error); resuming in 2 s")
                }
                try await Task.sleep(for: .seconds(2))
            }
        }
    }
}
