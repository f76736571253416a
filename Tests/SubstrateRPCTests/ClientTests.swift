import ChainFixtures
import ExactJSON
import JSONRPC
import Foundation
import SCALE
import Substrate
import SubstrateRPC
import Testing

/// The JSON-RPC client against a real `runtime-devnode` process, over HTTP and WebSocket.
@Suite(.timeLimit(.minutes(3))) struct ClientTests {
    static func transports(_ node: DevnodeProcess) -> [any RPCTransport] {
        [HTTPTransport(endpoint: node.httpURL), WebSocketTransport(endpoint: node.webSocketURL)]
    }

    /// Typed calls on both transports, and what they return decodes: the block with the
    /// runtime's own metadata, storage values with their types.
    @Test func typedCallsReadAWholeBlock() async throws {
        let node = try await DevnodeProcess.launch(["--history", "12", "--block-time", "0", "--seed", "7"])
        defer { node.stop() }
        for transport in Self.transports(node) {
            let client = SubstrateRPCClient(transport: transport, timeout: .seconds(20))
            #expect(try await client.systemChain().hasPrefix("Development"))
            #expect(try await client.rpcMethods().contains("state_queryStorageAt"))
            let properties = try ChainProperties(json: try await client.systemProperties())
            #expect(properties.ss58Format == 0 && properties.nativeDecimals == 10)

            let hashes = try await client.chainGetBlockHashes([0, 5, 12, 13])
            #expect(hashes.count == 4 && hashes[3] == nil)
            let hash = try #require(hashes[2])
            #expect(try await client.chainGetBlockHash(12) == hash)

            let metadata = try RuntimeMetadata.decode(hex: try await client.stateGetMetadata(at: hash))
            let version = try await client.stateGetRuntimeVersion(at: hash)
            #expect(version["specVersion"]?.uint64Value == UInt64(metadata.runtimeVersion?.specVersion ?? 0))

            let blockJSON = try await client.chainGetBlock(hash)
            let keys = StorageKeyBuilder(metadata: metadata)
            let eventsKey = Hex.encode(try keys.key(pallet: "System", item: "Events"))
            let issuanceKey = Hex.encode(try keys.key(pallet: "Balances", item: "TotalIssuance"))
            let values = try await client.stateQueryStorageAt([eventsKey, issuanceKey], at: hash)
            let events = try #require(values[eventsKey] ?? nil).flatMap { Hex.decode($0) }
            let block = try DecodedBlock.decode(blockJSON: blockJSON, eventsBytes: events, metadata: metadata)
            #expect(block.header?.number == 12)
            #expect(block.hash.map { Hex.encode($0) } == hash)  // the node's hash is the header's blake2b-256
            #expect(block.extrinsics?.first?.call.name == "set")
            // Block 12 carries a batch_all of two transfers: every transfer, nested or not, has its
            // event in its extrinsic's phase (other extrinsics move balances too: pools, XCM).
            let extrinsics = try #require(block.extrinsics)
            let calls = extrinsics.flatMap { $0.call.flattened(callType: metadata.extrinsic.callType) }
            #expect(calls.contains { $0.pallet == "Utility" && $0.name == "batch_all" })
            let transfers = calls.filter { $0.name == "transfer_keep_alive" }
            let transferring = Set(extrinsics.indices.filter { index in
                extrinsics[index].call.flattened(callType: metadata.extrinsic.callType).contains { $0.name == "transfer_keep_alive" }
            }.map { UInt32($0) })
            let transferEvents = block.events?.filter { event in
                guard case let .applyExtrinsic(index) = event.phase else { return false }
                return event.pallet == "Balances" && event.name == "Transfer" && transferring.contains(index)
            } ?? []
            #expect(transfers.count == transferEvents.count && transfers.count >= 2)
            #expect(transfers.map { $0.argument("value")?.uint128 } == transferEvents.map { $0.field("amount")?.uint128 })

            let issuanceHex = try #require(try await client.stateGetStorage(issuanceKey, at: hash))
            let issuance = try ValueDecoder(registry: metadata.types).decode(
                try #require(metadata.storageEntry(pallet: "Balances", item: "TotalIssuance")).valueType,
                bytes: try #require(Hex.decode(issuanceHex))
            )
            #expect(try #require(issuance.uint128) > 0)
            let multiplierKey = Hex.encode(try keys.key(pallet: "TransactionPayment", item: "NextFeeMultiplier"))
            let multiplier = try ValueDecoder(registry: metadata.types).decode(
                try #require(metadata.storageEntry(pallet: "TransactionPayment", item: "NextFeeMultiplier")).valueType,
                bytes: try #require(try await client.stateGetStorage(multiplierKey, at: hash).flatMap { Hex.decode($0) })
            )
            #expect(multiplier.uint128 == 1_012_000_000_000_000_000)  // 1.0 + 12 × 0.001 at block 12
            let accounts = try await client.stateGetKeysPaged(prefix: Hex.encode(StorageKeyBuilder.prefix(pallet: "System", item: "Account")), count: 100, at: hash)
            // The five signers, the treasury, pools' bonded accounts, parachains' sovereign accounts.
            #expect(accounts.count >= 7)
            for key in accounts {
                let account = try keys.keys(in: try #require(Hex.decode(key)), pallet: "System", item: "Account").first??.bytes
                #expect(account?.count == 32)
            }
            await transport.close()
        }
    }

    /// Hundreds of requests in flight on one WebSocket, and a JSON-RPC batch.
    @Test func pipeliningAndBatches() async throws {
        let node = try await DevnodeProcess.launch(["--history", "50", "--block-time", "0"])
        defer { node.stop() }
        for transport in Self.transports(node) {
            let client = SubstrateRPCClient(transport: transport, timeout: .seconds(30))
            let hashes = try await withThrowingTaskGroup(of: (UInt64, String?).self) { group in
                for number in UInt64(0)..<300 { group.addTask { (number, try await client.chainGetBlockHash(number % 60)) } }
                var found = [UInt64: String?]()
                for try await (number, hash) in group { found[number] = hash }
                return found
            }
            #expect(hashes.count == 300)
            #expect(hashes.values.filter { $0 == nil }.count == 45)  // heights 51…59, five times each
            let batch = try await transport.batch(
                [RPCCall("system_name"), RPCCall("no_such_method"), RPCCall("chain_getBlockHash", [.number(1)])],
                timeout: .seconds(10)
            )
            #expect(try batch[0].get() == .string("runtime-devnode"))
            #expect((try? batch[2].get()) != nil)
            guard case let .failure(error) = batch[1], case let .rpc(code, _) = error.kind else {
                Issue.record("an unknown method in a batch did not fail with an RPC error")
                continue
            }
            #expect(code == -32601)
            await transport.close()
        }
    }

    @Test func subscriptionsDeliverHeadsInOrder() async throws {
        let node = try await DevnodeProcess.launch(["--history", "3", "--block-time", "0.2", "--finality-lag", "2"])
        defer { node.stop() }
        let transport = WebSocketTransport(endpoint: node.webSocketURL)
        let client = SubstrateRPCClient(transport: transport, timeout: .seconds(10))
        let numbers = try await firstElements(5, of: try await client.chainSubscribeNewHeads(), within: .seconds(30))
            .compactMap { $0["number"]?.uint64Value }
        #expect(numbers.count == 5 && numbers == Array(numbers[0]...numbers[0] + 4))
        let finalized = try await firstElements(3, of: try await client.chainSubscribeFinalizedHeads(), within: .seconds(30))
            .compactMap { $0["number"]?.uint64Value }
        #expect(finalized == finalized.sorted() && Set(finalized).count == 3)
        let head = try await client.chainGetHeader()["number"]?.uint64Value ?? 0
        #expect(finalized.last ?? 0 <= head)
        await transport.close()
    }

    /// With `--finality-step 4`, finalized heads jump four blocks at a time.
    @Test func finalityJumpsSeveralBlocks() async throws {
        let node = try await DevnodeProcess.launch(["--history", "8", "--block-time", "0.1", "--finality-lag", "1", "--finality-step", "4"])
        defer { node.stop() }
        let transport = WebSocketTransport(endpoint: node.webSocketURL)
        let client = SubstrateRPCClient(transport: transport, timeout: .seconds(10))
        // A generous window: the heads come within a second or two, but CI runs many suites at once.
        let finalized = try await firstElements(3, of: try await client.chainSubscribeFinalizedHeads(), within: .seconds(90))
            .compactMap { $0["number"]?.uint64Value }
        #expect(finalized.count == 3)
        #expect(finalized.allSatisfy { $0 % 4 == 0 }, "\(finalized)")
        #expect(zip(finalized, finalized.dropFirst()).allSatisfy { $1 - $0 == 4 }, "\(finalized)")
        await transport.close()
    }

    /// A runtime upgrade mid-chain: the version subscription reports the new runtime, and
    /// metadata and version answers depend on the block asked about.
    @Test func runtimeUpgradesAreVisiblePerBlock() async throws {
        let node = try await DevnodeProcess.launch([
            "--history", "3", "--block-time", "0.5",
            "--metadata", ChainData.url("metadata/polkadot_1002000_v14.scale").path,
            "--upgrade-at", "12:" + ChainData.url("metadata/polkadot_1003000_v14.scale").path,
        ])
        defer { node.stop() }
        let transport = WebSocketTransport(endpoint: node.webSocketURL)
        let client = SubstrateRPCClient(transport: transport, timeout: .seconds(10))
        // The subscription starts with the current runtime; if the upgrade (state of block 11, about
        // 5 s in) is still ahead, the next notification must be the new one.
        let subscription = try await client.stateSubscribeRuntimeVersion()
        let first = try await firstElements(1, of: subscription, within: .seconds(30)).first?["specVersion"]?.uint64Value
        if first == 1_002_000 {
            let next = try await firstElements(1, of: subscription, within: .seconds(30)).first?["specVersion"]?.uint64Value
            #expect(next == 1_003_000)
        } else {
            #expect(first == 1_003_000)
        }
        // The code is set in block 11: its state already has the new runtime, block 10's does not.
        let at10 = try #require(try await client.chainGetBlockHash(10)), at11 = try #require(try await client.chainGetBlockHash(11))
        #expect(try await client.stateGetRuntimeVersion(at: at10)["specVersion"]?.uint64Value == 1_002_000)
        #expect(try await client.stateGetRuntimeVersion(at: at11)["specVersion"]?.uint64Value == 1_003_000)
        let metadata11 = try RuntimeMetadata.decode(hex: try await client.stateGetMetadata(at: at11))
        #expect(metadata11.runtimeVersion?.specVersion == 1_003_000)
        let header11 = try BlockHeader(json: try await client.chainGetHeader(at11))
        #expect(header11.digest.contains(.runtimeEnvironmentUpdated))
        await transport.close()
    }

    @Test func typedErrors() async throws {
        let node = try await DevnodeProcess.launch(["--history", "2", "--block-time", "0"])
        for transport in Self.transports(node) {
            let client = SubstrateRPCClient(transport: transport, timeout: .seconds(10))
            await #expect { try await client.call("no_such_method") } throws: { error in
                (error as? RPCError)?.kind == .rpc(code: -32601, message: "Method not found: no_such_method")
            }
            await #expect { try await client.chainGetBlock("0x" + String(repeating: "ab", count: 32)) } throws: { error in
                if case .rpc(4003, _)? = (error as? RPCError)?.kind { return true }
                return false
            }
            await transport.close()
        }
        await #expect { try await HTTPTransport(endpoint: node.httpURL).subscribe(RPCCall("chain_subscribeNewHeads"), unsubscribeMethod: "x", timeout: .seconds(1)) } throws: { error in
            (error as? RPCError)?.kind == .unsupported
        }
        await node.stopAndWait()
        // Nothing listens any more: a transport error naming the endpoint.
        for transport in Self.transports(node) {
            await #expect { try await transport.call(RPCCall("system_name"), timeout: .seconds(5)) } throws: { error in
                (error as? RPCError)?.kind == .transport && (error as? RPCError)?.endpoint == transport.endpoint
            }
        }
    }

    /// Like a node running a V15 runtime: `state_getMetadata` answers V14, `state_call` offers
    /// V14 and V15, and both describe the same runtime; an unknown runtime API is an RPC error.
    @Test func metadataVersionsThroughTheRuntimeAPI() async throws {
        let node = try await DevnodeProcess.launch(["--history", "3", "--block-time", "0"])
        defer { node.stop() }
        for transport in Self.transports(node) {
            let client = SubstrateRPCClient(transport: transport, timeout: .seconds(20))
            let v14 = try RuntimeMetadata.decode(hex: try await client.stateGetMetadata())
            #expect(v14.version == 14)
            #expect(try await client.stateCall("Metadata_metadata_versions") == "0x080e0000000f000000")  // [14, 15]
            let v15 = try RuntimeMetadata.decode(hex: try #require(try await client.metadata(version: 15)))
            #expect(v15.version == 15 && v15.runtimeVersion?.specVersion == v14.runtimeVersion?.specVersion)
            #expect(v15.pallets.map(\.name) == v14.pallets.map(\.name))
            #expect(try await client.metadata(version: 16) == nil)
            await #expect { try await client.stateCall("Nonsense_api") } throws: { error in
                guard case .rpc(4003, let message)? = (error as? RPCError)?.kind else { return false }
                return message.contains("Nonsense_api")
            }
            await transport.close()
        }
    }
}
