import ExactJSON
import Exporter
import Foundation
import SCALE
import Substrate
import SubstrateRPC

// The raw limit for loading history: the fastest client we write that only fetches what
// `backfill` fetches — block hashes 256 at a time, then per block `chain_getBlock` and one
// `state_queryStorageAt` of the keys the shipped definitions read (and System.Events), with
// WORKERS blocks in flight — and decodes nothing.
// Usage: history-fetch URL FROM TO [WORKERS]
let arguments = CommandLine.arguments
guard arguments.count >= 4, let from = UInt64(arguments[2]), let to = UInt64(arguments[3]) else {
    print("usage: history-fetch URL FROM TO [WORKERS]")
    exit(2)
}
let workers = arguments.count > 4 ? Int(arguments[4]) ?? 8 : 8
let transport = FailoverTransport(endpoints: [arguments[1]])
let client = SubstrateRPCClient(transport: transport, timeout: .seconds(60))
let metadata = try RuntimeMetadata.decode(hex: try await client.stateGetMetadata())
let definitions = try DefinitionLoader.load(directories: [DefinitionLoader.shippedDirectory!])
let evaluator = DefinitionEvaluator(metadata: metadata)
let check = ChainCheck(metadata: metadata)
var keys = [Hex.encode(try StorageKeyBuilder(metadata: metadata).key(pallet: "System", item: "Events"))]
for definition in definitions where check.historicalOutcome(definition) == .applies {
    keys += (try? evaluator.storageKeys(for: definition).map(\.key)) ?? []
}
let keySet = Array(Set(keys))

let started = ContinuousClock.now
var hashes = [String]()
for start in stride(from: from, through: to, by: 256) {
    let numbers = Array(start...min(start + 255, to))
    hashes += try await client.chainGetBlockHashes(numbers).compactMap { $0 }
}
var bytes = 0
try await withThrowingTaskGroup(of: Int.self) { group in
    var pending = hashes.makeIterator()
    func next() {
        guard let hash = pending.next() else { return }
        group.addTask {
            async let block = client.chainGetBlock(hash)
            async let values = client.stateQueryStorageAt(keySet, at: hash)
            let (blockJSON, storage) = try await (block, values)
            return blockJSON.serialized().utf8.count + storage.count
        }
    }
    for _ in 0..<workers { next() }
    while let size = try await group.next() {
        bytes += size
        next()
    }
}
let elapsed = ContinuousClock.now - started
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print("raw fetch: \(hashes.count) blocks (\(keySet.count) storage keys each) in \(String(format: "%.2f", seconds)) s: \(String(format: "%.0f", Double(hashes.count) / seconds)) blocks/s")
await transport.close()
