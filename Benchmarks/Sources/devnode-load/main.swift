// Requests per second a runtime-devnode serves: CLIENTS WebSocket connections, each keeping
// DEPTH requests in flight, for SECONDS, alternating chain_getBlock and state_queryStorageAt.
// Usage: devnode-load WS_URL [CLIENTS] [DEPTH] [SECONDS]
import ExactJSON
import JSONRPC
import Foundation
import SubstrateRPC

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: devnode-load WS_URL [CLIENTS] [DEPTH] [SECONDS]\n".utf8))
    exit(2)
}
let url = arguments[1]
let clients = arguments.count > 2 ? Int(arguments[2]) ?? 16 : 16
let depth = arguments.count > 3 ? Int(arguments[3]) ?? 8 : 8
let seconds = arguments.count > 4 ? Double(arguments[4]) ?? 10 : 10

/// Counts answers and latency per method.
actor Tally {
    var counts: [String: Int] = [:]
    var errors = 0
    var latencies: [String: [Double]] = [:]

    func record(_ method: String, _ latency: Duration, ok: Bool) {
        if ok { counts[method, default: 0] += 1 } else { errors += 1 }
        let (s, atto) = latency.components
        latencies[method, default: []].append(Double(s) * 1000 + Double(atto) / 1e15)
    }
}

let probe = SubstrateRPCClient(transport: WebSocketTransport(endpoint: url))
let head = try await probe.chainGetHeader()["number"]?.uint64Value ?? 1
let hashes = try await probe.chainGetBlockHashes(Array(0...head)).compactMap { $0 }
let keys = [
    "0x26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7",  // System.Events
    "0xc2261276cc9d1f8598ea4b6a74b15c2f57c875e4cff74148e4628f264b974c80",  // Balances.TotalIssuance
    "0xf0c365c3cf59d671eb72da0e7a4113c49f1f0515f462cdcf84e0f1d6045dfcbb",  // Timestamp.Now
]
let tally = Tally()
let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
let started = ContinuousClock.now
await withTaskGroup(of: Void.self) { group in
    for client in 0..<clients {
        let transport = WebSocketTransport(endpoint: url)
        for lane in 0..<depth {
            group.addTask {
                var index = client * depth + lane
                while ContinuousClock.now < deadline {
                    let hash = hashes[index % hashes.count]
                    let call = index % 2 == 0
                        ? RPCCall("chain_getBlock", [.string(hash)])
                        : RPCCall("state_queryStorageAt", [.array(keys.map(JSON.string)), .string(hash)])
                    let sent = ContinuousClock.now
                    let ok = (try? await transport.call(call, timeout: .seconds(30))) != nil
                    await tally.record(call.method, .now - sent, ok: ok)
                    index += 7
                }
            }
        }
    }
}
let elapsed = ContinuousClock.now - started
let total = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
for method in ["chain_getBlock", "state_queryStorageAt"] {
    let sorted = (await tally.latencies[method] ?? []).sorted()
    let p50 = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    let p99 = sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
    print(method.padding(toLength: 22, withPad: " ", startingAt: 0) + String(format: "%8.0f req/s   p50 %.2f ms   p99 %.2f ms", Double(await tally.counts[method] ?? 0) / total, p50, p99))
}
print("clients \(clients) × depth \(depth), \(String(format: "%.1f", total)) s, errors \(await tally.errors)")
