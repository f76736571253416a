import Foundation
import MetricStore

// Samples per second written into a store (the embedded SQLite file, or a PostgreSQL URL):
// blocks of samples (a block's worth of series each: calls by pallet and call, per-pool
// gauges, chain-wide gauges), one transaction per batch, as `serve` and history loading write
// them.
// Usage: store-benchmark [BLOCKS] [SERIES_PER_BLOCK] [BLOCKS_PER_TRANSACTION] [postgres://…]
let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let blocks = arguments.count > 0 ? arguments[0] : 2_000
let perBlock = arguments.count > 1 ? arguments[1] : 500
let perTransaction = arguments.count > 2 ? arguments[2] : 20
let postgres = CommandLine.arguments.dropFirst().first { $0.hasPrefix("postgres") }

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("store-benchmark-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }
let location = try postgres.map(StoreLocation.init(parsing:)) ?? .sqlite(path: directory.appendingPathComponent("bench.sqlite").path)
guard let store = try await location.open() else { fatalError("no store") }

func block(_ number: Int) -> [StoredSample] {
    (0..<perBlock).map { series in
        StoredSample(metric: "metric_\(series % 50)", chain: "polkadot", labels: ["pool": String(series / 50)], block: UInt64(number),
                     timeMilliseconds: 1_700_000_000_000 + Int64(number) * 6000, value: Double(number * series), exact: String(number * series))
    }
}

let started = ContinuousClock.now
var written = 0
for first in stride(from: 0, to: blocks, by: perTransaction) {
    var batch = [StoredSample]()
    for number in first..<min(first + perTransaction, blocks) { batch += block(number) }
    try await store.write(batch)
    written += batch.count
}
let elapsed = ContinuousClock.now - started
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores")
let kind = postgres == nil ? "SQLite" : "PostgreSQL"
print("\(kind) store: \(written) samples (\(blocks) blocks × \(perBlock) series, \(perTransaction) blocks per transaction) in \(String(format: "%.2f", seconds)) s: \(Int(Double(written) / seconds)) samples/s")
try await store.close()
