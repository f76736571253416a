import ChainFixtures
import DevNode
import ExactJSON
@testable import Exporter
import Foundation
import Logging
import SubstrateRPC
import Testing

/// Following and history loading driven through their pipeline against a devnode chain
/// answered in-process (no socket): finality jumps, damaged and missing answers, a node that
/// fails in the middle of a chunk, an upgrade inside a chunk, one metric failing at one block.
@Suite struct PipelineDriverTests {
    static let quiet = { var logger = Logger(label: "pipeline-test"); logger.logLevel = .critical; return logger }()

    static func definitions() throws -> [MetricDefinition] {
        try DefinitionLoader.load(directories: [try #require(DefinitionLoader.shippedDirectory)])
    }

    static func follower(_ transport: InProcessNode, sink: SamplesTaken, follow: FollowMode = .finalized) throws -> ChainFollower {
        let definitions = try definitions()
        return ChainFollower(
            chain: "dev", client: SubstrateRPCClient(transport: transport, timeout: .seconds(10)), definitions: definitions,
            registry: ChainMetricsRegistry(definitions: definitions), sink: sink, follow: follow, logger: quiet)
    }

    /// A follower of a fixed devnode chain answered in-process, for `body`; its scheduled reads
    /// ended after.
    static func following(blocks: UInt64, _ body: (InProcessNode, SamplesTaken, ChainFollower) async throws -> Void) async throws {
        let transport = InProcessNode(try await InProcessNode.chain(blocks: blocks))
        let sink = SamplesTaken()
        let follower = try follower(transport, sink: sink)
        do {
            try await body(transport, sink, follower)
        } catch {
            await follower.stopScheduledWork()
            throw error
        }
        await follower.stopScheduledWork()
    }

    /// Total issuance at a block, as the node's truth has it.
    static func issuance(_ node: InProcessNode, at block: UInt64) async throws -> UInt128 {
        try #require(try await node.truth(block)["issuance"]?.stringValue.flatMap { UInt128($0) })
    }

    static func issuanceSample(_ samples: [Sample]) -> UInt128? {
        samples.first { $0.metric == "balances_total_issuance_tokens" }?.value.integer
    }

    @Test func finalityJumpsAreFilledInOrderEachBlockOnce() async throws {
        try await Self.following(blocks: 30) { transport, sink, follower in
            try await follower.catchUp(to: 10)
            try await follower.catchUp(to: 12)
            try await follower.catchUp(to: 25)
            // A head at or below the last processed (a repeated notification) changes nothing.
            try await follower.catchUp(to: 25)
            try await follower.catchUp(to: 20)
            #expect(sink.blocks == Array(10...25))
            for (block, samples, failures) in sink.blockWrites {
                #expect(failures.isEmpty, "block \(block): \(failures)")
                #expect(Self.issuanceSample(samples) == (try await Self.issuance(transport, at: block)), "block \(block)")
            }
            // The runtime asked for once, at the start: no block set new code.
            #expect(transport.requests["state_getRuntimeVersion"] == 1)
            #expect(transport.requests["chain_getBlock"] == 16)
        }
    }

    @Test func aDamagedAnswerIsAskedAgainAndNoBlockIsLostOrRepeated() async throws {
        try await Self.following(blocks: 30) { transport, sink, follower in
            try await follower.catchUp(to: 5)
            // Every fourth chain_getBlock comes back garbled, the tenth storage query refused.
            transport.damage { method, _, asked in
                if method == "chain_getBlock", asked % 4 == 0 { return .malformedAnswer }
                if method == "state_queryStorageAt", asked == 10 { return .rpc(code: -32000, message: "busy") }
                return nil
            }
            try await follower.catchUp(to: 28)
            #expect(sink.blocks == Array(5...28))
            #expect(await follower.processedHead == 28)
        }
    }

    @Test func aNodeThatKeepsFailingStopsFollowingWhichResumesAfterTheLastProcessed() async throws {
        try await Self.following(blocks: 30) { transport, sink, follower in
            try await follower.catchUp(to: 3)
            // Block 17's hash is always answered garbled: asked three times, then following stops.
            let hash17 = try await transport.hash(17)
            transport.damage { method, params, _ in method == "chain_getBlock" && params.first?.stringValue == hash17 ? .malformedAnswer : nil }
            await #expect(throws: RPCError.self) { try await follower.catchUp(to: 20) }
            #expect(await follower.processedHead == 16)
            transport.damage { _, _, _ in nil }
            try await follower.catchUp(to: 20)
            #expect(sink.blocks == Array(3...20))
        }
    }

    @Test func aMissingBlockBelowTheHeadIsADamagedAnswer() async throws {
        try await Self.following(blocks: 12) { transport, sink, follower in
            try await follower.catchUp(to: 4)
            // The node claims a head it has no blocks below: no sample is made up for them.
            await #expect(throws: NodeAnswerError.self) { try await follower.catchUp(to: 40) }
            #expect(sink.blocks == [4])
        }
    }

    // MARK: History

    static func loader(_ transport: InProcessNode, sink: HistoryInMemory, chunk: UInt64, metrics: Set<String>? = nil) throws -> HistoryLoader {
        var loader = HistoryLoader(
            chain: "dev", client: SubstrateRPCClient(transport: transport, timeout: .seconds(10)),
            definitions: try definitions().filter { metrics?.contains($0.name) ?? true }, sink: sink, logger: quiet)
        loader.chunkSize = chunk
        loader.concurrency = 4
        return loader
    }

    @Test func aRangeLoadsChunkByChunkMatchingTheChain() async throws {
        let node = try await InProcessNode.chain(blocks: 40)
        let sink = HistoryInMemory()
        let transport = InProcessNode(node)
        let loader = try Self.loader(transport, sink: sink, chunk: 10)
        let reports = Reports()
        try await loader.load(from: 1, to: 40) { reports.add($0) }
        let (loaded, blocks, failed) = sink.snapshot
        #expect(failed.isEmpty)
        #expect(Set(loaded.map(\.firstBlock)) == [1, 10, 20, 30, 40])
        #expect(blocks.keys.sorted() == Array(1...40))
        for number in [1, 9, 10, 33, 40] as [UInt64] {
            #expect(Self.issuanceSample(blocks[number]?.samples ?? []) == (try await Self.issuance(transport, at: number)), "block \(number)")
        }
        #expect(reports.all.map(\.chunk) == [40...40, 30...39, 20...29, 10...19, 1...9])
        #expect(reports.all.last?.blocksLeft == 0 && reports.all.last?.blocksLoaded == 40)
    }

    @Test func aNodeFailingInTheMiddleOfAChunkCostsThatChunkOnly() async throws {
        let node = try await InProcessNode.chain(blocks: 40)
        let transport = InProcessNode(node)
        // Block 25 is never answered: its chunk fails after the retries, the others load.
        let hash25 = try await transport.hash(25)
        transport.damage { method, params, _ in method == "chain_getBlock" && params.first?.stringValue == hash25 ? .timeout : nil }
        let sink = HistoryInMemory()
        let loader = try Self.loader(transport, sink: sink, chunk: 10)
        await #expect {
            try await loader.load(from: 1, to: 40)
        } throws: { error in
            guard case let .chunksFailed(count, first)? = error as? HistoryLoader.LoadError else { return false }
            return count == 1 && first.hasPrefix("blocks 20–29")
        }
        let (loaded, blocks, failed) = sink.snapshot
        #expect(Set(loaded.map(\.firstBlock)) == [1, 10, 30, 40])
        #expect(failed.map(\.chunk) == [20...29])
        #expect(!blocks.keys.contains { (20...29).contains($0) }, "a chunk is written whole or not at all")
    }

    @Test func anUpgradeInsideAChunkDecodesEachSideWithItsOwnRuntime() async throws {
        let upgrade = ChainData.url("metadata/polkadot_2003000_v16.scale").path
        let node = try await InProcessNode.chain(blocks: 30) { $0.upgrades = [(block: 15, metadataPath: upgrade)] }
        let transport = InProcessNode(node)
        let sink = HistoryInMemory()
        let loader = try Self.loader(transport, sink: sink, chunk: 10)
        try await loader.load(from: 1, to: 30)
        let blocks = sink.snapshot.blocks
        #expect(blocks[14]?.specVersion == 2_000_000 && blocks[15]?.specVersion == 2_003_000)
        let upgrades = blocks.values.filter { block in
            block.samples.contains { $0.metric == "system_runtime_upgrades_total" && $0.value.integer > 0 }
        }
        #expect(upgrades.map(\.number) == [15], "the upgrade counted once, at its block")
    }

    @Test func aMetricFailingAtOneBlockCostsThatMetricsChunkOnly() async throws {
        let node = try await InProcessNode.chain(blocks: 30) { $0.damaged = [(item: "Balances.TotalIssuance", block: 23)] }
        let sink = HistoryInMemory()
        let loader = try Self.loader(InProcessNode(node), sink: sink, chunk: 10)
        try await loader.load(from: 1, to: 30)
        let (loaded, blocks, failed) = sink.snapshot
        #expect(failed.map(\.chunk) == [20...29] && failed.first?.metrics == ["balances_total_issuance_tokens"])
        #expect(!loaded.contains(HistoryChunk(metric: "balances_total_issuance_tokens", version: "1", firstBlock: 20)))
        #expect(blocks[23]?.failures.map(\.metric) == ["balances_total_issuance_tokens"])
        #expect(Self.issuanceSample(blocks[23]?.samples ?? []) == nil)
        #expect(Self.issuanceSample(blocks[22]?.samples ?? []) != nil, "the metric's other blocks keep their samples")
        #expect(blocks[23]?.samples.contains { $0.metric == "system_block_weight_ratio" || $0.metric.hasPrefix("system_") } == true, "the block's other metrics are loaded")
    }
}

/// Progress reports as they come.
final class Reports: @unchecked Sendable {
    private let lock = NSLock()
    private var reports = [HistoryLoader.Progress]()
    var all: [HistoryLoader.Progress] { lock.withLock { reports } }
    func add(_ report: HistoryLoader.Progress) { lock.withLock { reports.append(report) } }
}
