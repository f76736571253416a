/// The bucket widths each series is summarised at (`BucketSummary`), finest first. Five
/// minutes answer intervals of whole five minutes (a week of them is 2,016 rows, not 100,800
/// samples); hours and days answer long ranges (a year of days is 365 rows). Each level is
/// recomputed from the one below it, the finest from the samples. Finer intervals read
/// samples: a day of one-minute buckets is 14,400 of them at six-second blocks. Five minutes
/// rather than one: a write of a few blocks touches half as many rows of the finest level.
enum RollupLevel: Int, CaseIterable, Sendable, Comparable {
    case fiveMinutes, hour, day

    static let finest = RollupLevel.fiveMinutes

    var milliseconds: Int64 {
        switch self {
        case .fiveMinutes: 300_000
        case .hour: 3_600_000
        case .day: 86_400_000
        }
    }

    var table: String {
        switch self {
        case .fiveMinutes: "sample_five_minutes"
        case .hour: "sample_hours"
        case .day: "sample_days"
        }
    }

    /// The level this one is recomputed from; nil: the samples.
    var finer: RollupLevel? { RollupLevel(rawValue: rawValue - 1) }
    var coarser: RollupLevel? { RollupLevel(rawValue: rawValue + 1) }

    /// The start of the bucket that holds `time` (Unix milliseconds, UTC days).
    func start(of time: Int64) -> Int64 {
        time.flooredToMultiple(of: milliseconds)
    }

    static func < (a: RollupLevel, b: RollupLevel) -> Bool { a.rawValue < b.rawValue }
}

extension Int64 {
    /// The largest multiple of `width` not above this (times before 1970 round down too).
    func flooredToMultiple(of width: Int64) -> Int64 {
        self >= 0 ? self / width * width : -((-self + width - 1) / width) * width
    }
}
