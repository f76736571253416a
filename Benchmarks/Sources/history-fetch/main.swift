import ExactJSON
import Exporter
import Foundation
import Logging
import MetricStore
import SCALE
import Substrate
import SubstrateRPC

// The raw limit for loading history: the fastest client we write that only fetches what
// `backfill` fetches — block hashes 256 at a time, then per block `chain_getBlock` and one
// `state_queryStorageAt` of the keys backfill reads (the definitions', System.Events, and the
// collectors' follow-up keys), with WORKERS blocks in flight — and decodes nothing.
// With SQLITE and ROWS it also writes ROWS made-up samples per block into a SQLite store, 500
// blocks per transaction while the next are fetched, as `backfill` writes its chunks: the floor
// of any client that fetches these blocks and stores that many rows of each.
// Usage: history-fetch URL FROM TO [WORKERS [SQLITE ROWS]]
let arguments = CommandLine.arguments
guard arguments.count >= 4, let from = UInt64(arguments[2]), let to = UInt64(arguments[3]) else {
    print("usage: history-fetch URL FROM TO [WORKERS [SQLITE ROWS]]")
    exit(2)
}
let workers = arguments.count > 4 ? Int(arguments[4]) ?? 8 : 8
let store = arguments.count > 6 ? try SQLiteStore(path: arguments[5]) : nil
let rowsPerBlock = arguments.count > 6 ? Int(arguments[6]) ?? 0 : 0
try await store?.migrate()
let transport = FailoverTransport(endpoints: [arguments[1]])
let client = SubstrateRPCClient(transport: transport, timeout: .seconds(60))
let definitions = try DefinitionLoader.load(directories: [DefinitionLoader.shippedDirectory!])
// The keys `backfill` reads at the range's middle block, the collectors' follow-up keys (each
// pool's entries, the era's exposures) among them: the same storage query per block (pools
// grow along the chain; the middle is their average).
struct NoSink: HistorySink {
    func loadedChunks(chain: String) async throws -> Set<HistoryChunk> { [] }
    func claim(chain: String, chunk: ClosedRange<UInt64>, wait: Bool) async throws -> (any HistoryClaim)? { nil }
}
let loader = HistoryLoader(chain: "bench", client: client, definitions: definitions, sink: NoSink(), logger: Logger(label: "history-fetch"))
let keySet = try await loader.storageKeys(atBlock: from + (to - from) / 2)

let started = ContinuousClock.now
var blocks = [(number: UInt64, hash: String)]()
for start in stride(from: from, through: to, by: 256) {
    let numbers = Array(start...min(start + 255, to))
    for (number, hash) in zip(numbers, try await client.chainGetBlockHashes(numbers)) {
        if let hash { blocks.append((number, hash)) }
    }
}
var rows = [StoredSample]()
var writing: Task<Void, any Error>?
try await withThrowingTaskGroup(of: UInt64.self) { group in
    var pending = blocks.makeIterator()
    func next() {
        guard let (number, hash) = pending.next() else { return }
        group.addTask {
            async let block = client.chainGetBlock(hash)
            async let values = client.stateQueryStorageAt(keySet, at: hash)
            _ = try await (block, values)
            return number
        }
    }
    for _ in 0..<workers { next() }
    while let number = try await group.next() {
        next()
        guard let store else { continue }
        for row in 0..<rowsPerBlock {
            rows.append(StoredSample(metric: "history_fetch_\(row)", chain: "bench", labels: [:], block: number,
                                     timeMilliseconds: Int64(number) * 6000, value: Double(number), exact: String(number)))
        }
        if rows.count >= 500 * rowsPerBlock {
            try await writing?.value
            writing = Task { [rows] in try await store.write(rows) }
            rows.removeAll(keepingCapacity: true)
        }
    }
}
try await writing?.value
if let store { try await store.write(rows) }
let elapsed = ContinuousClock.now - started
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print("raw fetch: \(blocks.count) blocks (\(keySet.count) storage keys each) in \(String(format: "%.2f", seconds)) s: \(String(format: "%.0f", Double(blocks.count) / seconds)) blocks/s")
await transport.close()
