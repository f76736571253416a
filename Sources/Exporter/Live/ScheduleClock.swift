/// When scheduled work is due: at the first block of each period its sampling names. Every
/// Nth block is a block number divisible by N; an hour or a day starts at the first block whose
/// timestamp is in a new UTC hour or day; an era at the first block whose active era differs
/// from its parent's. The periods are the chain's, not the reader's: following and history
/// loading read at the same blocks, whenever either started.
struct ScheduleClock {
    struct Moment: Sendable, Equatable {
        let block: UInt64
        let timestampMilliseconds: UInt64?
        let era: UInt32?
    }

    /// Whether `now` starts a period of `sampling`; `parent` is the block before it, when known.
    /// Without a parent (the first block followed) only block-numbered periods can start;
    /// without timestamps (a chain without `Timestamp`) hours and days fall back to 600 and
    /// 14,400 blocks (six-second blocks), and eras without `Staking.ActiveEra` to days.
    static func isDue(_ sampling: MetricDefinition.Sampling, parent: Moment?, now: Moment) -> Bool {
        let parent = parent.flatMap { $0.block + 1 == now.block ? $0 : nil }
        func startsPeriod(_ milliseconds: UInt64, blocksWithoutTime: UInt64) -> Bool {
            guard let time = now.timestampMilliseconds else { return now.block % blocksWithoutTime == 0 }
            guard let then = parent?.timestampMilliseconds else { return false }
            return time / milliseconds != then / milliseconds
        }
        switch sampling {
        case let .everyBlocks(blocks):
            return blocks <= 1 || now.block % UInt64(blocks) == 0
        case .schedule(.hourly):
            return startsPeriod(3_600_000, blocksWithoutTime: 600)
        case .schedule(.daily):
            return startsPeriod(86_400_000, blocksWithoutTime: 14_400)
        case .schedule(.era):
            guard let era = now.era else { return startsPeriod(86_400_000, blocksWithoutTime: 14_400) }
            guard let then = parent?.era else { return false }
            return era != then
        }
    }
}
