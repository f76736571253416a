import ArgumentParser
import Exporter
import ExporterServices
import Foundation
import Logging
import MetricStore

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

    @Option(name: .customLong("chain-naming"), help: "How the chain is named when --chain is not given: spec (the runtime's spec name) or node (the chain's name as its node gives it).")
    var chainNaming: ChainNameSource = .spec

    @Option(help: "The first block to load.")
    var from: UInt64

    @Option(help: "The last block to load. Default: the finalized head.")
    var to: UInt64?

    @Option(help: "Only these metrics (comma-separated names or globs: nomination_pool_*).")
    var metrics: String?

    @Option(help: "Only the metrics reading these pallets (comma-separated: Balances,Staking).")
    var pallets: String?

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
        if let listenAddress, ListenAddress(listenAddress) == nil { throw ValidationError("--web.listen-address takes HOST:PORT or :PORT, not \(listenAddress)") }
        do { guard try StoreLocation(parsing: store) != .none else { throw ValidationError("backfill needs a store: --store sqlite:PATH or postgres://…") } } catch let error as StoreError where error.kind == .location {
            throw ValidationError(error.description)
        }
    }

    func run() async throws {
        let logger = Logger(label: "runtime-exporter")
        let security = try WebServing.security(file: webConfigFile)
        let loaded = try definitions.load()
        let selection = HistorySelection(
            entries: metrics.map { $0.split(separator: ",").map { HistorySelection.Entry(String($0)) } },
            pallets: pallets.map { $0.split(separator: ",").map(String.init) }, every: every)
        let chosen: [MetricDefinition]
        do { chosen = try selection.choose(from: loaded) } catch { throw ValidationError("--metrics/--pallets: \(error)") }
        let chosenNames = Set(chosen.map(\.name))
        let opened: (any MetricStore)?
        do {
            opened = try await StoreLocation(parsing: store).open()
            try await opened?.saveDefinitions(StoreSink.definitions(loaded.filter { chosenNames.contains($0.name) }))
        } catch {
            throw InputFailure(file: "--store", message: "\(error)")
        }
        guard let opened else { return }
        let endpoints = rpc.split(separator: ",").map(String.init)
        let name = if let chain { chain } else { try await ChainNaming.name(from: chainNaming, endpoints: endpoints, timeout: .seconds(60), logger: logger) }
        let backfill = Backfill(
            chain: name, endpoints: endpoints, store: opened, definitions: chosen, range: (from, to), chunk: chunk, workers: workers, logger: logger)
        do {
            try await backfill.run(metricsAt: listenAddress.flatMap(ListenAddress.init), security: security)
        } catch {
            try? await opened.close()
            throw error
        }
        try await opened.close()
    }
}
