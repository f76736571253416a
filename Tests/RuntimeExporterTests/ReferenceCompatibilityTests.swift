import ChainFixtures
import ExactJSON
import Foundation
import SubstrateRPC
import Testing

/// The Grafana dashboards of polkadot-runtime-prom-exporter against `serve`: a real Prometheus
/// scrapes the exporter (following a devnode, the chain labelled as its node names it) and
/// evaluates `deploy/compat`'s recording rules; every PromQL panel query of the reference's four
/// dashboards, its variables substituted as Grafana does for "All", returns data.
@Suite(.timeLimit(.minutes(3))) struct ReferenceCompatibilityTests {
    /// Panel queries that cannot answer, and why (the README lists the same).
    static let unanswerable: [String: String] = [:]

    /// The label each dashboard variable takes its values from (Grafana extracts them from the
    /// variable query's series with a regex on that label).
    static let variableLabels = ["pallets_var": "section", "methods": "method", "chain": "chain", "fromchain": "chain", "tochain": "tochain"]

    struct Panel {
        let dashboard: String
        let title: String
        let query: String
        let variables: [(name: String, query: String)]
    }

    static func referencePanels() throws -> [Panel] {
        let file = ChainData.root.deletingLastPathComponent().appendingPathComponent("reference/dashboard-queries.json")
        let reference = try JSON.parse(String(contentsOf: file, encoding: .utf8))
        return (reference["dashboards"]?.arrayValue ?? []).flatMap { dashboard -> [Panel] in
            let variables = (dashboard["variables"]?.arrayValue ?? []).compactMap { variable -> (String, String)? in
                guard let name = variable["name"]?.stringValue, let query = variable["query"]?.stringValue else { return nil }
                return (name, query)
            }
            return (dashboard["queries"]?.arrayValue ?? []).compactMap { query in
                guard query["kind"]?.stringValue == "promql", let text = query["query"]?.stringValue else { return nil }
                return Panel(dashboard: dashboard["title"]?.stringValue ?? "?", title: query["panel"]?.stringValue ?? "", query: text, variables: variables)
            }
        }
    }

    /// Grafana's "All" of a multi-value variable in a Prometheus query: every value, regex
    /// metacharacters escaped (a backslash doubled inside the PromQL string), joined as `(a|b)`.
    static func allValues(_ values: Set<String>) -> String {
        let escaped = values.sorted().map { value in
            value.map { "\\^$*+?.()|{}[]".contains($0) ? "\\\\\($0)" : String($0) }.joined()
        }
        return "(" + escaped.joined(separator: "|") + ")"
    }

    static func substitute(_ panel: Panel, prometheus: PrometheusProcess) async throws -> String {
        var text = panel.query
        for (name, query) in panel.variables.sorted(by: { $0.name.count > $1.name.count }) where text.contains("$\(name)") {
            let label = try #require(variableLabels[name], "no label known for variable \(name)")
            let series = (try? await PrometheusScrapeTests.query(prometheus, query)) ?? []
            text = text.replacingOccurrences(of: "$\(name)", with: allValues(Set(series.compactMap { $0.labels[label] })))
        }
        return text
    }

    @Test func theReferenceDashboardsAnswerFromOurSeries() async throws {
        let panels = try Self.referencePanels()
        #expect(panels.count == 46, "the reference's dashboards hold 46 PromQL panel queries")
        let node = try await DevnodeProcess.launch(["--history", "30", "--block-time", "0.5", "--finality-lag", "1"])
        defer { node.stop() }
        let exporter = try await ExporterProcess.launch(["--rpc", node.webSocketURL, "--chain-naming", "node"])
        defer { exporter.stop() }
        let rules = ChainData.packageRoot.appendingPathComponent("deploy/compat/polkadot-runtime-prom-exporter.rules.yml")
        // Three panels name the reference's own scrape target (job "runtime" at 127.0.0.1:8000).
        let prometheus = try await OffPool.run {
            try PrometheusProcess(targets: ["127.0.0.1:\(exporter.server.port)"], job: "runtime", ruleFiles: [rules], instance: "127.0.0.1:8000")
        }
        defer { prometheus.stop() }
        let client = SubstrateRPCClient(transport: HTTPTransport(endpoint: node.httpURL), timeout: .seconds(20))
        let chainName = try await client.systemChain()

        // The chain is labelled as its node names it, on our series and on the derived ones.
        let issuance = try await PrometheusScrapeTests.waitFor(prometheus, "runtime_total_issuance")
        #expect(issuance.map { $0.labels["chain"] } == [chainName])
        #expect(issuance.first?.labels["app"] == "runtime-metrics")

        // Panels answer as blocks, elections and transfers come; each is asked until it does.
        var waiting = panels.filter { Self.unanswerable[$0.query] == nil }
        var failures = [String: String]()
        let deadline = ContinuousClock.now + .seconds(100)
        while !waiting.isEmpty, ContinuousClock.now < deadline {
            var still = [Panel]()
            for panel in waiting {
                let query = try await Self.substitute(panel, prometheus: prometheus)
                do {
                    if try await PrometheusScrapeTests.query(prometheus, query).isEmpty {
                        still.append(panel)
                        failures[panel.query] = "no data: \(query)"
                    }
                } catch {
                    still.append(panel)
                    failures[panel.query] = "\(error)"
                }
            }
            waiting = still
            if !waiting.isEmpty { try await Task.sleep(for: .seconds(2)) }
        }
        for panel in waiting { Issue.record("\(panel.dashboard) / \(panel.title): \(failures[panel.query] ?? "")") }
        // Those listed as unanswerable still do not answer (else the README says too little).
        for panel in panels where Self.unanswerable[panel.query] != nil {
            let answer = try await PrometheusScrapeTests.query(prometheus, try await Self.substitute(panel, prometheus: prometheus))
            #expect(answer.isEmpty, "\(panel.title) answers now: remove it from the list")
        }

        // Values in the reference's units: whole tokens, picoseconds, ×100. Each derived value is
        // compared with ours at the instant the rule computed it.
        func atEvaluation(_ expression: String) async throws -> Double {
            try #require(try await PrometheusScrapeTests.query(prometheus, "max(timestamp(\(expression)))").first?.value)
        }
        for (theirs, ours) in [
            ("runtime_total_issuance", "floor(runtime_balances_total_issuance_tokens)"),
            ("runtime_weight{class=\"normal\"}", "runtime_system_block_weight_seconds{class=\"normal\"} * 1e12"),
            ("runtime_weight_to_fee_multiplier", "floor(runtime_transaction_payment_next_fee_multiplier_ratio * 100)"),
            ("runtime_stake{type=\"all\"}", "floor(runtime_staking_era_total_stake_tokens)"),
            ("runtime_validator_count{type=\"active\"}", "runtime_staking_active_validators"),
        ] {
            let instant = try await atEvaluation(theirs)
            let derived = try await PrometheusScrapeTests.query(prometheus, theirs, at: instant).map(\.value)
            let source = try await PrometheusScrapeTests.query(prometheus, ours, at: instant).map(\.value)
            #expect(derived.count == 1 && derived == source, "\(theirs): \(derived), from \(ours): \(source)")
        }
        // Every XCM destination under a name: a parachain's from the chain's table, else its own.
        let instant = try await atEvaluation("runtime_xcm_transfers")
        let destinations = try await PrometheusScrapeTests.query(prometheus, "runtime_xcm_transferred_tokens_total", at: instant)
        let named = try await PrometheusScrapeTests.query(prometheus, "runtime_xcm_transfers", at: instant)
        #expect(named.count == destinations.count && !named.isEmpty)
        #expect(named.contains { $0.labels["tochain"] == "Asset Hub" }, "\(named.map(\.labels))")
        let total = { (series: [(labels: [String: String], value: Double)]) in series.map(\.value).reduce(0, +) }
        #expect(abs(total(named) - total(destinations)) < 1e-6)
    }
}
