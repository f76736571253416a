import AsyncHTTPClient
import ChainFixtures
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// A node that answers every request five seconds late: `/metrics` and the status page are
/// served from what the exporter holds, so they answer without waiting on the node. How far
/// behind the data is shows in the age of the newest block processed (`time() -
/// runtime_timestamp_seconds`, the `SubstrateDataStale` alert): `runtime_exporter_lag_blocks`
/// counts blocks behind the head the node reported, and a slow node reports its head late too.
@Suite(.timeLimit(.minutes(3))) struct SlowNodeTests {
    @Test func scrapesNeverWaitOnASlowNodeAndTheBlocksAgeShowsTheDelay() async throws {
        let node = try await DevnodeProcess.launch(["--history", "20", "--block-time", "0.2", "--finality-lag", "1", "--faults", "delay=1:5"])
        defer { node.stop() }
        let exporter = try await ExporterProcess.launch(["--rpc", node.webSocketURL, "--chain", "slow"])
        defer { exporter.stop() }
        let base = exporter.metricsURL.replacingOccurrences(of: "/metrics", with: "")

        // Following starts once its first answers arrive (each five seconds late).
        _ = try await MetricsSnapshot.scrape(exporter.metricsURL, chain: "slow", within: .seconds(90)) { _ in true }
        var durations = [Duration]()
        var largestLag = 0.0
        var oldest = 0.0
        let clock = ContinuousClock()
        for _ in 0..<25 {
            for path in ["/metrics", "/"] {
                let started = clock.now
                let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + path), timeout: .seconds(10))
                let body = String(buffer: try await response.body.collect(upTo: 16 << 20))
                durations.append(clock.now - started)
                #expect(response.status == .ok)
                if path == "/metrics" {
                    let lines = body.split(separator: "\n")
                    func value(_ series: String) -> Double? {
                        lines.first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
                    }
                    largestLag = max(largestLag, value("runtime_exporter_lag_blocks{chain=\"slow\"}") ?? 0)
                    // How old the newest block processed is, by its own timestamp.
                    if let stamp = value("runtime_timestamp_seconds{chain=\"slow\"}") { oldest = max(oldest, Date().timeIntervalSince1970 - stamp) }
                }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        // Every answer came well inside one delayed node answer (on a busy machine a scrape can
        // take a second): none waited on the node.
        durations.sort()
        let (median, slowest) = (durations[durations.count / 2], durations.last ?? .zero)
        #expect(slowest < .seconds(4), "the slowest scrape took \(slowest)")
        #expect(median < .milliseconds(500), "the median scrape took \(median)")
        // The data's age shows the delay: every block is at least five seconds old when processed.
        #expect(oldest >= 5, "the newest block processed was never more than \(oldest) s old")
        print("slow node: 50 scrapes, median \(median), slowest \(slowest); lag up to \(Int(largestLag)) blocks, newest block up to \(oldest) s old")
    }
}
