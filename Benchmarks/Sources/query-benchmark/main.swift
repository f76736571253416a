import ExactJSON
import Foundation
import MetricStore

// The query API's database work over a year of six-second blocks in a store (`--store`'s
// forms): two series (10.5 million samples), filled once, then one-year daily and hourly
// queries and a one-week five-minute query, each run QUERIES times by CLIENTS concurrent
// clients: queries per second and latency percentiles. Queries go through `MetricQueries`, the
// path GraphQL and REST answer through; the daily one is also timed reading every sample.
// Usage: query-benchmark STORE [BLOCKS] [CLIENTS] [LONG_QUERIES] [WEEKLY_QUERIES]
let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: query-benchmark STORE [BLOCKS] [CLIENTS] [LONG_QUERIES] [WEEKLY_QUERIES]")
    exit(2)
}
let blocks = arguments.count > 2 ? Int(arguments[2]) ?? 5_256_000 : 5_256_000
let clients = arguments.count > 3 ? Int(arguments[3]) ?? 8 : 8
let dailyQueries = arguments.count > 4 ? Int(arguments[4]) ?? 40 : 40
let weeklyQueries = arguments.count > 5 ? Int(arguments[5]) ?? 1000 : 1000
guard let store = try await StoreLocation(parsing: arguments[1]).open() else { exit(2) }

let day: Int64 = 86_400_000
let start: Int64 = 1_704_067_200_000  // 2024-01-01T00:00:00Z
func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }

if try await store.sampleTimes(metric: "bench_issuance_tokens", chain: "polkadot") == nil {
    func definition(_ name: String, labels: [String]) -> StoredDefinition {
        StoredDefinition(name: name, version: "1", json: .object([
            JSON.Member("name", .string(name)), JSON.Member("help", .string("Benchmark series.")), JSON.Member("type", .string("gauge")),
            JSON.Member("labels", .array(labels.map(JSON.string))), JSON.Member("aggregation", .string("last")), JSON.Member("min_interval", .number(6)),
        ]))
    }
    try await store.saveDefinitions([definition("bench_issuance_tokens", labels: []), definition("bench_transfers_total", labels: ["pallet"])])
    let filling = ContinuousClock.now
    var issuance = 10_000_000.0
    for first in stride(from: 1, through: blocks, by: 5000) {
        var samples = [StoredSample]()
        samples.reserveCapacity(10_000)
        for block in first..<min(first + 5000, blocks + 1) {
            let time = start + Int64(block) * 6000
            issuance += Double(block % 7)
            let transfers = Double(block % 5)
            samples.append(StoredSample(metric: "bench_issuance_tokens", chain: "polkadot", labels: [:], block: UInt64(block), timeMilliseconds: time,
                                        value: issuance, exact: String(issuance)))
            samples.append(StoredSample(metric: "bench_transfers_total", chain: "polkadot", labels: ["pallet": "Balances"], block: UInt64(block),
                                        timeMilliseconds: time, value: transfers, exact: String(transfers)))
        }
        try await store.write(samples)
    }
    let elapsed = seconds(.now - filling)
    print("filled: \(blocks * 2) samples in \(String(format: "%.1f", elapsed)) s (\(String(format: "%.0f", Double(blocks * 2) / elapsed)) samples/s)")
}

let queries = MetricQueries(store: store, maximumPoints: 100_000)
let now = Int64(Date().timeIntervalSince1970 * 1000)
let cases: [(name: String, metric: String, from: Int64, to: Int64, interval: String, count: Int, source: TimeseriesSource)] = [
    ("1 year, daily (avg)", "bench_issuance_tokens", start, start + 365 * day, "1d", dailyQueries, .fastest),
    ("1 year, hourly (avg)", "bench_issuance_tokens", start, start + 365 * day, "1h", dailyQueries, .fastest),
    ("1 week, 5 minutes (sum)", "bench_transfers_total", start + 180 * day, start + 187 * day, "5m", weeklyQueries, .fastest),
    ("1 year, daily (avg), every sample read", "bench_issuance_tokens", start, start + 365 * day, "1d", max(clients, dailyQueries / 5), .samples),
]
for (name, metric, from, to, interval, count, source) in cases {
    let query = try await queries.plan(
        metric: metric, chain: "polkadot", from: QueryTime.iso8601(from), to: QueryTime.iso8601(to), interval: interval,
        aggregation: metric == "bench_issuance_tokens" ? "avg" : "sum", nowMilliseconds: now)
    let points = try await queries.store.timeseries(query, source: source).count
    let began = ContinuousClock.now
    let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
        for client in 0..<clients {
            group.addTask {
                var mine = [Double]()
                for _ in stride(from: client, to: count, by: clients) {
                    let asked = ContinuousClock.now
                    _ = source == .fastest
                        ? try await queries.timeseries(query, nowMilliseconds: now) : try await queries.store.timeseries(query, source: source)
                    mine.append(seconds(.now - asked) * 1000)
                }
                return mine
            }
        }
        var all = [Double]()
        while let mine = try await group.next() { all += mine }
        return all.sorted()
    }
    let elapsed = seconds(.now - began)
    func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
    print("""
        \(name): \(points) points from \(metric), \(count) queries by \(clients) clients in \(String(format: "%.1f", elapsed)) s: \
        \(String(format: "%.1f", Double(count) / elapsed)) queries/s, p50 \(String(format: "%.1f", percentile(0.5))) ms, \
        p99 \(String(format: "%.1f", percentile(0.99))) ms
        """)
}
try await store.close()
