public import Exporter
import Foundation
import Hummingbird
public import Logging
public import MetricStore
import NIOCore
import Server
public import ServiceLifecycle
public import WebSecurity
public import UnixSignals
import WebUI

/// Everything `serve` runs, built from its settings: the store, one service per chain and the
/// HTTP server (the pages, /metrics, the query API, health and readiness), in one service
/// group. `demo` runs the same inside its own group, next to an embedded node.
public struct ExporterServer: Sendable {
    public let group: ServiceGroup
    public let store: (any MetricStore)?

    /// `listening` is told the HTTP address once the server accepts connections.
    public init(
        settings: ExporterConfiguration, definitions loaded: [MetricDefinition], apiKeysFile: String?, security: WebSecurity = .open, origin: String,
        shutdownSignals: [UnixSignal], logger: Logger, listening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }
    ) async throws {
        let location: StoreLocation
        do { location = try StoreLocation(parsing: settings.store ?? StoreLocation.default.description) } catch { throw InputFailure(file: "--store", message: error.description) }
        let store: (any MetricStore)?
        do { store = try await location.open() } catch { throw InputFailure(file: "--store", message: "\(error)") }
        try await self.init(
            settings: settings, definitions: loaded, store: store, storeLocation: location.description, apiKeysFile: apiKeysFile, security: security, origin: origin,
            shutdownSignals: shutdownSignals, logger: logger, listening: listening)
    }

    /// The same over a store already open (closed by `run()` once the group has stopped).
    public init(
        settings: ExporterConfiguration, definitions loaded: [MetricDefinition], store: (any MetricStore)?, storeLocation: String, apiKeysFile: String?,
        security: WebSecurity = .open, origin: String, shutdownSignals: [UnixSignal], logger: Logger,
        listening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }
    ) async throws {
        let registry = ChainMetricsRegistry(definitions: loaded)
        let metrics = ExporterMetrics()
        do { try await store?.saveDefinitions(StoreSink.definitions(loaded)) } catch { throw InputFailure(file: "--store", message: "\(error)") }
        let sink = store.map { StoreSink(store: $0, location: storeLocation, onFailedWrite: .retry(logger)) }
        try Self.checkHistory(settings, definitions: loaded, hasStore: sink != nil, origin: origin)
        let board = ChainBoard(entries: settings.chains.map { ChainEntry(name: $0.name, endpoints: $0.endpoints, follow: $0.follow, history: $0.history, naming: settings.chainNaming) })
        let telemetryPath = settings.telemetryPath ?? "/metrics"
        guard let address = ListenAddress(settings.listenAddress ?? ":9616") else {
            throw InputFailure(file: origin, message: "web.listen_address takes HOST:PORT or :PORT")
        }

        let router = WebServing.router(security, logger: logger)
        WebServing.addExposition(to: router, path: telemetryPath) { registry.exposition() + metrics.exposition() }
        let queries = store.map { MetricQueries(store: $0) }
        // The landing page's charts: from the store, or kept in memory from the blocks followed.
        let recent = queries == nil ? RecentSamples() : nil
        let headlines: @Sendable (String, Int64) async -> [Headlines.Chart] = if let queries {
            { chain, now in await StoreHeadlines(queries: queries).charts(chain: chain, nowMilliseconds: now) }
        } else {
            { chain, _ in recent?.charts(chain: chain) ?? [] }
        }
        WebPages(
            status: { await board.status() }, queries: queries, telemetryPath: telemetryPath, headlines: headlines,
            headlineSource: queries == nil ? .memory : .store
        ).addRoutes(to: router)
        if let queries {
            try await QueryRoutes.add(to: router, queries: queries, keys: try QueryRoutes.keys(file: apiKeysFile))
        }
        router.get("/-/healthy") { _, _ in "OK\n" }
        router.get("/-/ready") { _, _ -> Response in Response(status: await board.isReady ? .ok : .serviceUnavailable) }
        let server = try WebServing.application(router: router, at: address, security: security, logger: logger, listening: listening)
        let chains = board.entries.map { entry in
            ServiceGroupConfiguration.ServiceConfiguration(service: ChainService(
                entry: entry, board: board, definitions: loaded, registry: registry, metrics: metrics, sink: sink, recent: recent, logger: logger))
        }
        var configuration = ServiceGroupConfiguration(services: chains + [.init(service: server)], gracefulShutdownSignals: shutdownSignals, logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(5)
        group = ServiceGroup(configuration: configuration)
        self.store = store
    }

    /// Runs until a shutdown signal (or the enclosing group's shutdown), then closes the store.
    public func run() async throws {
        try await closing({ try? await store?.close() }, after: group.run)
    }

    /// History sections need a store, and each metric and pallet they name must choose some definition.
    static func checkHistory(_ settings: ExporterConfiguration, definitions: [MetricDefinition], hasStore: Bool, origin: String) throws {
        for (position, chain) in settings.chains.enumerated() {
            guard let history = chain.history else { continue }
            guard hasStore else { throw InputFailure(file: origin, message: "history is loaded into a store; --store none has none") }
            do { _ = try history.selection.choose(from: definitions) } catch {
                throw InputFailure(file: origin, message: "chains.\(position).history: \(error)")
            }
        }
    }
}
