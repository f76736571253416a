import Exporter
import Testing

/// The `serve --config` file: chains with their endpoints and follow mode, the web settings,
/// and every mistake as one line naming the file, line and field.
@Suite struct ConfigurationTests {
    @Test func aFullConfigurationReads() throws {
        let configuration = try ExporterConfiguration.parse("""
            web:
              listen_address: 127.0.0.1:9700
              telemetry_path: /chain-metrics
            metrics: ./more
            default_metrics: false
            chains:
              - name: polkadot
                rpc: [wss://a.example, wss://b.example]
              - rpc: http://127.0.0.1:9933
                follow: best
            """, origin: "c.yaml")
        #expect(configuration.listenAddress == "127.0.0.1:9700" && configuration.telemetryPath == "/chain-metrics")
        #expect(configuration.metricsDirectories == ["./more"] && !configuration.defaultMetrics)
        #expect(configuration.chains == [
            .init(name: "polkadot", endpoints: ["wss://a.example", "wss://b.example"]),
            .init(name: nil, endpoints: ["http://127.0.0.1:9933"], follow: .best),
        ])
        #expect(configuration.history == nil)
    }

    /// Unnamed chains are labelled by the runtime's spec name unless the file asks for the node's name.
    @Test func chainNamingIsSpecOrNode() throws {
        #expect(try ExporterConfiguration.parse("chains: [{rpc: ws://a}]\n", origin: "c.yaml").chainNaming == .spec)
        #expect(try ExporterConfiguration.parse("chain_naming: node\nchains: [{rpc: ws://a}]\n", origin: "c.yaml").chainNaming == .node)
        #expect(throws: DefinitionError.self) {
            try ExporterConfiguration.parse("chain_naming: display\nchains: [{rpc: ws://a}]\n", origin: "c.yaml")
        }
    }

    @Test func historySectionsReadForAllChainsOrOne() throws {
        let configuration = try ExporterConfiguration.parse("""
            history:
              from: 20000000
              every: 100
              metrics:
                - balances_total_issuance_tokens
                - { name: nomination_pool_*, every: 600 }
                - { name: staking_ledger_*, schedule: daily }
              pallets: [Staking, NominationPools]
            chains:
              - rpc: wss://a.example
              - rpc: wss://b.example
                history: { from: 5, to: 900, chunk: 50, workers: 2 }
            """, origin: "c.yaml")
        var common = ExporterConfiguration.History(from: 20_000_000)
        common.every = 100
        common.metrics = [
            .init("balances_total_issuance_tokens"), .init("nomination_pool_*", sampling: .everyBlocks(600)), .init("staking_ledger_*", sampling: .schedule(.daily)),
        ]
        common.pallets = ["Staking", "NominationPools"]
        #expect(configuration.history == common)
        #expect(configuration.chains[0].history == nil)
        var own = ExporterConfiguration.History(from: 5, to: 900)
        (own.chunk, own.workers) = (50, 2)
        #expect(configuration.chains[1].history == own)
    }

    @Test(arguments: [
        ("chain:\n  - rpc: ws://a\n", "c.yaml:1: field chain: unknown field"),
        ("chains:\n  - name: a\n", "c.yaml:2: field chains.0.rpc: missing"),
        ("chains:\n  - rpc: [ws://a, ftp://b]\n", "c.yaml:2: field chains.0.rpc: ftp://b is not a ws://"),
        ("chains:\n  - rpc: ws://a\n    follow: newest\n", "c.yaml:3: field chains.0.follow: expected finalized or best"),
        ("chains:\n  - rpc: ws://a\n    name: x\n  - rpc: ws://b\n    name: x\n", "c.yaml: field chains.1.name: two chains are named x"),
        ("chains:\n  - rpc: ws://a\n    name: \"a b\"\n", "c.yaml: field chains.0.name: a b is not a usable chain name"),
        ("web:\n  port: 1\n", "c.yaml:2: field web.port: unknown field"),
        ("default_metrics: maybe\n", "c.yaml:1: field default_metrics: expected true or false"),
        ("chains: ws://a\n", "c.yaml:1: field chains: expected a list of chains"),
        ("chains: [\n", "c.yaml: not valid YAML"),
        ("history:\n  to: 5\n", "c.yaml:2: field history.from: missing"),
        ("history:\n  from: 9\n  to: 5\n", "c.yaml:3: field history.to: block 5 is before from (9)"),
        ("history:\n  from: 1\n  chunk: 0\n", "c.yaml:3: field history.chunk: expected a whole number of at least 1"),
        ("history:\n  from: -3\n", "c.yaml:2: field history.from: expected a whole number"),
        ("chains:\n  - rpc: ws://a\n    history: { from: 1, colour: red }\n", "c.yaml:3: field chains.0.history.colour: unknown field"),
        ("history:\n  from: 1\n  metrics:\n    - { name: a, every: 0 }\n", "c.yaml:4: field history.metrics[0].every: expected a whole number of at least 1"),
        ("history:\n  from: 1\n  metrics:\n    - a\n    - { name: b, schedule: weekly }\n", "c.yaml:5: field history.metrics[1].schedule: expected one of hourly, daily, era"),
        ("history:\n  from: 1\n  metrics:\n    - { name: b, every: 5, schedule: daily }\n", "c.yaml:4: field history.metrics[0].schedule: give every or schedule, not both"),
        ("history:\n  from: 1\n  metrics:\n    - { every: 5 }\n", "c.yaml:4: field history.metrics[0].name: missing"),
    ])
    func mistakesAreOneLineNamingTheirPlace(text: String, expected: String) {
        do {
            _ = try ExporterConfiguration.parse(text, origin: "c.yaml")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.hasPrefix(expected), "\(error.description)")
            #expect(!error.description.contains("\n"))
        }
    }
}
