public import Hummingbird
public import Logging
public import MetricStore
public import Server
public import ServiceLifecycle
public import UnixSignals
public import WebSecurity

/// What `api` runs: the query API over a store other processes fill, in one service group,
/// closing the store once the group has stopped.
public struct APIServer: Sendable {
    public let group: ServiceGroup
    public let store: any MetricStore

    public init(
        store: any MetricStore, address: ListenAddress, keys: APIKeys, maximumPoints: Int, security: WebSecurity, shutdownSignals: [UnixSignal], logger: Logger
    ) async throws {
        let router = try await Self.router(store: store, keys: keys, maximumPoints: maximumPoints, security: security, logger: logger)
        let server = try WebServing.application(router: router, at: address, security: security, logger: logger)
        var configuration = ServiceGroupConfiguration(services: [.init(service: server)], gracefulShutdownSignals: shutdownSignals, logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(5)
        (group, self.store) = (ServiceGroup(configuration: configuration), store)
    }

    /// The routes `api` serves: the query API (REST and GraphQL) and health, behind the web
    /// configuration's checks.
    public static func router(
        store: any MetricStore, keys: APIKeys, maximumPoints: Int, security: WebSecurity, logger: Logger
    ) async throws -> Router<BasicRequestContext> {
        let router = WebServing.router(security, logger: logger)
        try await QueryRoutes.add(to: router, queries: MetricQueries(store: store, maximumPoints: maximumPoints), keys: keys)
        router.get("/-/healthy") { _, _ in "OK\n" }
        return router
    }

    public func run() async throws {
        try await closing({ try? await store.close() }, after: group.run)
    }
}
