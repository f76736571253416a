import AsyncHTTPClient
import ChainFixtures
import ExactJSON
import Foundation
import NIOCore
import Testing

/// The Grafana dashboards in `dashboards/` against real servers: every PromQL expression (with
/// the dashboard variables substituted as Grafana would) through a real Prometheus scraping
/// `serve`, every SQL query of the history dashboards (Grafana's macros expanded) against a
/// PostgreSQL store filled by `backfill`. Each must parse and return data. The alerting rules
/// in `deploy/` go through `promtool`.
@Suite(.timeLimit(.minutes(4))) struct DashboardTests {
    static let dashboards = ChainData.packageRoot.appendingPathComponent("dashboards")

    struct Query: CustomStringConvertible {
        let dashboard: String
        let panel: String
        let text: String
        var description: String { "\(dashboard) / \(panel): \(text)" }
    }

    /// Every query of every dashboard: PromQL (`expr`) or SQL (`rawSql`), with where it is.
    static func queries(field: String) throws -> [Query] {
        let files = try FileManager.default.contentsOfDirectory(atPath: dashboards.path).filter { $0.hasSuffix(".json") }.sorted()
        var found = [Query]()
        for file in files {
            let board = try JSON.parse(String(contentsOf: dashboards.appendingPathComponent(file), encoding: .utf8))
            for panel in board["panels"]?.arrayValue ?? [] {
                for target in panel["targets"]?.arrayValue ?? [] {
                    if let text = target[field]?.stringValue { found.append(Query(dashboard: file, panel: panel["title"]?.stringValue ?? "?", text: text)) }
                }
            }
        }
        return found
    }

    @Test func theDashboardsAreThoseTheGeneratorWrites() async throws {
        let result = try await ChildProcess.run("/usr/bin/python3", [Self.dashboards.appendingPathComponent("generate.py").path, "--check"], limit: 60)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    /// Prometheus dashboards take their data source and chain from variables, never a fixed UID
    /// (the parachain dashboard also the relay chain it compares with).
    @Test func prometheusDashboardsUseTheDatasourceAndChainVariables() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.dashboards.path).filter { $0.hasSuffix(".json") && !$0.hasPrefix("history-") }
        #expect(files.count == 10)
        for file in files {
            let board = try JSON.parse(String(contentsOf: Self.dashboards.appendingPathComponent(file), encoding: .utf8))
            let variables = board["templating"]?["list"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(variables == ["datasource", "chain"] + (file == "parachain.json" ? ["relay"] : []), "\(file)")
            for panel in board["panels"]?.arrayValue ?? [] {
                #expect(panel["datasource"]?["uid"]?.stringValue == "${datasource}", "\(file): \(panel["title"]?.stringValue ?? "")")
                for target in panel["targets"]?.arrayValue ?? [] {
                    #expect(target["expr"]?.stringValue?.contains("chain=\"$chain\"") == true, "\(file): \(target["expr"]?.stringValue ?? "")")
                }
            }
        }
    }

    @Test func alertingRulesPassPromtoolAndFireInItsUnitTests() async throws {
        let deploy = ChainData.packageRoot.appendingPathComponent("deploy")
        let rules = try FileManager.default.contentsOfDirectory(atPath: deploy.path).filter { $0.hasSuffix(".yml") }.map { deploy.appendingPathComponent($0).path }
        #expect(!rules.isEmpty)
        let check = try await ChildProcess.run("/usr/bin/promtool", ["check", "rules"] + rules, limit: 60)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let config = try await ChildProcess.run("/usr/bin/promtool", ["check", "config", deploy.appendingPathComponent("prometheus/prometheus.yml").path], limit: 60)
        #expect(config.status == 0, "\(config.stdout)\(config.stderr)")
        let unit = try await ChildProcess.run("/usr/bin/promtool", ["test", "rules", deploy.appendingPathComponent("tests/alerts_test.yml").path], limit: 60)
        #expect(unit.status == 0, "\(unit.stdout)\(unit.stderr)")
    }

    /// A relay devnode (answering 2% of requests with an error, so that the RPC error panels
    /// have data) and an Asset Hub devnode, `serve` following both and loading their history, a
    /// real Prometheus scraping `serve` every second; then each expression, variables
    /// substituted, must return series: the staking, assets, governance and parachain dashboards' on
    /// Asset Hub, where Polkadot's staking and OpenGov live now (the parachain one against the relay devnode), the others' on the relay chain.
    @Test func everyPromQLExpressionReturnsData() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dashboards-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let relay = try await DevnodeProcess.launch(["--history", "60", "--block-time", "0.5", "--finality-lag", "1", "--faults", "error=0.02"])
        defer { relay.stop() }
        let hub = try await DevnodeProcess.launch(["--chain", "asset-hub", "--history", "12", "--block-time", "0.5", "--finality-lag", "1"])
        defer { hub.stop() }
        let exporter = try await ExporterProcess.launch([
            "--rpc", relay.webSocketURL, "--rpc", hub.webSocketURL, "--store", "sqlite:\(directory.appendingPathComponent("store.sqlite").path)", "--history-from", "1",
        ])
        defer { exporter.stop() }
        let prometheus = try PrometheusProcess(targets: ["127.0.0.1:\(exporter.server.port)"])
        defer { prometheus.stop() }

        // The chain variable's own query.
        for chain in ["polkadot", "statemint"] { _ = try await PrometheusScrapeTests.waitFor(prometheus, "runtime_system_block_number{chain=\"\(chain)\"}") }
        let chains = try await Self.get(prometheus.baseURL + "/api/v1/label/chain/values?match[]=runtime_system_block_number")
        #expect(chains["data"]?.arrayValue?.compactMap(\.stringValue) == ["polkadot", "statemint"])
        // Rates need a few scrapes within their window, and the Asset Hub an election round: 20 s of them.
        try await Task.sleep(for: .seconds(20))

        let queries = try Self.queries(field: "expr")
        #expect(queries.count >= 80, "\(queries.count) expressions")
        var empty = [String]()
        for query in queries {
            let chain = ["staking-pools.json", "assets.json", "governance.json", "parachain.json"].contains(query.dashboard) ? "statemint" : "polkadot"
            let expression = Self.substitute(query.text, chain: chain).replacingOccurrences(of: "$relay", with: "polkadot")
            #expect(!expression.contains("$"), "a variable left in \(query)")
            // A counter that has not moved yet (an RPC error) may need a few more seconds.
            let deadline = ContinuousClock.now + .seconds(30)
            var series = try await PrometheusScrapeTests.query(prometheus, expression)
            while series.isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .seconds(1))
                series = try await PrometheusScrapeTests.query(prometheus, expression)
            }
            if series.isEmpty { empty.append("\(chain): \(query)") }
        }
        #expect(empty.isEmpty, "no data for:\n\(empty.joined(separator: "\n"))")
        // The phase timeline saw the election move.
        let phases = try await PrometheusScrapeTests.query(prometheus, "count by (phase) (count_over_time(runtime_election_phase{chain=\"statemint\"}[5m]))")
        #expect(phases.count >= 4, "phases seen: \(phases)")
        print("dashboards: \(queries.count) PromQL expressions, each returned series; \(phases.count) election phases on the timeline")
    }

    /// `backfill` fills a PostgreSQL store from a devnode; each SQL query of the history
    /// dashboards, Grafana's macros expanded over the chain's time range, returns rows.
    @Test func everyHistorySQLQueryReturnsRows() async throws {
        // A short fixed chain: a devnode builds it before it listens, and in a debug build,
        // beside the other tests, 300 blocks took more than a minute.
        let node = try await DevnodeProcess.launch(["--history", "100", "--block-time", "0"])
        defer { node.stop() }
        let server = try await PostgresServer.shared()
        let url = try await server.createDatabase()
        let loaded = try await Executable.run("runtime-exporter", ["backfill", "--rpc", node.httpURL, "--from", "1", "--to", "100", "--chain", "dev", "--store", url])
        #expect(loaded.status == 0, "\(loaded.stderr)")
        let database = PostgresServer.database(of: url)
        #expect(try await server.psql(database, "SELECT DISTINCT chain FROM series ORDER BY 1") == "dev\n")

        // The dashboard's range: the chain's first to last block time (a fixed chain's blocks are 6 s apart, ending now).
        let now = Date()
        let range = (from: now.addingTimeInterval(-6 * 110), to: now.addingTimeInterval(60))
        // As Grafana would connect: the read-only role of the README, made as it says.
        let reader = "reader_\(database)"
        for statement in [
            "CREATE ROLE \(reader) LOGIN", "GRANT CONNECT ON DATABASE \(database) TO \(reader)", "GRANT USAGE ON SCHEMA public TO \(reader)",
            "GRANT SELECT ON ALL TABLES IN SCHEMA public TO \(reader)", "ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT SELECT ON TABLES TO \(reader)",
        ] { _ = try await server.psql(database, statement) }
        await #expect(throws: (any Error).self, "the reader may not write") {
            try await server.psql(database, "DELETE FROM samples", user: reader)
        }
        let queries = try Self.queries(field: "rawSql")
        #expect(queries.count >= 16, "\(queries.count) queries")
        for query in queries {
            let sql = try Self.expandMacros(query.text, from: range.from, to: range.to, interval: "1m")
            let rows = try await server.psql(database, sql, user: reader).split(separator: "\n")
            #expect(!rows.isEmpty, "no rows for \(query)")
        }
        print("dashboards: \(queries.count) SQL queries, each returned rows")

        // The query API runs on that role too. (Regression: opening the store ran the migration
        // transaction, CREATE TABLE IF NOT EXISTS included, which a read-only role may not.)
        let api = try await OffPool.run {
            try ListeningProcess("runtime-exporter") { ["api", "--store", server.url(database: database, user: reader), "--web.listen-address", "127.0.0.1:\($0)"] }
        }
        defer { api.stop() }
        let answer = try await Self.get("http://127.0.0.1:\(api.port)/api/v1/metrics/extrinsics_total/timeseries?chain=dev&from=utc_now-1h&to=utc_now&interval=10m&aggregation=sum&includeIncompleteData=true")
        #expect(answer["data"]?.arrayValue?.isEmpty == false, "\(answer.serialized().prefix(300))")
    }

    /// Dashboard variables as Grafana substitutes them for this test's setup: one chain, a range
    /// covering the whole test, a rate window of four 1-second scrapes or more.
    static func substitute(_ expression: String, chain: String) -> String {
        expression.replacingOccurrences(of: "$chain", with: chain)
            .replacingOccurrences(of: "$__rate_interval", with: "15s")
            .replacingOccurrences(of: "$__range", with: "5m")
    }

    struct UnknownMacro: Error, CustomStringConvertible {
        let description: String
    }

    /// Grafana's PostgreSQL macros: `$__timeFilter(c)` → `c BETWEEN 'from' AND 'to'`,
    /// `$__timeGroupAlias(c, i)` → `floor(extract(epoch from c)/s)*s AS "time"`, `$__interval`
    /// → the interval; any other `$` left is an error.
    static func expandMacros(_ sql: String, from: Date, to: Date, interval: String) throws -> String {
        let formatter = ISO8601DateFormatter()
        var text = sql.replacingOccurrences(of: "$chain", with: "dev").replacingOccurrences(of: "$__interval", with: interval)
        let seconds: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        while let range = text.range(of: #"\$__timeGroupAlias\(([^,]+),\s*'?([0-9]+)([smhd])'?\)"#, options: .regularExpression) {
            let call = String(text[range])
            let inner = call.dropFirst("$__timeGroupAlias(".count).dropLast()
            let parts = inner.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let width = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "'"))
            let step = Int(width.dropLast())! * seconds[width.last!]!
            text.replaceSubrange(range, with: "floor(extract(epoch from \(parts[0]))/\(step))*\(step) AS \"time\"")
        }
        while let range = text.range(of: #"\$__timeFilter\(([^)]+)\)"#, options: .regularExpression) {
            let column = text[range].dropFirst("$__timeFilter(".count).dropLast()
            text.replaceSubrange(range, with: "\(column) BETWEEN '\(formatter.string(from: from))' AND '\(formatter.string(from: to))'")
        }
        if text.contains("$") { throw UnknownMacro(description: "a macro or variable this test does not know in: \(text)") }
        return text
    }

    static func get(_ url: String) async throws -> JSON {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        return try JSON.parse(String(buffer: try await response.body.collect(upTo: 4 << 20)))
    }
}
