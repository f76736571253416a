import AsyncHTTPClient
import ChainFixtures
import ExactJSON
import Foundation
import NIOCore
import NIOHTTP1
import SCALE
import Substrate
import SubstrateRPC
import Testing

/// `runtime-exporter serve` through what real chains do to it: a runtime upgrade while it
/// follows, a chain built without Staking, several chains at once with dead endpoints among
/// them, nodes reachable over HTTP only, and following best heads.
@Suite(.timeLimit(.minutes(3))) struct ServeScenarioTests {
    /// Total issuance read from the node's storage at the snapshot's block, with that block's metadata.
    static func issuance(_ client: SubstrateRPCClient, at block: UInt64) async throws -> String {
        let hash = try #require(try await client.chainGetBlockHash(block))
        let metadata = try RuntimeMetadata.decode(hex: try await client.stateGetMetadata(at: hash))
        let key = Hex.encode(try StorageKeyBuilder(metadata: metadata).key(pallet: "Balances", item: "TotalIssuance"))
        let raw = try #require(try await client.stateGetStorage(key, at: hash).flatMap { Hex.decode($0) })
        let value = try ValueDecoder(registry: metadata.types).decode(try #require(metadata.storageEntry(pallet: "Balances", item: "TotalIssuance")).valueType, bytes: raw)
        return TokenAmount(planck: try #require(value.uint128), decimals: 10).description
    }

    @Test func aRuntimeUpgradeWhileFollowingSwitchesToTheNewMetadata() async throws {
        let upgrade = ChainData.url("metadata/polkadot_2003000_v16.scale").path
        // The exporter is up before the node (it retries every 2 s), and finality lags 18
        // blocks, so following starts well before the upgrade at block 30 even on a busy
        // machine (the head has to reach 48 first: 11 s).
        let port = ListeningProcess.freePort()
        let exporter = try await ExporterProcess.launch(["--rpc", "ws://127.0.0.1:\(port)"])
        defer { exporter.stop() }
        let node = try await DevnodeProcess.launch(["--history", "20", "--block-time", "0.4", "--finality-lag", "18", "--upgrade-at", "30:\(upgrade)"], port: port)
        defer { node.stop() }
        let client = SubstrateRPCClient(transport: HTTPTransport(endpoint: node.httpURL), timeout: .seconds(20))

        let before = try await MetricsSnapshot.scrape(exporter.metricsURL, atLeast: 2)
        #expect(before.block < 30, "the exporter started after the upgrade; the test proves nothing")
        let after = try await MetricsSnapshot.scrape(exporter.metricsURL, atLeast: 34)
        // The old runtime's info series is gone, the new one's is there, one upgrade counted.
        #expect(after.series["runtime_system_runtime_info{chain=\"polkadot\",spec_name=\"polkadot\",spec_version=\"2003000\"}"] == "1")
        #expect(after.series["runtime_system_runtime_info{chain=\"polkadot\",spec_name=\"polkadot\",spec_version=\"2000000\"}"] == nil)
        #expect(after.values["runtime_system_runtime_upgrades_total"] == "1")
        // Blocks of the new runtime decode and evaluate: exact values, calls still counted.
        #expect(after.values["runtime_balances_total_issuance_tokens"] == (try await Self.issuance(client, at: after.block)))
        #expect(after.callTotal > before.callTotal)
        #expect(after.text.contains("runtime_exporter_errors_total{chain=\"polkadot\",stage=\"follow\"} 0"), "error counters start at 0")
        #expect(after.errorCount == 0, "errors while following across the upgrade")
    }

    /// Regression: on a node failing 2% of requests, the hourly storage-size read (one request
    /// per storage item, about 340) never completed: one failed request threw the whole read
    /// away. Each request of a scheduled read is now retried on its own.
    @Test func scheduledReadsCompleteOnANodeThatFailsSomeRequests() async throws {
        let node = try await DevnodeProcess.launch(["--history", "20", "--block-time", "0.5", "--finality-lag", "1", "--faults", "error=0.05"])
        defer { node.stop() }
        let exporter = try await ExporterProcess.launch(["--rpc", node.webSocketURL])
        defer { exporter.stop() }
        let snapshot = try await MetricsSnapshot.scrape(exporter.metricsURL, within: .seconds(60)) {
            $0.text.contains("runtime_system_storage_size_bytes{") && $0.text.contains("runtime_voter_list_nodes{")
        }
        #expect(snapshot.text.split(separator: "\n").filter { $0.hasPrefix("runtime_system_storage_size_bytes{") }.count > 300)
    }

    @Test func aChainWithoutStakingServesEverythingElse() async throws {
        let node = try await DevnodeProcess.launch(["--history", "20", "--block-time", "0.25", "--finality-lag", "1", "--without-pallet", "Staking"])
        defer { node.stop() }
        let exporter = try await ExporterProcess.launch(["--rpc", node.webSocketURL])
        defer { exporter.stop() }
        let client = SubstrateRPCClient(transport: HTTPTransport(endpoint: node.httpURL), timeout: .seconds(20))

        let snapshot = try await MetricsSnapshot.scrape(exporter.metricsURL, atLeast: 26)
        #expect(!snapshot.text.contains("runtime_staking_"), "staking series for a chain without Staking")
        // Per-pool values read Staking.Ledger: skipped too. The pallet's own counters stay.
        #expect(!snapshot.text.contains("runtime_nomination_pool_balance_tokens"))
        #expect(snapshot.values["runtime_nomination_pools_members"] != nil)
        #expect(snapshot.values["runtime_balances_total_issuance_tokens"] == (try await Self.issuance(client, at: snapshot.block)))
        #expect(snapshot.errorCount == 0)
    }

    /// Four chains in one process from a configuration file: one whose only node is down, one
    /// over HTTP (polled), one whose first endpoint is down (failover), one following best heads.
    @Test func severalChainsAtOnceWithDeadEndpoints() async throws {
        let node = try await DevnodeProcess.launch(["--history", "20", "--block-time", "0.25", "--finality-lag", "1"])
        defer { node.stop() }
        // A fixed chain: head 40, finalized 30, for good; only a best-head follower reaches 40.
        let fixed = try await DevnodeProcess.launch(["--history", "40", "--block-time", "0", "--finality-lag", "10"])
        defer { fixed.stop() }
        let deadPort = ListeningProcess.freePort()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runtime-exporter-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("exporter.yaml")
        try """
            chains:
              - name: down
                rpc: ws://127.0.0.1:\(deadPort)
              - name: polled
                rpc: \(node.httpURL)
              - name: failover
                rpc: [ws://127.0.0.1:\(deadPort), \(node.webSocketURL)]
              - name: best
                rpc: \(fixed.webSocketURL)
                follow: best
            """.write(to: config, atomically: true, encoding: .utf8)
        let exporter = try await ExporterProcess.launch(["--config", config.path])
        defer { exporter.stop() }
        let client = SubstrateRPCClient(transport: HTTPTransport(endpoint: node.httpURL), timeout: .seconds(20))

        let polled = try await MetricsSnapshot.scrape(exporter.metricsURL, chain: "polled", atLeast: 20)
        let failover = try await MetricsSnapshot.scrape(exporter.metricsURL, chain: "failover", atLeast: polled.block)
        for (snapshot, chain) in [(polled, "polled"), (failover, "failover")] {
            #expect(snapshot.values["runtime_balances_total_issuance_tokens"] == (try await Self.issuance(client, at: snapshot.block)), "\(chain)")
        }
        // Best heads run ahead of finality: on the fixed chain the exporter reaches its head.
        let best = try await MetricsSnapshot.scrape(exporter.metricsURL, chain: "best", atLeast: 40)
        #expect(best.block == 40)
        // The dead chain is reported down, and holds nobody up.
        let text = failover.text
        #expect(text.contains("runtime_exporter_up{chain=\"down\",endpoint=\"ws://127.0.0.1:\(deadPort)\"} 0"))
        #expect(text.contains("runtime_exporter_up{chain=\"failover\",endpoint=\"\(node.webSocketURL)\"} 1"))
        #expect(text.contains("runtime_exporter_up{chain=\"polled\",endpoint=\"\(node.httpURL)\"} 1"))
        let base = exporter.metricsURL.replacingOccurrences(of: "/metrics", with: "")
        let ready = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/-/ready"), timeout: .seconds(10))
        #expect(ready.status == .ok)
        let page = String(buffer: try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/"), timeout: .seconds(10)).body.collect(upTo: 1 << 20))
        for chain in ["down", "polled", "failover", "best"] { #expect(page.contains("data-chain=\"\(chain)\""), "\(chain) on the status page") }
        #expect(page.contains("<h2>down <span class=\"badge bad\">waiting for the node</span></h2>"))
        #expect(page.contains("<tr data-endpoint=\"ws://127.0.0.1:\(deadPort)\"><td><code>ws://127.0.0.1:\(deadPort)</code>"))
    }

    /// A malformed definition file or configuration stops `serve` before it starts: one line
    /// naming the file, line and field, exit code 2.
    @Test func serveRefusesMalformedDefinitionsAndConfigurationInOneLine() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runtime-exporter-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let definitions = directory.appendingPathComponent("bad.yaml")
        try "- name: pool_points\n  help: h\n  type: gauge\n  source: {storage: NominationPools}\n".write(to: definitions, atomically: true, encoding: .utf8)
        let badDefinitions = try await Executable.run("runtime-exporter", ["serve", "--rpc", "ws://127.0.0.1:1", "--metrics-dir", directory.path])
        #expect(badDefinitions.status == 2)
        #expect(badDefinitions.stderr == "runtime-exporter: error: \(definitions.path):4: entry pool_points: field source.storage: expected Pallet.Name\n", "\(badDefinitions.stderr)")
        try FileManager.default.removeItem(at: definitions)

        let config = directory.appendingPathComponent("exporter.yaml")
        try "chains:\n  - name: polkadot\n    rpcs: ws://127.0.0.1:1\n".write(to: config, atomically: true, encoding: .utf8)
        let badConfig = try await Executable.run("runtime-exporter", ["serve", "--config", config.path])
        #expect(badConfig.status == 2)
        #expect(badConfig.stderr.hasPrefix("runtime-exporter: error: \(config.path):3: field chains.0.rpcs: unknown field"), "\(badConfig.stderr)")
        #expect(badConfig.stderr.split(separator: "\n").count == 1)
    }
}
