import ChainFixtures
import ExactJSON
import Exporter
import SCALE
import Substrate
import SubstrateRPC
import Testing

/// Calls inside batches take their own outcome, not the extrinsic's: a `Utility.batch`
/// interrupted at its second item succeeds as an extrinsic, but its second item failed and its
/// third never ran. Read from a devnode block that holds such a batch.
@Suite(.timeLimit(.minutes(2))) struct DispatchedCallTests {
    @Test func anInterruptedBatchDispatchedItsItemsUpToTheFailedOne() async throws {
        let node = try await DevnodeProcess.launch(["--history", "20", "--block-time", "0"])
        defer { node.stop() }
        let client = SubstrateRPCClient(transport: HTTPTransport(endpoint: node.httpURL), timeout: .seconds(20))
        // Block 16 (16 mod 9 = 7) carries the devnode's interrupted batch.
        let hash = try #require(try await client.chainGetBlockHash(16))
        let parent: String = try #require(try await client.chainGetBlockHash(15))
        let metadata = try RuntimeMetadata.decode(hex: try await client.stateGetMetadata(at: parent))
        let eventsKey = Hex.encode(try StorageKeyBuilder(metadata: metadata).key(pallet: "System", item: "Events"))
        let decoded = try DecodedBlock.decode(
            blockJSON: try await client.chainGetBlock(hash), eventsBytes: try await client.stateGetStorage(eventsKey, at: hash).flatMap { Hex.decode($0) }, metadata: metadata)
        let block = BlockContext(
            number: 16, metadata: metadata, tokenDecimals: 10, timestampMilliseconds: nil, parentTimestampMilliseconds: nil,
            extrinsics: try #require(decoded.extrinsics), events: try #require(decoded.events), storage: [:])
        let index = try #require(block.extrinsics.firstIndex { $0.call.pallet == "Utility" && $0.call.name == "batch" })
        #expect(block.succeeded(index) == true)
        let dispatched = DispatchedCall.calls(ofExtrinsic: index, in: block)
        #expect(dispatched.map { "\($0.call.pallet).\($0.call.name)" } == ["Utility.batch", "Balances.transfer_keep_alive", "Balances.transfer_keep_alive"])
        #expect(dispatched.map(\.succeeded) == [true, true, false])

        // The shipped calls counter, over the whole block: one failed transfer, from the batch.
        let definitions = try DefinitionLoader.load(directories: [try #require(DefinitionLoader.shippedDirectory)])
        let calls = try #require(definitions.first { $0.name == "extrinsics_total" })
        let samples = try DefinitionEvaluator(metadata: metadata).evaluate(calls, in: block)
        let failed = samples.filter { $0.labels.contains(Sample.Label("result", "failed")) }
        #expect(failed.count == 1 && failed.first?.labels.contains(Sample.Label("call", "transfer_keep_alive")) == true && failed.first?.value.integer == 1, "\(failed)")
        let total = samples.reduce(UInt128(0)) { $0 + $1.value.integer }
        let flattened = block.extrinsics.reduce(0) { $0 + $1.call.flattened(callType: metadata.outerEnums.callType).count }
        #expect(total == UInt128(flattened - 1), "the third item never ran")
    }
}
