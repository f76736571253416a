import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// One scrape of an exporter's /metrics, as Prometheus takes it.
struct MetricsSnapshot {
    /// The chain's last processed block (`runtime_system_block_number`).
    let block: UInt64
    /// Series of `chain` without other labels: metric name → value.
    let values: [String: String]
    /// Every series line: full name with labels → value.
    let series: [String: String]
    let callTotal: UInt128
    let text: String

    /// Errors counted by `runtime_exporter_errors_total`, every stage (the counters exist at 0 from the start).
    var errorCount: Double {
        text.split(separator: "\n").filter { $0.hasPrefix("runtime_exporter_errors_total{") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }

    /// Scheduled reads due or running, every task (`runtime_exporter_scheduled_reads_pending`).
    var scheduledReadsPending: Double {
        text.split(separator: "\n").filter { $0.hasPrefix("runtime_exporter_scheduled_reads_pending{") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }

    /// The lines of scheduled reads (their values and blocks), to tell whether two scrapes agree.
    var scheduledText: String {
        text.split(separator: "\n").filter { line in
            [
                "runtime_voter_list_", "runtime_staking_ledger_", "runtime_staking_bonded_accounts", "runtime_system_storage_size_bytes", "runtime_exporter_scheduled_block",
                "runtime_referenda_ongoing", "runtime_referenda_deciding", "runtime_referenda_confirming", "runtime_conviction_voting_",
            ].contains { line.hasPrefix($0) }
        }.joined(separator: "\n")
    }

    struct Timeout: Error, CustomStringConvertible {
        let description: String
    }

    /// Scrapes until `chain`'s processed block reaches `atLeast`.
    static func scrape(_ url: String, chain: String = "polkadot", atLeast: UInt64) async throws -> MetricsSnapshot {
        do {
            return try await scrape(url, chain: chain, within: .seconds(60)) { $0.block >= atLeast }
        } catch is Timeout {
            throw Timeout(description: "the exporter did not reach block \(atLeast) of \(chain) within 60 s")
        }
    }

    /// Scrapes until a scrape with `chain`'s block number satisfies `condition`.
    static func scrape(
        _ url: String, chain: String = "polkadot", within limit: Duration, until condition: (MetricsSnapshot) -> Bool
    ) async throws -> MetricsSnapshot {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
            #expect(response.headers["content-type"].first == "text/plain; version=0.0.4; charset=utf-8")
            let text = String(buffer: try await response.body.collect(upTo: 16 << 20))
            var values = [String: String]()
            var series = [String: String]()
            var calls: UInt128 = 0
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                // The value follows the last space: label values may hold spaces ("Asset Hub").
                guard let space = line.lastIndex(of: " ") else { continue }
                let name = String(line[..<space])
                let value = String(line[line.index(after: space)...])
                series[name] = value
                if name.hasPrefix("runtime_extrinsics_total{"), name.contains("chain=\"\(chain)\"") { calls += UInt128(value) ?? 0 }
                if let brace = name.firstIndex(of: "{"), name[brace...] == "{chain=\"\(chain)\"}" { values[String(name[..<brace])] = value }
            }
            if let block = values["runtime_system_block_number"].flatMap({ UInt64($0) }) {
                let snapshot = MetricsSnapshot(block: block, values: values, series: series, callTotal: calls, text: text)
                if condition(snapshot) { return snapshot }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw Timeout(description: "no scrape of \(url) met the condition within \(limit)")
    }

    /// How much `series` grew since an earlier scrape, exactly, in units of `decimals` fraction
    /// digits (a series absent from a scrape counts as 0: a counter not yet moved has none).
    func grew(_ series: String, since earlier: MetricsSnapshot, decimals: Int = 0) -> UInt128 {
        let value = { (snapshot: MetricsSnapshot) in snapshot.series[series].flatMap { Self.planck($0, decimals: decimals) } ?? 0 }
        return value(self) - value(earlier)
    }

    /// The exact planck of a decimal text with at most `decimals` fraction digits.
    static func planck(_ text: String, decimals: Int) -> UInt128? {
        let parts = text.split(separator: ".", maxSplits: 1)
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.count <= decimals else { return nil }
        return UInt128(String(parts[0]) + fraction + String(repeating: "0", count: decimals - fraction.count))
    }
}
