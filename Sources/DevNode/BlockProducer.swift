import Foundation
import ServiceLifecycle

/// Keeps the head where the clock puts it: block N at genesis + N × block time.
struct BlockProducer: Service {
    let chain: DevChain
    let genesisMilliseconds: UInt64
    let blockTime: Duration
    /// A fixed chain's length (block time 0).
    let fixedLength: UInt64?

    func catchUp() async throws {
        var target = fixedLength ?? 0
        if fixedLength == nil {
            let now = UInt64(Date().timeIntervalSince1970 * 1000)
            let elapsed = now > genesisMilliseconds ? now - genesisMilliseconds : 0
            target = elapsed / UInt64(blockTime.milliseconds)
        }
        // One block per call: a node catching up after a slow start still answers requests
        // between blocks instead of holding the chain for the whole stretch.
        var head = await chain.head.number
        while head < target {
            head += 1
            try await chain.advance(to: head)
        }
    }

    func run() async throws {
        guard fixedLength == nil else {
            try? await gracefulShutdown()  // a fixed chain: nothing to produce until shutdown
            return
        }
        do {
            try await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    try await catchUp()
                    let next = (await chain.head.number + 1) * UInt64(blockTime.milliseconds) + genesisMilliseconds
                    let now = UInt64(Date().timeIntervalSince1970 * 1000)
                    try await Task.sleep(for: .milliseconds(Int64(next > now ? next - now : 0)))
                }
            }
        } catch is CancellationError {
            return  // shutting down
        }
    }
}
