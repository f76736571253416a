import Exporter
import Foundation

// Time to render /metrics with many series: the shipped definitions, with per-pool gauges for
// enough pools to reach the series count asked for, plus counters by pallet and call.
// Usage: exposition-benchmark [SERIES] [RUNS]
let wanted = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 10_000 : 10_000
let runs = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 200 : 200
let definitions = try DefinitionLoader.load(directories: [DefinitionLoader.shippedDirectory!])
let registry = ChainMetricsRegistry(definitions: definitions)
let perPool = ["nomination_pool_members", "nomination_pool_points", "nomination_pool_balance_tokens", "nomination_pool_unbonding_tokens", "nomination_pool_pending_rewards_tokens"]

// One block's samples: 100 calls by pallet, the chain-wide gauges, and the pools.
var samples = [Sample]()
for pallet in 0..<10 {
    for call in 0..<10 {
        samples.append(Sample(metric: "extrinsics_total", labels: [.init("pallet", "Pallet\(pallet)"), .init("call", "call_\(call)"), .init("signed", "true"), .init("result", "success")], value: SampleValue(3)))
    }
}
samples.append(Sample(metric: "balances_total_issuance_tokens", value: SampleValue(15_000_000_000_000_000_000, decimals: 10)))
let pools = max(0, (wanted - samples.count) / perPool.count)
for pool in 1...max(pools, 1) {
    for metric in perPool {
        samples.append(Sample(metric: metric, labels: [.init("pool", String(pool))], value: SampleValue(UInt128(pool) * 123_456_789_012_345, decimals: 10)))
    }
}
registry.record(samples, chain: "polkadot")

var durations = [Double]()
var bytes = 0
for _ in 0..<runs {
    let started = ContinuousClock.now
    let text = registry.exposition()
    let elapsed = ContinuousClock.now - started
    bytes = text.utf8.count
    durations.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
}
durations.sort()
print("exposition of \(samples.count) series (\(bytes / 1024) KiB), \(runs) runs: p50 \(String(format: "%.2f", durations[runs / 2])) ms, p99 \(String(format: "%.2f", durations[runs * 99 / 100])) ms")
