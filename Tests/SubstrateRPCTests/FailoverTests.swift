import ChainFixtures
import ExactJSON
import Foundation
import SubstrateRPC
import Testing

/// Endpoints that die and come back: real devnode processes killed and restarted.
@Suite(.timeLimit(.minutes(3))) struct FailoverTests {
    /// Two devnodes with the same seed and genesis time serve the same chain; when the first
    /// dies, calls go on against the second and get the same answers.
    @Test func callsFailOverToTheSecondEndpoint() async throws {
        let genesis = String(UInt64(Date().timeIntervalSince1970 * 1000) - 10_000)
        let arguments = ["--block-time", "0.5", "--genesis-time", genesis, "--seed", "3"]
        let first = try await DevnodeProcess.launch(arguments)
        let second = try await DevnodeProcess.launch(arguments)
        defer { first.stop(); second.stop() }
        let transport = FailoverTransport(endpoints: [first.webSocketURL, second.httpURL], backoff: Backoff(base: .milliseconds(50)))
        let client = SubstrateRPCClient(transport: transport, timeout: .seconds(20))
        let before = try await client.chainGetBlockHash(5)
        #expect(await transport.activeEndpoint == first.webSocketURL)
        await first.stopAndWait()
        let after = try await client.chainGetBlockHash(5)
        #expect(after == before && after != nil)
        #expect(await transport.activeEndpoint == second.httpURL)
        await transport.close()
    }

    /// A devnode killed mid-subscription and restarted on the same port with the same flags
    /// continues the same chain; the subscription resumes on its own.
    @Test func subscriptionsSurviveANodeRestart() async throws {
        let genesis = String(UInt64(Date().timeIntervalSince1970 * 1000) - 2_000)
        let arguments = ["--block-time", "0.2", "--genesis-time", genesis, "--seed", "5"]
        var node = try await DevnodeProcess.launch(arguments)
        let port = node.port
        defer { node.stop() }
        let transport = FailoverTransport(
            endpoints: [node.webSocketURL], backoff: Backoff(base: .milliseconds(50), cap: .milliseconds(500)), stallTimeout: .seconds(3)
        )
        // A restarted node rebuilds its chain first; on a loaded machine that takes a while.
        let client = SubstrateRPCClient(transport: transport, timeout: .seconds(30))
        let subscription = try await client.chainSubscribeNewHeads()
        var numbers = try await firstElements(3, of: subscription, within: .seconds(30)).compactMap { $0["number"]?.uint64Value }
        await node.stopAndWait()
        node = try await DevnodeProcess.launch(arguments, port: port)
        numbers += try await firstElements(5, of: subscription, within: .seconds(30)).compactMap { $0["number"]?.uint64Value }
        #expect(numbers.count == 8)
        // Numbers keep rising across the restart (heads produced while it was down are skipped).
        #expect(zip(numbers, numbers.dropFirst()).allSatisfy { $0 < $1 }, "\(numbers)")
        let hash = try await client.chainGetBlockHash(numbers[1])
        #expect(hash != nil)
        await transport.close()
    }

    /// A subscription that goes silent for good (the devnode's `stall` fault) is re-subscribed
    /// after ten of its usual gaps (at least 5 s), not after the full minute of `stallTimeout`:
    /// with heads every 0.2 s, two stalls are waited out within 90 s (a minute each would be 120).
    @Test func aStalledSubscriptionIsResubscribedAfterTenOfItsUsualGaps() async throws {
        let node = try await DevnodeProcess.launch(["--history", "5", "--block-time", "0.2", "--faults", "stall=0.1"])
        defer { node.stop() }
        let transport = FailoverTransport(endpoints: [node.webSocketURL])
        let client = SubstrateRPCClient(transport: transport, timeout: .seconds(20))
        let subscription = try await client.chainSubscribeNewHeads()
        let started = ContinuousClock.now
        // A stall shows as a skip: the heads made while the subscription was silent never come.
        let outcome = try await withThrowingTaskGroup(of: (heads: Int, stalls: Int)?.self) { group in
            group.addTask {
                var (previous, heads, stalls): (UInt64?, Int, Int) = (nil, 0, 0)
                for try await head in subscription {
                    guard let number = head["number"]?.uint64Value else { continue }
                    heads += 1
                    if let previous, number > previous + 1 { stalls += 1 }
                    previous = number
                    if stalls == 2 { return (heads, stalls) }
                }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: .seconds(90))
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        let result = try #require(outcome, "two stalls were not waited out within 90 s")
        print("stalled subscription: \(result.stalls) stalls waited out, \(result.heads) heads in \(ContinuousClock.now - started)")
        await transport.close()
    }

    /// With `spreadsCalls`, calls go to every endpoint in turn; when one dies the rest carry on.
    @Test func callsSpreadOverEndpoints() async throws {
        let first = try await DevnodeProcess.launch(["--history", "20", "--block-time", "0"])
        let second = try await DevnodeProcess.launch(["--history", "20", "--block-time", "0"])
        defer { first.stop(); second.stop() }
        let counter = EndpointCounter()
        let transport = FailoverTransport(
            endpoints: [first.httpURL, second.webSocketURL], backoff: Backoff(base: .milliseconds(50)), spreadsCalls: true,
            observer: counter
        )
        let client = SubstrateRPCClient(transport: transport, timeout: .seconds(20))
        for number in UInt64(0)..<20 { _ = try await client.chainGetBlockHash(number) }
        #expect(counter.counts[first.httpURL] == 10 && counter.counts[second.webSocketURL] == 10, "\(counter.counts)")
        await first.stopAndWait()
        for number in UInt64(0)..<10 { #expect(try await client.chainGetBlockHash(number) != nil) }
        await transport.close()
    }

    @Test func backoffGrowsToItsCapWithJitter() {
        let backoff = Backoff(base: .milliseconds(100), cap: .seconds(2))
        #expect(backoff.ceiling(attempt: 0) == .milliseconds(100))
        #expect(backoff.ceiling(attempt: 3) == .milliseconds(800))
        #expect(backoff.ceiling(attempt: 10) == .seconds(2))
        var generator = SystemRandomNumberGenerator()
        let delays = (0..<200).map { _ in backoff.delay(attempt: 4, using: &generator) }
        #expect(delays.allSatisfy { $0 >= .zero && $0 <= .milliseconds(1600) })
        #expect(Set(delays).count > 100)  // jittered, not one fixed wait
    }
}

/// Counts successful requests per endpoint, through the client's observer hook.
final class EndpointCounter: RPCObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var byEndpoint: [String: Int] = [:]

    var counts: [String: Int] { lock.withLock { byEndpoint } }

    func requestFinished(endpoint: String, method: String, duration: Duration, error: RPCError?) {
        guard error == nil else { return }
        lock.withLock { byEndpoint[endpoint, default: 0] += 1 }
    }
}
