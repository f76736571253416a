import ChainFixtures
import ExactJSON
import JSONRPC
import Foundation
import SCALE
import Substrate
import SubstrateRPC
import Testing

/// Every fault the devnode injects reaches the client as a typed error (or, for cut SCALE
/// values, as a typed decoding error), never a crash.
@Suite(.timeLimit(.minutes(3))) struct FaultTests {
    private func expectFailure(_ faults: String, on transports: (DevnodeProcess) -> [any RPCTransport], timeout: Duration = .seconds(30), _ check: @escaping (RPCError.Kind) -> Bool) async throws {
        let node = try await DevnodeProcess.launch(["--history", "5", "--block-time", "0", "--faults", faults])
        defer { node.stop() }
        for transport in transports(node) {
            do {
                _ = try await transport.call(RPCCall("chain_getBlockHash", [.number(1)]), timeout: timeout)
                Issue.record("\(faults) on \(transport.endpoint): the call succeeded")
            } catch {
                #expect(check(error.kind), "\(faults) on \(transport.endpoint): \(error)")
            }
            await transport.close()
        }
    }

    private static func both(_ node: DevnodeProcess) -> [any RPCTransport] {
        [HTTPTransport(endpoint: node.httpURL), WebSocketTransport(endpoint: node.webSocketURL)]
    }

    @Test func rpcErrors() async throws {
        try await expectFailure("error=1", on: Self.both) { kind in
            if case .rpc(-32603, _) = kind { return true }
            return false
        }
    }

    @Test func malformedAnswers() async throws {
        try await expectFailure("malformed=1", on: Self.both) { $0 == .malformedAnswer }
    }

    @Test func droppedConnections() async throws {
        try await expectFailure("drop=1", on: Self.both) { $0 == .transport }
    }

    @Test func delaysBeyondTheTimeout() async throws {
        try await expectFailure("delay=1:3", on: Self.both, timeout: .milliseconds(500)) { $0 == .timeout }
    }

    /// Many requests in flight on one WebSocket, every answer held back far beyond the
    /// timeout: each request fails with a timeout near its own deadline, none waits for an answer.
    @Test func everyRequestInFlightTimesOutOnItsOwn() async throws {
        let node = try await DevnodeProcess.launch(["--history", "5", "--block-time", "0", "--faults", "delay=1:3"])
        defer { node.stop() }
        let transport = WebSocketTransport(endpoint: node.webSocketURL)
        let outcomes = await withTaskGroup(of: (RPCError?, Duration).self) { group in
            for _ in 0..<16 {
                group.addTask {
                    let started = ContinuousClock.now
                    do throws(RPCError) {
                        _ = try await transport.call(RPCCall("chain_getBlockHash", [.number(1)]), timeout: .milliseconds(500))
                        return (nil, .now - started)
                    } catch {
                        return (error, .now - started)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.count == 16)
        for (error, took) in outcomes {
            #expect(error?.kind == .timeout, "\(String(describing: error))")
            // The first held-back answer comes after 3 s.
            #expect(took < .milliseconds(2500), "a timeout of 0.5 s reported after \(took)")
        }
        await transport.close()
    }

    /// A cut SCALE value arrives as a normal answer and fails to decode, with a typed error.
    @Test func truncatedSCALEValues() async throws {
        let node = try await DevnodeProcess.launch(["--history", "5", "--block-time", "0", "--faults", "truncate=1"])
        defer { node.stop() }
        let client = SubstrateRPCClient(transport: HTTPTransport(endpoint: node.httpURL), timeout: .seconds(60))
        let cut = try await client.stateGetMetadata()
        #expect(throws: MetadataError.self) { try RuntimeMetadata.decode(hex: cut) }
        let metadata = try ChainData.metadata("metadata/polkadot_2000000_v15.scale")
        let key = try StorageKeyBuilder(metadata: metadata).key(pallet: "System", item: "Events")
        let events = try #require(try await client.stateGetStorage(Hex.encode(key)).flatMap { Hex.decode($0) })
        #expect(throws: ChainDecodingError.self) { try EventDecoder(metadata: metadata).decode(events) }
        // Where the answer names what it answers (keys, the block), a cut answer is a malformed
        // answer, asked again, never a value taken as absent.
        let issuance = Hex.encode(try StorageKeyBuilder(metadata: metadata).key(pallet: "Balances", item: "TotalIssuance"))
        do {
            _ = try await client.stateQueryStorageAt([issuance])
            Issue.record("state_queryStorageAt: a cut answer was taken")
        } catch {
            #expect(error.kind == .malformedAnswer, "\(error)")
        }
        do {
            _ = try await client.stateGetKeysPaged(prefix: issuance, count: 10)
            Issue.record("state_getKeysPaged: a cut answer was taken")
        } catch {
            #expect(error.kind == .malformedAnswer, "\(error)")
        }
    }

    /// A subscription that goes silent is detected after the stall timeout and re-subscribed.
    @Test func stalledSubscriptionsAreResubscribed() async throws {
        let node = try await DevnodeProcess.launch(["--history", "3", "--block-time", "0.2", "--faults", "stall=1"])
        defer { node.stop() }
        let transport = FailoverTransport(endpoints: [node.webSocketURL], stallTimeout: .milliseconds(800))
        let client = SubstrateRPCClient(transport: transport, timeout: .seconds(20))
        let started = ContinuousClock.now
        let numbers = try await firstElements(3, of: try await client.chainSubscribeNewHeads(), within: .seconds(30))
            .compactMap { $0["number"]?.uint64Value }
        #expect(numbers.count == 3)
        // Each subscription delivers one head and stalls: three heads need two re-subscriptions.
        #expect(ContinuousClock.now - started > .milliseconds(1600))
        #expect(numbers == numbers.sorted())
        await transport.close()
    }

    /// A port that accepts connections and never answers (a node hung while starting, or one
    /// shutting down with its socket still open): a call fails by its own timeout, or by the
    /// connect timeout when that comes first; once a node listens there, the next call connects
    /// afresh instead of waiting on the attempt given up.
    @Test func aPortThatNeverAnswersFailsCallsByTheirTimeout() async throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        // The kernel completes the handshakes of a listening socket that never accepts.
        #expect(listen(listener, 16) == 0)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let transport = WebSocketTransport(endpoint: "ws://127.0.0.1:\(port)", connectTimeout: .seconds(2))
        for (timeout, expected) in [(Duration.seconds(1), RPCError.Kind.timeout), (.seconds(30), .transport)] {
            let started = ContinuousClock.now
            do throws(RPCError) {
                _ = try await transport.call(RPCCall("chain_getBlockHash", [.number(1)]), timeout: timeout)
                Issue.record("a port that never answers answered")
            } catch {
                #expect(error.kind == expected, "\(error)")
            }
            #expect(ContinuousClock.now - started < min(timeout, .seconds(2)) + .seconds(2), "timeout \(timeout)")
        }
        close(listener)
        let node = try await DevnodeProcess.launch(["--history", "3", "--block-time", "0"], port: port)
        defer { node.stop() }
        let hash = try await transport.call(RPCCall("chain_getBlockHash", [.number(1)]), timeout: .seconds(20))
        #expect(hash.stringValue?.hasPrefix("0x") == true)
        await transport.close()
    }

    @Test func badFaultSpecificationsAreRefused() async throws {
        let result = try await Executable.run("runtime-devnode", ["--faults", "explode=0.5"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("explode"))
    }
}
