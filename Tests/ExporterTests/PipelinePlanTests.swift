@testable import Exporter
import Substrate
import SubstrateRPC
import Testing

/// Following's catch-up and history's chunk queue as plain state: fed heads, answers and
/// failures, checked for what they ask next, without a node or a store.
@Suite struct PipelinePlanTests {
    typealias Block = CatchUpPlan.Block

    /// Runs a plan to the end, answering hashes as `h<number>`, processing each block as it
    /// comes (`setsCode` at those numbers); the actions in order.
    static func drive(_ plan: inout CatchUpPlan, setsCode: Set<UInt64> = [], limit: Int = 10_000) throws -> [CatchUpPlan.Action] {
        var actions = [CatchUpPlan.Action]()
        for _ in 0..<limit {
            let action = plan.nextAction()
            actions.append(action)
            switch action {
            case .done: return actions
            case let .askHashes(numbers): try plan.hashesAnswered(numbers, numbers.map { "h\($0)" })
            case .fetchAhead: break
            case let .process(block, _, _): _ = plan.processed(block.number, setNewCode: setsCode.contains(block.number))
            }
        }
        Issue.record("the plan never ended")
        return actions
    }

    static func processed(_ actions: [CatchUpPlan.Action]) -> [UInt64] {
        actions.compactMap { if case let .process(block, _, _) = $0 { block.number } else { nil } }
    }

    @Test func startsAtTheHeadNotified() throws {
        var plan = CatchUpPlan()
        plan.notified(head: 100, hash: "h100")
        #expect(plan.nextAction() == .process(Block(number: 100, hash: "h100", hashFromHeader: true), prefetched: false, attempt: 0))
        _ = plan.processed(100, setNewCode: false)
        #expect(plan.nextAction() == .done)
    }

    @Test func finalityJumpProcessesEveryBlockBetween() throws {
        var plan = CatchUpPlan(lastProcessed: 100, runtimeMayChange: false)
        plan.notified(head: 105, hash: "h105")
        // The head's hash came with it: only those before it are asked for.
        #expect(plan.nextAction() == .askHashes([101, 102, 103, 104]))
        let actions = try Self.drive(&plan)
        #expect(Self.processed(actions) == [101, 102, 103, 104, 105])
        // The runtime known, the blocks are fetched ahead of processing, each once.
        let ahead: [UInt64] = actions.flatMap { action -> [UInt64] in if case let .fetchAhead(blocks) = action { blocks.map(\.number) } else { [] } }
        #expect(ahead == [101, 102, 103, 104, 105])
        #expect(actions.contains(.process(Block(number: 105, hash: "h105", hashFromHeader: true), prefetched: true, attempt: 0)))
    }

    @Test func aLongGapIsAskedInArraysOf256() throws {
        var plan = CatchUpPlan(lastProcessed: 1_000, runtimeMayChange: false)
        plan.notified(head: 1_600, hash: nil)
        let actions = try Self.drive(&plan)
        let asked = actions.compactMap { if case let .askHashes(numbers) = $0 { numbers } else { nil } }
        #expect(asked.map(\.count) == [256, 256, 88])
        #expect(asked.flatMap { $0 } == Array(1_001...1_600))
        #expect(Self.processed(actions) == Array(1_001...1_600))
    }

    @Test func aHeadAtOrBelowTheLastProcessedChangesNothing() {
        // Best heads reorganised: a head lower than the last one processed.
        var plan = CatchUpPlan(lastProcessed: 50, runtimeMayChange: false)
        plan.notified(head: 48, hash: "other48")
        #expect(plan.nextAction() == .done)
        plan.notified(head: 50, hash: "other50")
        #expect(plan.nextAction() == .done)
    }

    @Test func aBlockTheNodeLacksIsADamagedAnswer() {
        var plan = CatchUpPlan(lastProcessed: 10)
        plan.notified(head: 13, hash: nil)
        #expect(plan.nextAction() == .askHashes([11, 12, 13]))
        #expect(throws: NodeAnswerError.self) { try plan.hashesAnswered([11, 12, 13], ["h11", nil, "h13"]) }
        #expect(throws: NodeAnswerError.self) { try plan.hashesAnswered([11, 12, 13], ["h11"]) }
    }

    @Test func aBlockThatSetsCodeMakesWhatWasFetchedAheadStale() throws {
        var plan = CatchUpPlan(lastProcessed: 0, runtimeMayChange: false)
        plan.notified(head: 20, hash: nil)
        #expect(plan.nextAction() == .askHashes(Array(1...20)))
        try plan.hashesAnswered(Array(1...20), (1...20).map { "h\($0)" })
        guard case let .fetchAhead(first) = plan.nextAction() else { Issue.record("no fetch ahead"); return }
        #expect(first.map(\.number) == Array(1...8))
        #expect(plan.processed(1, setNewCode: false) == [])
        #expect(plan.nextAction() == .fetchAhead([Block(number: 9, hash: "h9", hashFromHeader: false)]))
        // Block 2 sets new code: 3…9, fetched with the old runtime's keys, are stale; nothing is
        // fetched ahead of block 3, processed with the runtime asked for anew.
        #expect(plan.nextAction() == .process(Block(number: 2, hash: "h2", hashFromHeader: false), prefetched: true, attempt: 0))
        #expect(plan.processed(2, setNewCode: true) == Array(3...9))
        #expect(plan.nextAction() == .process(Block(number: 3, hash: "h3", hashFromHeader: false), prefetched: false, attempt: 0))
        _ = plan.processed(3, setNewCode: false)
        guard case let .fetchAhead(again) = plan.nextAction() else { Issue.record("no fetch ahead after the upgrade"); return }
        #expect(again.map(\.number) == Array(4...11))
    }

    @Test func aDamagedAnswerIsAskedAgainTwiceThenFollowingStops() {
        var plan = CatchUpPlan(lastProcessed: 5, runtimeMayChange: false)
        plan.notified(head: 6, hash: "h6")
        _ = plan.nextAction()  // fetched ahead
        let damaged = RPCError(.malformedAnswer, endpoint: "ws://node", method: "chain_getBlock")
        #expect(plan.failed(6, damaged) == .askAgain(after: .milliseconds(100)))
        #expect(plan.nextAction() == .process(Block(number: 6, hash: "h6", hashFromHeader: true), prefetched: false, attempt: 1))
        #expect(plan.failed(6, NodeAnswerError.nullBlock(6, hash: "h6")) == .askAgain(after: .milliseconds(200)))
        #expect(plan.failed(6, damaged) == .stop)
        // Processed after all: the count starts again for the next block.
        _ = plan.processed(6, setNewCode: false)
        plan.notified(head: 7, hash: "h7")
        #expect(plan.failed(7, ListingDamaged(block: 7, prefix: "0x", key: "0x01")) == .askAgain(after: .milliseconds(100)))
    }

    @Test func failuresThatAreNoDamagedAnswerStopAtOnce() {
        var plan = CatchUpPlan(lastProcessed: 5)
        plan.notified(head: 6, hash: "h6")
        // The transport retries its own failures; a store that fails, or cancellation, stops following.
        #expect(plan.failed(6, RPCError(.transport, endpoint: "ws://node", method: "chain_getBlock")) == .stop)
        #expect(plan.failed(6, CancellationError()) == .stop)
        #expect(plan.failed(6, TokenDecimalsOutOfRange(decimals: 40)) == .stop)
        #expect(plan.failed(6, RPCError(.rpc(code: 4003, message: "UnknownBlock"), endpoint: "ws://node", method: "chain_getBlock")) == .askAgain(after: .milliseconds(100)))
    }

    // MARK: History

    @Test func chunksAreAlignedAndNewestFirst() {
        #expect(HistoryPlan.chunks(from: 1, to: 1_234, size: 500) == [1_000...1_234, 500...999, 1...499])
        #expect(HistoryPlan.chunks(from: 500, to: 999, size: 500) == [500...999])
        #expect(HistoryPlan.chunks(from: 7, to: 7, size: 500) == [7...7])
        #expect(HistoryPlan.chunks(from: 8, to: 7, size: 500) == [])
    }

    @Test func aChunkHeldElsewhereComesBackLastAndIsWaitedFor() {
        var plan = HistoryPlan(from: 1, to: 1_499, chunkSize: 500)
        var seen = [(ClosedRange<UInt64>, Bool)]()
        while let (chunk, wait) = plan.nextChunk() {
            seen.append((chunk, wait))
            if chunk == 500...999, !wait { plan.heldElsewhere(chunk) } else { plan.loaded(chunk) }
        }
        #expect(seen.map(\.0) == [1_000...1_499, 500...999, 1...499, 500...999])
        #expect(seen.map(\.1) == [false, false, false, true])
        #expect(plan.chunksDone == 3 && plan.blocksLeft == 0 && plan.blocksLoaded == 1_499)
        #expect(plan.outcome == nil)
    }

    @Test func progressCountsOnlyWhatTheStoreHas() {
        var plan = HistoryPlan(from: 1_000, to: 2_999, chunkSize: 1_000)
        let first = plan.nextChunk()!.chunk
        plan.foundLoaded(first)
        #expect(plan.progress(first, .alreadyLoaded).blocksLeft == 1_000)
        #expect(plan.blocksLoaded == 0, "found loaded: nothing loaded by this run")
        let second = plan.nextChunk()!.chunk
        plan.failed(second, "the node went away")
        let report = plan.progress(second, .failed("the node went away"))
        #expect(report.chunksDone == 2 && report.chunks == 2 && report.blocksLeft == 0 && report.failures == 1)
        #expect(plan.nextChunk() == nil)
        guard case let .chunksFailed(count, first: message)? = plan.outcome else { Issue.record("no failure"); return }
        #expect(count == 1 && message == "blocks 1000–1999: the node went away")
    }
}
