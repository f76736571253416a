@testable import Exporter
import Testing

/// When scheduled reads fall due, and how a follower queues, retries and gives them up, as
/// plain state: fed blocks and outcomes, checked for the reads it starts.
@Suite struct ScheduledReadsTests {
    typealias Moment = ScheduleClock.Moment
    static let hour: UInt64 = 3_600_000

    static func moment(_ block: UInt64, _ time: UInt64? = nil, era: UInt32? = nil) -> Moment {
        Moment(block: block, timestampMilliseconds: time, era: era)
    }

    @Test func periodsStartAtTheChainsOwnBoundaries() {
        // Every tenth block: by number, with or without a parent.
        #expect(ScheduleClock.isDue(.everyBlocks(10), parent: nil, now: Self.moment(20)))
        #expect(!ScheduleClock.isDue(.everyBlocks(10), parent: Self.moment(20), now: Self.moment(21)))
        #expect(ScheduleClock.isDue(.everyBlocks(1), parent: nil, now: Self.moment(21)))
        // The first block of an hour: its parent's timestamp is in the hour before.
        let late = 5 * Self.hour - 2_000
        #expect(ScheduleClock.isDue(.schedule(.hourly), parent: Self.moment(99, late), now: Self.moment(100, late + 6_000)))
        #expect(!ScheduleClock.isDue(.schedule(.hourly), parent: Self.moment(100, late + 6_000), now: Self.moment(101, late + 12_000)))
        #expect(!ScheduleClock.isDue(.schedule(.daily), parent: Self.moment(99, late), now: Self.moment(100, late + 6_000)))
        #expect(ScheduleClock.isDue(.schedule(.daily), parent: Self.moment(99, 24 * Self.hour - 1), now: Self.moment(100, 24 * Self.hour)))
        // Without the parent (the first block followed), or with another block than the parent: not known to start one.
        #expect(!ScheduleClock.isDue(.schedule(.hourly), parent: nil, now: Self.moment(100, late + 6_000)))
        #expect(!ScheduleClock.isDue(.schedule(.hourly), parent: Self.moment(98, late), now: Self.moment(100, late + 6_000)))
        // A chain without timestamps: six-second blocks assumed.
        #expect(ScheduleClock.isDue(.schedule(.hourly), parent: nil, now: Self.moment(1_200)))
        #expect(!ScheduleClock.isDue(.schedule(.hourly), parent: nil, now: Self.moment(1_201)))
        // Eras: where the active era changes; without `Staking.ActiveEra`, days.
        #expect(ScheduleClock.isDue(.schedule(.era), parent: Self.moment(9, 1, era: 3), now: Self.moment(10, 2, era: 4)))
        #expect(!ScheduleClock.isDue(.schedule(.era), parent: Self.moment(10, 2, era: 4), now: Self.moment(11, 3, era: 4)))
        #expect(!ScheduleClock.isDue(.schedule(.era), parent: nil, now: Self.moment(10, 2, era: 4)))
        #expect(ScheduleClock.isDue(.schedule(.era), parent: Self.moment(99, 24 * Self.hour - 1), now: Self.moment(100, 24 * Self.hour)))
    }

    typealias Reads = ScheduledReads<UInt64>
    static let tasks: [(name: String, sampling: MetricDefinition.Sampling)] = [("ledger", .everyBlocks(10)), ("bags", .everyBlocks(25))]

    /// Feeds block `number` (its read is its own number); the reads started, as `task@block`,
    /// stored ones marked with `*`.
    static func feed(_ reads: inout Reads, _ number: UInt64) -> [String] {
        reads.block(Self.moment(number), tasks: tasks, read: number).start.map { "\($0.task)@\($0.read)\($0.stored ? "*" : "")" }
    }

    @Test func theFirstReadIsForTheLiveValuesAndDueReadsAreStored() {
        var reads = Reads()
        let first = Self.feed(&reads, 7), second = Self.feed(&reads, 8)
        #expect(first == ["bags@7", "ledger@7"])
        #expect(second == [], "one read of a task at a time")
        for task in ["bags", "ledger"] {
            let givenUp = reads.finished(Reads.Pending(task: task, block: 7, read: 7, stored: false), nodeFailed: false, at: 8)
            #expect(!givenUp)
        }
        let third = Self.feed(&reads, 9), due = Self.feed(&reads, 10)
        #expect(third == [], "the first read is not taken again")
        #expect(due == ["ledger@10*"])
    }

    @Test func aReadDueWhileAnotherRunsWaitsItsTurnOfItsOwnBlock() {
        var reads = Reads()
        _ = Self.feed(&reads, 10)
        #expect(reads.pending("ledger") == 1)
        for block in UInt64(11)...20 { _ = Self.feed(&reads, block) }
        #expect(reads.pending("ledger") == 2, "the read due at 20 waits for the one of block 10")
        _ = reads.finished(Reads.Pending(task: "ledger", block: 10, read: 10, stored: true), nodeFailed: false, at: 21)
        let started = Self.feed(&reads, 21)
        #expect(started == ["ledger@20*"], "block 20's state, stored at block 20")
    }

    @Test func aReadTheNodeFailedIsTriedAgainOfTheSameBlockThenGivenUp() {
        var reads = Reads()
        _ = Self.feed(&reads, 10)
        let read = Reads.Pending(task: "ledger", block: 10, read: 10, stored: true)
        let failed = reads.finished(read, nodeFailed: true, at: 12)
        #expect(!failed)
        for block in UInt64(11)...21 {
            let started = Self.feed(&reads, block)
            #expect(!started.contains { $0.hasPrefix("ledger") }, "not before ten blocks")
        }
        let again = Self.feed(&reads, 22)
        #expect(again == ["ledger@10*"], "block 10's state again, before block 20's")
        var retried = read
        for attempt in 1..<Reads.attempts {
            retried.attempts = attempt
            let givenUp = reads.finished(retried, nodeFailed: true, at: 22)
            #expect(givenUp == (attempt == Reads.attempts - 1))
            if !givenUp {
                let next = reads.block(Self.moment(1_000 + UInt64(attempt) * 100), tasks: [], read: 0).start.map(\.block)
                #expect(next == [10])
            }
        }
        #expect(reads.pending("ledger") == 1, "block 20's read still waits")
    }

    @Test func tooManyWaitingReadsGiveUpTheOldest() {
        var reads = Reads()
        var givenUp = [UInt64]()
        for block in UInt64(10)...UInt64(10 + 10 * Reads.waitingLimit + 10) {
            givenUp += reads.block(Self.moment(block), tasks: [("ledger", .everyBlocks(10))], read: block).givenUp.map(\.block)
        }
        #expect(givenUp == [20], "the read of block 10 runs; those of 20 on wait, the oldest given up past the limit")
        #expect(reads.pending("ledger") == Reads.waitingLimit + 1)
    }
}
