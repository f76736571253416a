/// What one write does to the rollups, worked out before any of them is touched. A sample
/// that was not there before (the usual case: following, a first load) is merged into each
/// level's bucket as it stands. A sample that replaced another, or was removed (a reload),
/// makes its buckets wrong in ways a merge cannot undo (its old value may be the minimum):
/// those are recomputed from the level below, finest first, once the samples are written.
struct RollupUpdate: Sendable {
    private var added = BucketSummaries()
    private var changed = Set<RollupKey>()

    /// A sample written where its series had none at that block.
    mutating func add(series: Int64, time: Int64, block: Int64, value: Double) {
        added.add(BucketSummary(block: block, value: value), at: RollupKey(series: series, bucket: RollupLevel.finest.start(of: time)))
    }

    /// A sample replaced or removed.
    mutating func change(series: Int64, time: Int64) {
        changed.insert(RollupKey(series: series, bucket: RollupLevel.finest.start(of: time)))
    }

    var isEmpty: Bool { added.isEmpty && changed.isEmpty }

    struct Step: Sendable {
        let level: RollupLevel
        /// Summaries of new samples, to merge into the level's rows (or to become them).
        let merges: [(key: RollupKey, summary: BucketSummary)]
        /// Buckets to recompute from the level below, after the merges.
        let recomputes: [RollupKey]
    }

    /// Per level, finest first: a changed bucket makes its hour and day changed too, and a
    /// bucket recomputed takes no merge (the recomputation reads the new samples).
    var steps: [Step] {
        var steps = [Step]()
        var summaries = added
        var recomputed = changed
        for level in RollupLevel.allCases {
            if level != .finest {
                summaries = summaries.rolledUp(to: level)
                recomputed = Set(recomputed.map { RollupKey(series: $0.series, bucket: level.start(of: $0.bucket)) })
            }
            let merges = summaries.sorted.filter { !recomputed.contains($0.key) }
            steps.append(Step(level: level, merges: merges, recomputes: recomputed.sorted()))
        }
        return steps
    }
}
