import ArgumentParser
import ExporterServices
import Logging
import MetricStore
import UnixSignals

/// `runtime-exporter api`: the query API over a store that other processes fill (`serve`,
/// `backfill`), following no chain. Point it at a PostgreSQL role that may only read.
struct APICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "Serve the query API (/graphql, /api/v1) over an existing store, following no chain."
    )

    @Option(help: "The store to read: sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE.")
    var store: String

    @Option(name: .customLong("web.listen-address"), help: "Address to serve the API on, HOST:PORT or :PORT (default :9617).")
    var listenAddress: String = ":9617"

    @Option(name: .customLong("api-keys-file"), help: "A file of API keys (one per line) that open metrics marked access: restricted.")
    var apiKeysFile: String?

    @Option(name: .customLong("web.config.file"), help: "A web configuration file (Prometheus exporter-toolkit format): TLS, basic auth users with bcrypt hashes, a rate limit.")
    var webConfigFile: String?

    @Option(name: .customLong("max-points"), help: "The most points one answer may hold.")
    var maximumPoints: Int = 10_000

    func validate() throws {
        do { guard try StoreLocation(parsing: store) != .none else { throw ValidationError("the API reads a store: --store sqlite:PATH or postgres://…") } } catch let error as StoreError where error.kind == .location {
            throw ValidationError(error.description)
        }
        guard ListenAddress(listenAddress) != nil else { throw ValidationError("--web.listen-address takes HOST:PORT or :PORT, not \(listenAddress)") }
        guard maximumPoints > 0 else { throw ValidationError("--max-points must be positive") }
    }

    func run() async throws {
        let logger = Logger(label: "runtime-exporter")
        let keys = try QueryRoutes.keys(file: apiKeysFile)
        let security = try WebServing.security(file: webConfigFile)
        let opened: (any MetricStore)?
        do { opened = try await StoreLocation(parsing: store).open() } catch { throw InputFailure(file: "--store", message: "\(error)") }
        guard let opened else { return }
        let server = try await APIServer(
            store: opened, address: ListenAddress(listenAddress)!, keys: keys, maximumPoints: maximumPoints, security: security, shutdownSignals: [.sigterm, .sigint],
            logger: logger)
        try await server.run()
    }
}
