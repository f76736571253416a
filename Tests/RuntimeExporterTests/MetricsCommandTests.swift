import ChainFixtures
import ExactJSON
import Foundation
import Testing

/// `metrics list` and `check-config` run as a user runs them.
@Suite struct MetricsCommandTests {
    @Test func metricsListPrintsTheShippedDefinitions() async throws {
        let result = try await Executable.run("runtime-exporter", ["metrics", "list", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let definitions = try #require(try JSON.parse(result.stdout).arrayValue)
        let issuance = try #require(definitions.first { $0["name"]?.stringValue == "balances_total_issuance_tokens" })
        #expect(issuance["prometheus_name"]?.stringValue == "runtime_balances_total_issuance_tokens")
        #expect(issuance["source"]?.stringValue == "storage Balances.TotalIssuance")
        #expect(issuance["scale"]?.stringValue == "token_decimals" && issuance["every"]?.uint64Value == 1)
        let table = try await Executable.run("runtime-exporter", ["metrics", "list"])
        #expect(table.stdout.split(separator: "\n").count == definitions.count)
    }

    @Test func checkConfigChecksAgainstRuntimesAndAddsUserDefinitions() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("defs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let account = "13UVJyLnbVp9RBZYFwFGyDvVd1y27Tt8tkntv6Q7JVPhFsTB"
        try """
            - name: treasury_free_tokens
              help: Free balance of the treasury, in tokens.
              type: gauge
              unit: tokens
              scale: token_decimals
              source: { storage: System.Account, keys: ["\(account)"], field: data.free }
            """.write(to: directory.appendingPathComponent("accounts.yaml"), atomically: true, encoding: .utf8)
        let ok = try await Executable.run("runtime-exporter", [
            "check-config", "--metrics-dir", directory.path,
            "--metadata", ChainData.url("metadata/polkadot_2000000_v15.scale").path,
        ])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("definitions: ok") && ok.stdout.contains("definitions apply"))

        // A name the runtime lacks: one line naming file, line, entry and field; exit code 2.
        try """
            - name: typo
              help: h
              type: gauge
              source: { storage: Balances.TotalIssuanse }
            """.write(to: directory.appendingPathComponent("typo.yaml"), atomically: true, encoding: .utf8)
        let bad = try await Executable.run("runtime-exporter", [
            "check-config", "--metrics-dir", directory.path,
            "--metadata", ChainData.url("metadata/polkadot_2000000_v15.scale").path,
        ])
        #expect(bad.status == 2)
        #expect(bad.stderr == "runtime-exporter: error: \(directory.path)/typo.yaml:1: entry typo: field source.storage: no storage item Balances.TotalIssuanse in polkadot 2000000\n")
    }
}
