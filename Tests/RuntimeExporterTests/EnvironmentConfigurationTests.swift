import ChainFixtures
import ExactJSON
import Exporter
import Foundation
import Testing

/// `serve`, `backfill` and `api` configured by `RUNTIME_EXPORTER_…` variables alone, as a
/// container or a unit sets them: the processes follow, load and answer as with flags, a flag
/// wins over its variable, and a value refused names the variable it came from.
@Suite(.timeLimit(.minutes(3))) struct EnvironmentConfigurationTests {
    /// The README's table names the variable of every option of the three commands.
    @Test func theReadmeListsEveryVariable() async throws {
        let readme = try String(contentsOf: ChainData.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        for command in ["serve", "backfill", "api"] {
            let help = try await Executable.run("runtime-exporter", [command, "--experimental-dump-help"])
            let options = try EnvironmentArguments.options(describedBy: help.stdout)
            #expect(options.count >= 5, "\(command): \(options.map(\.name))")
            for option in options {
                #expect(readme.contains("| `\(option.variable)` | `--\(option.name)`"), "README: no row for \(option.variable) (\(command) --\(option.name))")
            }
        }
    }

    @Test func everyCommandReadsItsOptionsFromTheEnvironment() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("environment-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let node = try await DevnodeProcess.launch(["--history", "20", "--block-time", "0.5", "--finality-lag", "1"])
        defer { node.stop() }

        // serve: the chain, its name and the store from variables; the listen address given on the
        // command line wins over the variable's (a port nothing could listen on).
        let served = directory.appendingPathComponent("served.sqlite").path
        let serve = try await OffPool.run {
            try ListeningProcess("runtime-exporter", environment: [
                "RUNTIME_EXPORTER_RPC": node.webSocketURL, "RUNTIME_EXPORTER_CHAIN": "from-environment",
                "RUNTIME_EXPORTER_STORE": "sqlite:\(served)", "RUNTIME_EXPORTER_WEB_LISTEN_ADDRESS": "127.0.0.1:1",
            ]) { ["serve", "--web.listen-address", "127.0.0.1:\($0)"] }
        }
        defer { serve.stop() }
        let snapshot = try await MetricsSnapshot.scrape("http://127.0.0.1:\(serve.port)/metrics", chain: "from-environment", atLeast: 21)
        #expect(snapshot.values["runtime_balances_total_issuance_tokens"] != nil)
        #expect(FileManager.default.fileExists(atPath: served))

        // backfill: every option from variables; it loads the range and exits.
        let loaded = directory.appendingPathComponent("loaded.sqlite").path
        let backfill = try await Executable.run("runtime-exporter", ["backfill"], environment: [
            "RUNTIME_EXPORTER_RPC": node.httpURL, "RUNTIME_EXPORTER_FROM": "1", "RUNTIME_EXPORTER_TO": "10",
            "RUNTIME_EXPORTER_STORE": "sqlite:\(loaded)", "RUNTIME_EXPORTER_CHAIN": "loaded", "RUNTIME_EXPORTER_METRICS": "balances_*",
        ])
        #expect(backfill.status == 0, "\(backfill.stderr)")

        // api: the store from a variable; it answers with what backfill loaded.
        let api = try await OffPool.run {
            try ListeningProcess("runtime-exporter", environment: ["RUNTIME_EXPORTER_STORE": "sqlite:\(loaded)"]) {
                ["api", "--web.listen-address", "127.0.0.1:\($0)"]
            }
        }
        defer { api.stop() }
        let answer = try await APITests.get(
            "http://127.0.0.1:\(api.port)/api/v1/metrics/balances_total_issuance_tokens/timeseries?chain=loaded&from=utc_now-1d&to=utc_now%2B1d&interval=1d&includeIncompleteData=true")
        #expect(answer.status == 200, "\(answer.body.serialized())")
        #expect(answer.body["data"]?.arrayValue?.isEmpty == false, "\(answer.body.serialized())")

        // A value no option takes: refused, and the message names the variables used.
        let refused = try await Executable.run("runtime-exporter", ["serve"], environment: [
            "RUNTIME_EXPORTER_RPC": node.webSocketURL, "RUNTIME_EXPORTER_FOLLOW": "sideways",
        ])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("sideways") && refused.stderr.contains("RUNTIME_EXPORTER_FOLLOW"), "\(refused.stderr)")
        let flag = try await Executable.run("runtime-exporter", ["serve", "--rpc", node.webSocketURL], environment: ["RUNTIME_EXPORTER_NO_DEFAULT_METRICS": "maybe"])
        #expect(flag.status == 2)
        #expect(flag.stderr.contains("RUNTIME_EXPORTER_NO_DEFAULT_METRICS: expected true or false, not maybe"), "\(flag.stderr)")
    }
}
