import Exporter
import Foundation
import Hummingbird
import Logging
import MetricStore
import NIOCore
import Server
import ServiceLifecycle
import WebSecurity
import UnixSignals
import WebUI

/// Everything `serve` runs, built from its settings: the store, one service per chain and the
/// HTTP server (the pages, /metrics, the query API, health and readiness), in one service
/// group. `demo` runs the same inside its own group, next to an embedded node.
struct ExporterServer {
    let group: ServiceGroup
    let store: (any MetricStore)?

    /// `listening` is told the HTTP address once the server accepts connections.
    init(
        settings: ExporterConfiguration, definitions loaded: [MetricDefinition], apiKeysFile: String?, security: WebSecurity = .open, origin: String,
        shutdownSignals: [UnixSignal], logger: Logger, listening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }
    ) async throws {
        let registry = ChainMetricsRegistry(definitions: loaded)
        let metrics = ExporterMetrics()
        let location: StoreLocation
        do { location = try StoreLocation(parsing: settings.store ?? StoreLocation.default.description) } catch { throw InputFailure(file: "--store", message: error.description) }
        let store: (any MetricStore)?
        do {
            store = try await location.open()
            try await store?.saveDefinitions(StoreSink.definitions(loaded))
        } catch {
            throw InputFailure(file: "--store", message: "\(error)")
        }
        let sink = store.map { StoreSink(store: $0, location: location.description, logger: logger) }
        try ServeCommand.checkHistory(settings, definitions: loaded, hasStore: sink != nil, origin: origin)
        let board = ChainBoard(entries: settings.chains.map { ChainEntry(name: $0.name, endpoints: $0.endpoints, follow: $0.follow, history: $0.history) })
        let telemetryPath = settings.telemetryPath ?? "/metrics"
        guard let (host, port) = ServeCommand.address(settings.listenAddress ?? ":9616") else {
            throw InputFailure(file: origin, message: "web.listen_address takes HOST:PORT or :PORT")
        }

        let router = WebServing.router(security, logger: logger)
        router.get(RouterPath(telemetryPath)) { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: registry.exposition() + metrics.exposition()))
            )
        }
        let queries = store.map { MetricQueries(store: $0) }
        WebPages(status: { await board.status() }, queries: queries, telemetryPath: telemetryPath).addRoutes(to: router)
        if let queries {
            try await QueryRoutes.add(to: router, queries: queries, keys: try QueryRoutes.keys(file: apiKeysFile))
        }
        router.get("/-/healthy") { _, _ in "OK\n" }
        // Ready once some chain's metrics are served; a chain that is down does not hold the others back.
        router.get("/-/ready") { _, _ -> Response in
            for entry in board.entries { if await entry.follower?.processedHead != nil { return Response(status: .ok) } }
            return Response(status: .serviceUnavailable)
        }
        let server = try WebServing.application(router: router, host: host, port: port, security: security, logger: logger, listening: listening)
        let chains = board.entries.map { entry in
            ServiceGroupConfiguration.ServiceConfiguration(service: ChainService(
                entry: entry, board: board, definitions: loaded, registry: registry, metrics: metrics, sink: sink, logger: logger))
        }
        var configuration = ServiceGroupConfiguration(services: chains + [.init(service: server)], gracefulShutdownSignals: shutdownSignals, logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(5)
        group = ServiceGroup(configuration: configuration)
        self.store = store
    }

    /// Runs until a shutdown signal (or the enclosing group's shutdown), then closes the store.
    func run() async throws {
        do {
            try await group.run()
        } catch {
            try? await store?.close()
            throw error
        }
        try? await store?.close()
    }
}

extension ChainBoard {
    func status() async -> [ChainStatus] {
        var statuses = [ChainStatus]()
        for entry in entries { statuses.append(await entry.status()) }
        return statuses
    }
}
