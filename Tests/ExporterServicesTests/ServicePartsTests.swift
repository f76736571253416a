@testable import Exporter
import ExporterServices
import Foundation
import OwnedTasks
import SubstrateRPC
import Testing
import WebUI

/// The parts of the services that need no I/O: addresses, progress text, endpoint health,
/// owned tasks and the first-block signal history waits on.
@Suite struct ServicePartsTests {
    @Test func listenAddresses() {
        #expect(ListenAddress(":9616") == ListenAddress("0.0.0.0:9616"))
        #expect(ListenAddress("127.0.0.1:0")?.port == 0)
        #expect(ListenAddress("[::1]:9616")?.host == "[::1]")
        #expect(ListenAddress("9616") == nil)
        #expect(ListenAddress("host:65536") == nil)
        #expect(ListenAddress("host:") == nil)
    }

    private func progress(_ outcome: HistoryLoader.ChunkOutcome, done: Int, loaded: UInt64, left: UInt64, failures: Int = 0) -> HistoryLoader.Progress {
        HistoryLoader.Progress(chunk: 1000...1499, chunksDone: done, chunks: 4, blocksLoaded: loaded, blocksLeft: left, outcome: outcome, failures: failures)
    }

    @Test func progressAsLines() {
        let started = Date(timeIntervalSince1970: 0)
        let report = HistoryProgressReport(chain: "polkadot", started: started, terminal: false)
        // 500 blocks in 10 s: 50 blocks/s, so 1,500 left take 30 s.
        #expect(report.text(progress(.loaded, done: 1, loaded: 500, left: 1500), now: started + 10)
            == "polkadot: blocks 1000–1499 loaded (chunk 1/4, 50 blocks/s, ETA 0:00:30)")
        #expect(report.text(progress(.failed("node gone"), done: 2, loaded: 500, left: 1000, failures: 1), now: started + 10)
            == "polkadot: blocks 1000–1499 failed: node gone (chunk 2/4, 50 blocks/s, ETA 0:00:20, 1 failed)")
        #expect(report.text(progress(.alreadyLoaded, done: 1, loaded: 0, left: 1500), now: started + 10).contains("already loaded (chunk 1/4, 0 blocks/s, ETA 0:00:00)"))
    }

    @Test func progressAsABar() {
        let started = Date(timeIntervalSince1970: 0)
        let report = HistoryProgressReport(chain: "kusama", started: started, terminal: true)
        let text = report.text(progress(.loaded, done: 2, loaded: 1000, left: 1000), now: started + 3600)
        #expect(text.hasPrefix("kusama " + String(repeating: "█", count: 15) + String(repeating: "·", count: 15) + " 2/4 chunks"))
        #expect(text.hasSuffix("ETA 1:00:00"))
    }

    @Test func endpointHealthTellsAnswersFromSilence() {
        let health = EndpointHealth(endpoints: ["ws://a", "ws://b", "ws://c"])
        health.requestFinished(endpoint: "ws://a", method: "chain_getBlock", duration: .milliseconds(250), error: nil)
        health.requestFinished(endpoint: "ws://b", method: "chain_getBlock", duration: .seconds(1), error: RPCError(.transport, endpoint: "ws://b", method: "chain_getBlock", detail: "connection refused"))
        health.requestFinished(endpoint: "ws://c", method: "state_call", duration: .milliseconds(5), error: RPCError(.rpc(code: -32000, message: "unknown block"), endpoint: "ws://c", method: "state_call"))
        let snapshot = health.snapshot
        #expect(snapshot.map(\.url) == ["ws://a", "ws://b", "ws://c"])
        #expect(snapshot.map(\.answered) == [true, false, true], "an RPC error is an answer; a refused connection is not")
        #expect(snapshot[0].lastLatencySeconds == 0.25)
        #expect(snapshot[1].failures == 1 && snapshot[1].lastError?.hasPrefix("chain_getBlock: ") == true)
        #expect(snapshot[2].lastError == nil, "an endpoint that answers shows no error as why it is down")
    }

    @Test func taskSetCancelsAndAwaitsItsTasks() async {
        let tasks = TaskSet()
        let ended = Counter()
        for _ in 0..<5 {
            tasks.spawn {
                try? await Task.sleep(for: .seconds(60))
                ended.add()
            }
        }
        #expect(tasks.count == 5)
        await tasks.cancelAndWait()
        #expect(ended.value == 5, "every task ended before cancelAndWait returned")
        #expect(tasks.count == 0)
        // After the owner closed: a task spawned starts cancelled.
        tasks.spawn { ended.add(Task.isCancelled ? 100 : 1) }
        await tasks.cancelAndWait()
        #expect(ended.value == 105)
    }

    @Test func firstBlockSignal() async throws {
        let signal = SetOnce<UInt64>()
        async let waited = signal.wait()
        try await Task.sleep(for: .milliseconds(20))
        signal.set(42)
        signal.set(43)
        #expect(try await waited == 42)
        #expect(try await signal.wait() == 42, "set once: a later wait gets it at once")
        let cancelled = Task { try await SetOnce<UInt64>().wait() }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
    }
}

/// A count shared with tasks.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func add(_ amount: Int = 1) { lock.withLock { count += amount } }
}
