import ArgumentParser
import Exporter
import ExporterServices
import Foundation
import Logging
import MetricStore
import ServiceLifecycle
import UnixSignals

/// `runtime-exporter serve`: follow chains' finalized blocks and serve their metrics to Prometheus.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Follow chains' finalized blocks and serve their metrics to Prometheus."
    )

    @Option(help: "A chain's JSON-RPC endpoint (ws://, wss://, http://, https://); several nodes of one chain separated by commas, tried in turn. Repeat for more chains.")
    var rpc: [String] = []

    @Option(help: "A configuration file (YAML): chains, endpoints, listen address, metric directories.")
    var config: String?

    @Option(help: "The chain's name in the chain label (one --rpc only). Default: the runtime's spec name.")
    var chain: String?

    @Option(name: .customLong("chain-naming"), help: "How chains not named are labelled: spec (the runtime's spec name, polkadot) or node (the chain's name as its node gives it, Polkadot, as polkadot-runtime-prom-exporter did).")
    var chainNaming: ChainNameSource?

    @Option(help: "Heads to follow: finalized (each block exactly once) or best (sooner; retracted blocks stay counted).", transform: { text in
        guard let mode = FollowMode(rawValue: text) else { throw ValidationError("--follow takes finalized or best, not \(text)") }
        return mode
    })
    var follow: FollowMode = .finalized

    @Option(name: .customLong("web.listen-address"), help: "Address to serve /metrics on, HOST:PORT or :PORT (default :9616).")
    var listenAddress: String?

    @Option(name: .customLong("web.telemetry-path"), help: "Path of the metrics page (default /metrics).")
    var telemetryPath: String?

    @Option(help: "Where samples of finalized blocks are kept for history: sqlite:PATH (default sqlite:runtime-exporter.sqlite), postgres://USER:PASSWORD@HOST:PORT/DATABASE, or none (Prometheus only).")
    var store: String?

    @Option(name: .customLong("history-from"), help: "Load history from this block into the store in the background while following (every chain).")
    var historyFrom: UInt64?

    @Option(name: .customLong("history-to"), help: "The last block of that history. Default: the block before the first one followed.")
    var historyTo: UInt64?

    @Option(name: .customLong("web.config.file"), help: "A web configuration file (Prometheus exporter-toolkit format): TLS, basic auth users with bcrypt hashes, a rate limit.")
    var webConfigFile: String?

    @Option(name: .customLong("api-keys-file"), help: "A file of API keys (one per line) that open metrics marked access: restricted in the query API.")
    var apiKeysFile: String?

    @OptionGroup var definitions: DefinitionOptions

    func validate() throws {
        if historyTo != nil, historyFrom == nil { throw ValidationError("--history-to needs --history-from") }
        if let historyFrom, let historyTo, historyTo < historyFrom { throw ValidationError("--history-to \(historyTo) is before --history-from \(historyFrom)") }
        guard !rpc.isEmpty || config != nil else { throw ValidationError("give a node's endpoint with --rpc ws://HOST:PORT, or a --config file") }
        guard chain == nil || rpc.count == 1 else { throw ValidationError("--chain names the chain of a single --rpc; name several chains in a --config file") }
        if let telemetryPath, !telemetryPath.hasPrefix("/") { throw ValidationError("--web.telemetry-path must start with /") }
        if let store { do { _ = try StoreLocation(parsing: store) } catch { throw ValidationError(error.description) } }
        if let listenAddress, ListenAddress(listenAddress) == nil { throw ValidationError("--web.listen-address takes HOST:PORT or :PORT, not \(listenAddress)") }
        for endpoint in rpc.flatMap({ $0.split(separator: ",") }) where !["ws://", "wss://", "http://", "https://"].contains(where: endpoint.hasPrefix) {
            throw ValidationError("--rpc takes ws://, wss://, http:// or https:// URLs, not \(endpoint)")
        }
    }

    /// The configuration file, then the command line over it.
    func settings() throws -> ExporterConfiguration {
        var settings = ExporterConfiguration()
        if let config { settings = try ExporterConfiguration.load(file: URL(fileURLWithPath: config)) }
        for endpoints in rpc {
            settings.chains.append(.init(name: chain, endpoints: endpoints.split(separator: ",").map(String.init), follow: follow))
        }
        try settings.checkNames(origin: "the command line")
        if let listenAddress { settings.listenAddress = listenAddress }
        if let store { settings.store = store }
        if let chainNaming { settings.chainNaming = chainNaming }
        if let telemetryPath { settings.telemetryPath = telemetryPath }
        if let historyFrom { settings.history = .init(from: historyFrom, to: historyTo) }
        // A chain without a history section of its own loads the common one.
        for index in settings.chains.indices where settings.chains[index].history == nil { settings.chains[index].history = settings.history }
        guard !settings.chains.isEmpty else { throw ValidationError("\(config ?? "the configuration") lists no chains") }
        guard ListenAddress(settings.listenAddress ?? ":9616") != nil else { throw ValidationError("web.listen_address takes HOST:PORT or :PORT") }
        return settings
    }

    func run() async throws {
        let logger = Logger(label: "runtime-exporter")
        let settings = try settings()
        let loaded = try definitions.load(extraDirectories: settings.metricsDirectories, defaults: settings.defaultMetrics)
        let security = try WebServing.security(file: webConfigFile)
        let server = try await ExporterServer(
            settings: settings, definitions: loaded, apiKeysFile: apiKeysFile, security: security, origin: config ?? "the command line",
            shutdownSignals: [.sigterm, .sigint], logger: logger)
        try await server.run()
    }
}
