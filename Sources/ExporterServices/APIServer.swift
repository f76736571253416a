import Hummingbird
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
        let router = WebServing.router(security, logger: logger)
        try await QueryRoutes.add(to: router, queries: MetricQueries(store: store, maximumPoints: maximumPoints), keys: keys)
        router.get("/-/healthy") { _, _ in "OK\n" }
        let server = try WebServing.application(router: router, at: address, security: security, logger: logger)
        var configuration = ServiceGroupConfiguration(services: [.init(service: server)], gracefulShutdownSignals: shutdownSignals, logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(5)
        (group, self.store) = (ServiceGroup(configuration: configuration), store)
    }

    public func run() async throws {
        do {
            try await group.run()
        } catch {
            try? await store.close()
            throw error
        }
        try? await store.close()
    }
}
