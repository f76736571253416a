public import Exporter
import Foundation
public import Logging
public import MetricStore
import ServiceLifecycle
import SubstrateRPC
public import WebSecurity

/// What `backfill` runs: one range of a chain's history loaded into the store, with progress
/// on standard output, and /metrics (the load's progress and RPC metrics) for as long as it runs
/// when an address is given. The load and the server are services of one group; the group
/// shuts down, the server gracefully, when the load ends, and the load's error ends the run.
public struct Backfill: Sendable {
    public let chain: String
    public let endpoints: [String]
    public let store: any MetricStore
    /// Those to load, spaced as chosen (`HistorySelection`).
    public let definitions: [MetricDefinition]
    public let range: (from: UInt64, to: UInt64?)
    public let chunk: UInt64
    public let workers: Int
    public let logger: Logger

    public init(
        chain: String, endpoints: [String], store: any MetricStore, definitions: [MetricDefinition], range: (from: UInt64, to: UInt64?), chunk: UInt64,
        workers: Int, logger: Logger
    ) {
        (self.chain, self.endpoints, self.store, self.definitions, self.range) = (chain, endpoints, store, definitions, range)
        (self.chunk, self.workers, self.logger) = (chunk, workers, logger)
    }

    public func run(metricsAt address: ListenAddress?, security: WebSecurity) async throws {
        let metrics = ExporterMetrics()
        var services = [ServiceGroupConfiguration.ServiceConfiguration(
            service: Load(backfill: self, metrics: metrics), successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)]
        if let address {
            let router = WebServing.router(security, logger: logger)
            WebServing.addExposition(to: router, path: "/metrics") { metrics.exposition() }
            let server = try WebServing.application(router: router, at: address, security: security, logger: logger)
            services.append(.init(service: NonEssential(server, logger: logger), successTerminationBehavior: .ignore))
        }
        try await ServiceGroup(configuration: .init(services: services, logger: logger)).run()
    }

    /// The load itself, on its own connections: several nodes share it, each call going to
    /// each in turn and failing over to the others.
    private struct Load: Service {
        let backfill: Backfill
        let metrics: ExporterMetrics

        func run() async throws {
            let (chain, range) = (backfill.chain, backfill.range)
            let transport = FailoverTransport(endpoints: backfill.endpoints, spreadsCalls: true, observer: metrics.observer(chain: chain), logger: backfill.logger)
            var loader = HistoryLoader(
                chain: chain, client: SubstrateRPCClient(transport: transport, timeout: .seconds(60)), definitions: backfill.definitions,
                sink: StoreSink(store: backfill.store), logger: backfill.logger)
            (loader.chunkSize, loader.concurrency) = (backfill.chunk, backfill.workers)
            try await closing(transport.close) {
                let last = if let to = range.to { to } else { try await loader.finalizedHead() }
                metrics.historyStarted(chain: chain, blocks: last >= range.from ? last - range.from + 1 : 0)
                let report = HistoryProgressReport(chain: chain, terminal: isatty(STDOUT_FILENO) == 1)
                try await loader.load(from: range.from, to: last) { progress in
                    metrics.historyProgress(chain: chain, progress)
                    report.show(progress)
                }
                report.finish()
            }
        }
    }

    /// A server whose failure (its port taken) is logged and leaves the load going.
    private struct NonEssential<Wrapped: Service>: Service {
        let wrapped: Wrapped
        let logger: Logger

        init(_ wrapped: Wrapped, logger: Logger) {
            (self.wrapped, self.logger) = (wrapped, logger)
        }

        func run() async throws {
            do { try await wrapped.run() } catch { logger.error("--web.listen-address: \(error); loading goes on without /metrics") }
        }
    }
}
