import ArgumentParser
import ExactJSON
import Exporter
import Foundation
import Hummingbird
import Logging
import MetricStore
import NIOCore
import ServiceLifecycle
import SubstrateRPC
import WebSecurity

/// `runtime-exporter backfill`: load a range of a chain's history into the store.
struct BackfillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Load a range of finalized history into the store, newest first; a rerun resumes where it stopped."
    )

    @Option(help: "The chain's JSON-RPC endpoint; several nodes of the chain separated by commas share the load (each failing over to the others).")
    var rpc: String

    @Option(help: "The chain's name in the store. Default: the runtime's spec name.")
    var chain: String?

    @Option(help: "The first block to load.")
    var from: UInt64

    @Option(help: "The last block to load. Default: the finalized head.")
    var to: UInt64?

    @Option(help: "Only these metrics (comma-separated names).")
    var metrics: String?

    @Option(help: "Where to keep the history: sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE; processes sharing a PostgreSQL store share the range's chunks.")
    var store = StoreLocation.default.description

    @Option(help: "Gauges every this many blocks instead of as their definitions say; counters still read every block.")
    var every: Int?

    @Option(help: "Blocks per chunk: the unit written, and resumed from, at once.")
    var chunk: UInt64 = 500

    @Option(help: "Blocks fetched at once.")
    var workers = 8

    @Option(name: .customLong("web.listen-address"), help: "Serve progress and RPC metrics on /metrics at HOST:PORT or :PORT while loading.")
    var listenAddress: String?

    @Option(name: .customLong("web.config.file"), help: "A web configuration file (Prometheus exporter-toolkit format) for that /metrics: TLS, basic auth, a rate limit.")
    var webConfigFile: String?

    @OptionGroup var definitions: DefinitionOptions

    func validate() throws {
        guard chunk >= 1, workers >= 1, (every ?? 1) >= 1 else { throw ValidationError("--chunk, --workers and --every take 1 or more") }
        if let to, to < from { throw ValidationError("--to \(to) is before --from \(from)") }
        if let listenAddress, ServeCommand.address(listenAddress) == nil { throw ValidationError("--web.listen-address takes HOST:PORT or :PORT, not \(listenAddress)") }
        do { guard try StoreLocation(parsing: store) != .none else { throw ValidationError("backfill needs a store: --store sqlite:PATH or postgres://…") } } catch let error as StoreError {
            throw ValidationError(error.description)
        }
    }

    func run() async throws {
        let logger = Logger(label: "runtime-exporter")
        let security = try WebServing.security(file: webConfigFile)
        var loaded = try definitions.load()
        if let metrics {
            let wanted = Set(metrics.split(separator: ",").map(String.init))
            if let unknown = wanted.subtracting(loaded.map(\.name)).sorted().first { throw ValidationError("--metrics: no metric \(unknown)") }
            loaded = loaded.filter { wanted.contains($0.name) }
        }
        let opened: (any MetricStore)?
        do {
            opened = try await StoreLocation(parsing: store).open()
            try await opened?.saveDefinitions(StoreSink.definitions(loaded))
        } catch {
            throw InputFailure(file: "--store", message: "\(error)")
        }
        guard let opened else { return }
        let exporterMetrics = ExporterMetrics()
        let endpoints = rpc.split(separator: ",").map(String.init)
        let name: String
        if let chain { name = chain } else {
            let naming = FailoverTransport(endpoints: endpoints, logger: logger)
            let specName = try await SubstrateRPCClient(transport: naming, timeout: .seconds(60)).stateGetRuntimeVersion()["specName"]?.stringValue
            await naming.close()
            guard let specName else { throw NameUnknown() }
            name = specName
        }
        // Several nodes share the load: calls go to each in turn, failing over to the others.
        let transport = FailoverTransport(endpoints: endpoints, spreadsCalls: true, observer: exporterMetrics.observer(chain: name), logger: logger)
        let client = SubstrateRPCClient(transport: transport, timeout: .seconds(60))
        // /metrics lives as long as the load: a service shut down gracefully, and awaited, when it ends.
        let server = try listenAddress.flatMap(ServeCommand.address).map { host, port in
            ServiceGroup(configuration: .init(services: [try Self.metricsServer(exporterMetrics, host: host, port: port, security: security, logger: logger)], logger: logger))
        }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                if let server {
                    group.addTask {
                        do { try await server.run() } catch { logger.error("--web.listen-address: \(error); loading goes on without /metrics") }
                    }
                }
                defer { group.cancelAll() }
                try await load(name, client: client, store: opened, definitions: loaded, metrics: exporterMetrics)
                await server?.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        } catch {
            await transport.close()
            throw error
        }
        await transport.close()
        try await opened.close()
    }

    /// Loads the range with a progress line per chunk, or a bar redrawn in place on a terminal.
    private func load(_ name: String, client: SubstrateRPCClient, store opened: any MetricStore, definitions loaded: [MetricDefinition], metrics exporterMetrics: ExporterMetrics) async throws {
        let logger = Logger(label: "runtime-exporter")
        var loader = HistoryLoader(chain: name, client: client, definitions: loaded, sink: StoreSink(store: opened), logger: logger)
        loader.chunkSize = chunk
        loader.concurrency = workers
        loader.every = every
        let last = if let to { to } else { try await loader.finalizedHead() }
        exporterMetrics.historyStarted(chain: name, blocks: last >= from ? last - from + 1 : 0)
        let started = Date()
        // A bar redrawn in place on a terminal; one line per chunk otherwise (logs, pipes).
        let terminal = isatty(STDOUT_FILENO) == 1
        try await loader.load(from: from, to: last) { progress in
            exporterMetrics.historyProgress(chain: name, progress)
            let elapsed = Date().timeIntervalSince(started)
            let rate = elapsed > 0 ? Double(progress.blocksLoaded) / elapsed : 0
            let eta = rate > 0 ? Int(Double(progress.blocksLeft) / rate) : 0
            let timeLeft = String(format: "%d:%02d:%02d", eta / 3600, eta / 60 % 60, eta % 60)
            let errors = progress.failures == 0 ? "" : ", \(progress.failures) failed"
            if terminal {
                let done = Double(progress.chunksDone) / Double(max(progress.chunks, 1))
                let bar = String(repeating: "█", count: Int(done * 30)) + String(repeating: "·", count: 30 - Int(done * 30))
                print("\r\(name) \(bar) \(progress.chunksDone)/\(progress.chunks) chunks, \(String(format: "%.0f", rate)) blocks/s, ETA \(timeLeft)\(errors)", terminator: "")
                fflush(nil)  // every output stream: the line shows at once
            } else {
                let state =
                    switch progress.outcome {
                    case .loaded where !progress.metricFailures.isEmpty:
                        "loaded; failed for \(Set(progress.metricFailures.map(\.failure.metric)).sorted().joined(separator: ", ")) at \(progress.metricFailures.count) metric-block(s), recorded as failed for those metrics"
                    case .loaded: "loaded"
                    case .alreadyLoaded: "already loaded"
                    case .loadedElsewhere: "loaded by another process"
                    case let .failed(error): "failed: \(error)"
                    }
                print("\(name): blocks \(progress.chunk.lowerBound)–\(progress.chunk.upperBound) \(state) (chunk \(progress.chunksDone)/\(progress.chunks), \(String(format: "%.0f", rate)) blocks/s, ETA \(timeLeft)\(errors))")
            }
        }
        if terminal { print("") }
    }

    /// /metrics with the load's progress and RPC metrics, for as long as the load runs.
    static func metricsServer(_ metrics: ExporterMetrics, host: String, port: Int, security: WebSecurity, logger: Logger) throws -> some Service {
        let router = WebServing.router(security, logger: logger)
        router.get("/metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        return try WebServing.application(router: router, host: host, port: port, security: security, logger: logger)
    }
}
