import DevNode
import ExactJSON
import Exporter
import Foundation
import JSONRPC
import Logging
import Synchronization
import SubstrateRPC

/// A devnode chain answered in-process: an `RPCTransport` with no socket, whose answers are the
/// node's own, and a script of damage (a call answered garbled, refused, or not at all) to
/// drive following and history through failures in milliseconds.
final class InProcessNode: RPCTransport {
    let node: DevNode
    let endpoint = "in-process"
    /// Damage for a call, by method and its first parameter; nil answers it as the node does.
    typealias Script = @Sendable (_ method: String, _ params: [JSON], _ asked: Int) -> RPCError.Kind?
    private let script: Mutex<Script>
    private let asked = Mutex([String: Int]())

    init(_ node: DevNode, script: @escaping Script = { _, _, _ in nil }) {
        self.node = node
        self.script = Mutex(script)
    }

    /// A fixed chain of `blocks` blocks (one every 6 s of chain time), built at once.
    static func chain(blocks: UInt64, _ configure: (inout DevNode.Options) -> Void = { _ in }) async throws -> DevNode {
        var options = DevNode.Options()
        options.history = blocks
        options.blockTime = 0
        options.finalityLag = 0
        options.genesisTimeMilliseconds = 1_750_000_000_000
        configure(&options)
        return try await DevNode(options: options, logger: Logger(label: "in-process-node"))
    }

    func damage(_ script: @escaping Script) {
        self.script.withLock { $0 = script }
    }

    /// How many times each method was asked (`state_call` by runtime API function too).
    var requests: [String: Int] { asked.withLock { $0 } }

    /// A block's hash, as the node has it.
    func hash(_ number: UInt64) async throws -> String {
        guard let hash = try await node.answer("chain_getBlockHash", [.number(number)]).get().stringValue else { throw RPCError(.malformedAnswer, endpoint: endpoint, method: nil) }
        return hash
    }

    /// The node's truth about a block (`devnode_truth`).
    func truth(_ number: UInt64) async throws -> JSON {
        try await node.answer("devnode_truth", [.string(try await hash(number))]).get()
    }

    func call(_ call: RPCCall, timeout: Duration) async throws(RPCError) -> JSON {
        let count = asked.withLock { counts in
            if call.method == "state_call", let function = call.params.first?.stringValue { counts["state_call \(function)", default: 0] += 1 }
            counts[call.method, default: 0] += 1
            return counts[call.method]!
        }
        if let kind = script.withLock({ $0 })(call.method, call.params, count) {
            throw RPCError(kind, endpoint: endpoint, method: call.method, detail: "scripted damage")
        }
        switch await node.answer(call.method, call.params) {
        case let .success(answer): return answer
        case let .failure(refusal): throw RPCError(.rpc(code: refusal.code, message: refusal.message), endpoint: endpoint, method: call.method)
        }
    }

    func batch(_ calls: [RPCCall], timeout: Duration) async throws(RPCError) -> [Result<JSON, RPCError>] {
        var results = [Result<JSON, RPCError>]()
        for call in calls {
            do throws(RPCError) { results.append(.success(try await self.call(call, timeout: timeout))) } catch { results.append(.failure(error)) }
        }
        return results
    }

    func subscribe(_ call: RPCCall, unsubscribeMethod: String, timeout: Duration) async throws(RPCError) -> RPCSubscription {
        throw RPCError(.unsupported, endpoint: endpoint, method: call.method)
    }

    func close() async {}
}

/// Samples as following writes them, block by block, in order.
final class SamplesTaken: SampleSink, @unchecked Sendable {
    private let lock = NSLock()
    private var written: [(block: UInt64, samples: [Sample], failures: [MetricFailure])] = []

    /// The blocks processed, in order: writes of a block's own samples (scheduled reads write
    /// theirs at the block they fell due, in the background).
    var blocks: [UInt64] { blockWrites.map(\.block) }
    var blockWrites: [(block: UInt64, samples: [Sample], failures: [MetricFailure])] {
        lock.withLock { written.filter { $0.samples.contains { $0.metric == "system_block_number" } } }
    }

    func write(chain: String, block: UInt64, timeMilliseconds: UInt64?, samples: [Sample], failures: [MetricFailure]) async throws {
        lock.withLock { written.append((block, samples, failures)) }
    }
}

/// History kept in memory: what a store records of chunks, their samples and failures.
final class HistoryInMemory: HistorySink, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var loaded = Set<HistoryChunk>()
    private(set) var blocks = [UInt64: HistoryBlock]()
    /// Failed chunks' records: the metrics and why.
    private(set) var failed = [(chunk: ClosedRange<UInt64>, metrics: [String], error: String)]()

    func loadedChunks(chain: String) async throws -> Set<HistoryChunk> { lock.withLock { loaded } }

    func claim(chain: String, chunk: ClosedRange<UInt64>, wait: Bool) async throws -> (any HistoryClaim)? {
        Claim(store: self, chunk: chunk)
    }

    var snapshot: (loaded: Set<HistoryChunk>, blocks: [UInt64: HistoryBlock], failed: [(chunk: ClosedRange<UInt64>, metrics: [String], error: String)]) {
        lock.withLock { (loaded, blocks, failed) }
    }

    struct Claim: HistoryClaim {
        let store: HistoryInMemory
        let chunk: ClosedRange<UInt64>

        func loaded() async throws -> Set<HistoryChunk> { try await store.loadedChunks(chain: "") }
        func release() async {}

        func write(metrics: [MetricDefinition], blocks: [HistoryBlock]) async throws {
            let failing = Set(blocks.flatMap { $0.failures.map(\.metric) })
            store.lock.withLock {
                for block in blocks { store.blocks[block.number] = block }
                for metric in metrics {
                    if failing.contains(metric.name) {
                        store.failed.append((chunk, [metric.name], "failed at some block"))
                    } else {
                        store.loaded.insert(HistoryChunk(metric: metric.name, version: metric.version, firstBlock: chunk.lowerBound))
                    }
                }
            }
        }

        func recordFailure(metrics: [MetricDefinition], error: String) async throws {
            store.lock.withLock { store.failed.append((chunk, metrics.map(\.name), error)) }
        }
    }
}
