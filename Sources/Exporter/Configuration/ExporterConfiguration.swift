public import Foundation
import Yams

/// `runtime-exporter serve --config FILE`: the chains to follow and where to serve them. Flags
/// given on the command line take precedence over the file.
///
/// ```yaml
/// web:
///   listen_address: ":9616"
///   telemetry_path: /metrics
/// store: sqlite:runtime-exporter.sqlite   # or postgres://USER:PASSWORD@HOST:PORT/DATABASE, or none
/// chain_naming: spec             # unnamed chains: the runtime's spec name (polkadot), or node: as the node names it (Polkadot)
/// metrics: [./my-metrics]        # more definition directories
/// default_metrics: true          # the shipped definitions too
/// history:                      # loaded into the store in the background, newest first
///   from: 20000000               # the first block
///   to: 21000000                 # default: the block before the first one followed
///   every: 100                   # gauges every 100 blocks (counters read every block)
///   metrics:                     # default: all; names or globs, each with its own spacing if given
///     - balances_total_issuance_tokens
///     - { name: nomination_pool_*, every: 600 }
///     - { name: staking_ledger_*, schedule: daily }
///   pallets: [Staking]           # only the metrics reading these pallets
///   chunk: 500
///   workers: 8
/// chains:
///   - name: polkadot             # the chain label; default: the runtime's spec name
///     rpc: [wss://rpc.polkadot.io, wss://polkadot-rpc.dwellir.com]   # failover, in order
///     follow: finalized          # or best
///     history: { from: 1 }       # this chain's own history section (instead of the top one)
/// ```
public struct ExporterConfiguration: Sendable, Equatable {
    public var listenAddress: String?
    public var telemetryPath: String?
    /// `sqlite:PATH`, a PostgreSQL URL or `none`; checked when the store opens.
    public var store: String?
    public var metricsDirectories: [String] = []
    public var defaultMetrics = true
    public var chains: [Chain] = []
    /// How a chain the configuration does not name is named in the chain label.
    public var chainNaming = ChainNameSource.spec
    /// History for every chain without a section of its own.
    public var history: History?

    public struct Chain: Sendable, Equatable {
        public var name: String?
        public var endpoints: [String]
        public var follow: FollowMode
        public var history: History?

        public init(name: String? = nil, endpoints: [String], follow: FollowMode = .finalized, history: History? = nil) {
            self.name = name
            self.endpoints = endpoints
            self.follow = follow
            self.history = history
        }
    }

    /// A range of history `serve` loads while it follows the chain.
    public struct History: Sendable, Equatable {
        public var from: UInt64
        /// Nil: the block before the first one followed, so that history and following meet.
        public var to: UInt64?
        public var every: Int?
        /// Nil: every definition history can load.
        public var metrics: [HistorySelection.Entry]?
        public var pallets: [String]?
        public var chunk: UInt64 = 500
        public var workers = 8

        public init(from: UInt64, to: UInt64? = nil) {
            self.from = from
            self.to = to
        }

        public var selection: HistorySelection {
            HistorySelection(entries: metrics, pallets: pallets, every: every)
        }
    }

    public init() {}

    /// Reads a configuration file; every mistake is one `DefinitionError`-style line naming
    /// the file, line and field.
    public static func load(file: URL) throws(DefinitionError) -> ExporterConfiguration {
        guard let data = FileManager.default.contents(atPath: file.path), let text = String(data: data, encoding: .utf8) else {
            throw DefinitionError(origin: file.path, "cannot read the configuration file as UTF-8 text")
        }
        return try parse(text, origin: file.path)
    }

    public static func parse(_ text: String, origin: String) throws(DefinitionError) -> ExporterConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw DefinitionError(origin: origin, "not valid YAML: \(String(describing: error).split(separator: "\n").joined(separator: " "))")
        }
        var configuration = ExporterConfiguration()
        guard let root else { return configuration }
        let reader = ConfigurationReader(origin: origin)
        let top = try reader.mapping(root, field: nil, known: ["web", "store", "metrics", "default_metrics", "chains", "history", "chain_naming"])
        if let history = top["history"] { configuration.history = try reader.history(history, "history") }
        if let web = top["web"] {
            let fields = try reader.mapping(web, field: "web", known: ["listen_address", "telemetry_path"])
            configuration.listenAddress = try fields["listen_address"].map { node throws(DefinitionError) in try reader.text(node, "web.listen_address") }
            configuration.telemetryPath = try fields["telemetry_path"].map { node throws(DefinitionError) in try reader.text(node, "web.telemetry_path") }
        }
        if let store = top["store"] { configuration.store = try reader.text(store, "store") }
        if let naming = top["chain_naming"] {
            let text = try reader.text(naming, "chain_naming")
            guard let source = ChainNameSource(rawValue: text) else { throw reader.fail("chain_naming", "expected spec or node, not \(text)", naming) }
            configuration.chainNaming = source
        }
        if let metrics = top["metrics"] { configuration.metricsDirectories = try reader.texts(metrics, "metrics") }
        if let flag = top["default_metrics"] {
            guard let value = Bool(try reader.text(flag, "default_metrics")) else { throw reader.fail("default_metrics", "expected true or false", flag) }
            configuration.defaultMetrics = value
        }
        if let chains = top["chains"] {
            guard case let .sequence(list) = chains else { throw reader.fail("chains", "expected a list of chains", chains) }
            for (position, node) in list.enumerated() {
                let field = "chains.\(position)"
                let fields = try reader.mapping(node, field: field, known: ["name", "rpc", "follow", "history"])
                guard let rpc = fields["rpc"] else { throw reader.fail("\(field).rpc", "missing: give the chain's endpoints", node) }
                let endpoints = try reader.texts(rpc, "\(field).rpc")
                guard !endpoints.isEmpty else { throw reader.fail("\(field).rpc", "give at least one endpoint", rpc) }
                for endpoint in endpoints where !["ws://", "wss://", "http://", "https://"].contains(where: endpoint.hasPrefix) {
                    throw reader.fail("\(field).rpc", "\(endpoint) is not a ws://, wss://, http:// or https:// URL", rpc)
                }
                var chain = Chain(endpoints: endpoints)
                chain.name = try fields["name"].map { node throws(DefinitionError) in try reader.text(node, "\(field).name") }
                if let follow = fields["follow"] {
                    guard let mode = FollowMode(rawValue: try reader.text(follow, "\(field).follow")) else {
                        throw reader.fail("\(field).follow", "expected finalized or best", follow)
                    }
                    chain.follow = mode
                }
                if let history = fields["history"] { chain.history = try reader.history(history, "\(field).history") }
                configuration.chains.append(chain)
            }
        }
        try configuration.checkNames(origin: origin)
        return configuration
    }

    /// Chain names label every series, so two chains may not share one.
    public func checkNames(origin: String) throws(DefinitionError) {
        var seen = Set<String>()
        for (position, chain) in chains.enumerated() {
            guard let name = chain.name else { continue }
            guard name.range(of: "^[A-Za-z0-9_.:-]+$", options: .regularExpression) != nil else {
                throw DefinitionError(origin: origin, field: "chains.\(position).name", "\(name) is not a usable chain name (letters, digits, _ . : -)")
            }
            guard seen.insert(name).inserted else {
                throw DefinitionError(origin: origin, field: "chains.\(position).name", "two chains are named \(name)")
            }
        }
    }
}

/// Which heads a chain is followed by: finalized (every block exactly once, never retracted) or
/// best (lower latency; a block later retracted by a reorganisation stays counted).
public enum FollowMode: String, Sendable, CaseIterable {
    case finalized, best
}

/// Field reading with one-line errors that name the file, line and field.
private struct ConfigurationReader {
    let origin: String

    func fail(_ field: String?, _ message: String, _ node: Node) -> DefinitionError {
        DefinitionError(origin: DefinitionLoader.place(origin, node), field: field, message)
    }

    func history(_ node: Node, _ field: String) throws(DefinitionError) -> ExporterConfiguration.History {
        let fields = try mapping(node, field: field, known: ["from", "to", "every", "metrics", "pallets", "chunk", "workers"])
        func number(_ name: String, minimum: UInt64) throws(DefinitionError) -> UInt64? {
            try fields[name].map { node throws(DefinitionError) in try wholeNumber(node, "\(field).\(name)", minimum: minimum) }
        }
        guard let from = try number("from", minimum: 0) else { throw fail("\(field).from", "missing: give the first block to load", node) }
        var history = ExporterConfiguration.History(from: from, to: try number("to", minimum: 0))
        if let to = history.to, to < from, let node = fields["to"] { throw fail("\(field).to", "block \(to) is before from (\(from))", node) }
        history.every = try number("every", minimum: 1).map { Int(clamping: $0) }
        history.chunk = try number("chunk", minimum: 1) ?? history.chunk
        history.workers = try number("workers", minimum: 1).map { Int(clamping: $0) } ?? history.workers
        history.metrics = try fields["metrics"].map { node throws(DefinitionError) in try historyEntries(node, "\(field).metrics") }
        history.pallets = try fields["pallets"].map { node throws(DefinitionError) in try texts(node, "\(field).pallets") }
        return history
    }

    /// `history.metrics`: names or globs, each alone or `{name, every}` / `{name, schedule}`.
    func historyEntries(_ node: Node, _ field: String) throws(DefinitionError) -> [HistorySelection.Entry] {
        let items: [Node] = if case let .sequence(items) = node { Array(items) } else { [node] }
        var entries = [HistorySelection.Entry]()
        for (position, item) in items.enumerated() {
            let at = "\(field)[\(position)]"
            guard case .mapping = item else {
                entries.append(HistorySelection.Entry(try text(item, at)))
                continue
            }
            let fields = try mapping(item, field: at, known: ["name", "every", "schedule"])
            guard let name = fields["name"] else { throw fail("\(at).name", "missing: give the metric's name or a glob", item) }
            var entry = HistorySelection.Entry(try text(name, "\(at).name"))
            switch (fields["every"], fields["schedule"]) {
            case (nil, nil):
                break
            case let (every?, nil):
                entry.sampling = .everyBlocks(Int(clamping: try wholeNumber(every, "\(at).every", minimum: 1)))
            case let (nil, schedule?):
                let value = try text(schedule, "\(at).schedule")
                guard let known = MetricDefinition.Schedule(rawValue: value) else {
                    throw fail("\(at).schedule", "expected one of \(MetricDefinition.Schedule.allCases.map(\.rawValue).joined(separator: ", "))", schedule)
                }
                entry.sampling = .schedule(known)
            case let (_, schedule?):
                throw fail("\(at).schedule", "give every or schedule, not both", schedule)
            }
            entries.append(entry)
        }
        return entries
    }

    func mapping(_ node: Node, field: String?, known: Set<String>) throws(DefinitionError) -> [String: Node] {
        guard case let .mapping(pairs) = node else { throw fail(field, "expected a mapping of fields", node) }
        var result = [String: Node]()
        for (key, value) in pairs {
            guard let name = key.scalar?.string else { throw fail(field, "field names are text", key) }
            let path = field.map { "\($0).\(name)" } ?? name
            guard known.contains(name) else { throw fail(path, "unknown field (known: \(known.sorted().joined(separator: ", ")))", key) }
            guard result[name] == nil else { throw fail(path, "given twice", key) }
            result[name] = value
        }
        return result
    }

    func wholeNumber(_ node: Node, _ field: String, minimum: UInt64) throws(DefinitionError) -> UInt64 {
        guard let value = UInt64(try text(node, field)), value >= minimum else { throw fail(field, "expected a whole number of at least \(minimum)", node) }
        return value
    }

    func text(_ node: Node, _ field: String) throws(DefinitionError) -> String {
        guard let scalar = node.scalar else { throw fail(field, "expected text", node) }
        return scalar.string
    }

    /// One text or a list of them.
    func texts(_ node: Node, _ field: String) throws(DefinitionError) -> [String] {
        guard case let .sequence(items) = node else { return [try text(node, field)] }
        var result = [String]()
        for item in items { result.append(try text(item, field)) }
        return result
    }
}
