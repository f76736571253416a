import ChainFixtures
import ExactJSON
import Foundation
@testable import MetricStore
import Testing

/// Rollups answer as the samples do: the plan of pieces and the write bookkeeping without a
/// database, then both stores after overlapping writes, replacements, reloads and gaps, every
/// aggregation and interval form compared with the samples' own answer.
@Suite struct RollupTests {
    typealias Backend = StoreUnderTest.Backend

    static let minute: Int64 = 60_000, hour: Int64 = 3_600_000, day: Int64 = 86_400_000
    /// 2024-01-01T00:00:00Z.
    static let t0: Int64 = 1_704_067_200_000

    static func query(from: Int64, to: Int64, _ interval: QueryInterval, _ aggregation: Aggregation = .avg) -> TimeseriesQuery {
        TimeseriesQuery(metric: "m", chain: "c", from: from, to: to, interval: interval, aggregation: aggregation)
    }

    @Test func aYearOfDaysIsOnePieceAndRaggedEndsGoDownToSamples() throws {
        let year = try #require(RollupReadPlan(Self.query(from: Self.t0, to: Self.t0 + 366 * Self.day, .fixed(milliseconds: Self.day)), seriesCount: 1))
        #expect(year.pieces == [.rollup(.day, from: Self.t0, to: Self.t0 + 366 * Self.day)])
        // From 12:34:56.789 to 08:02:30 a week later, in calendar days.
        let from = Self.t0 + 12 * Self.hour + 34 * Self.minute + 56_789, to = Self.t0 + 7 * Self.day + 8 * Self.hour + 2 * Self.minute + 30_000
        let (firstHour, lastHour) = (Self.t0 + 12 * Self.hour, Self.t0 + 7 * Self.day + 8 * Self.hour)
        let ragged = try #require(RollupReadPlan(Self.query(from: from, to: to, .calendar(.day)), seriesCount: 1))
        #expect(ragged.pieces == [
            .samples(from: from, to: firstHour + 35 * Self.minute),
            .rollup(.fiveMinutes, from: firstHour + 35 * Self.minute, to: firstHour + Self.hour),
            .rollup(.hour, from: firstHour + Self.hour, to: Self.t0 + Self.day),
            .rollup(.day, from: Self.t0 + Self.day, to: Self.t0 + 7 * Self.day),
            .rollup(.hour, from: Self.t0 + 7 * Self.day, to: lastHour),
            .samples(from: lastHour, to: to),
        ])
        // Five-minute buckets read five-minute rows: an hour row would span twelve of them.
        let week = try #require(RollupReadPlan(Self.query(from: Self.t0, to: Self.t0 + 7 * Self.day, .fixed(milliseconds: 5 * Self.minute), .sum), seriesCount: 1))
        #expect(week.pieces == [.rollup(.fiveMinutes, from: Self.t0, to: Self.t0 + 7 * Self.day)])
        // Calendar hours read hours, never days.
        let hours = try #require(RollupReadPlan(Self.query(from: Self.t0, to: Self.t0 + 3 * Self.day, .calendar(.hour)), seriesCount: 1))
        #expect(hours.pieces == [.rollup(.hour, from: Self.t0, to: Self.t0 + 3 * Self.day)])
    }

    /// A year of hours by the hour: each hour row is a point, and the statement adds nothing
    /// up; with ragged ends or several series it does.
    @Test func rowsThatAreTheQuerysBucketsAreNotAddedUp() throws {
        let hourly = Self.query(from: Self.t0, to: Self.t0 + 365 * Self.day, .fixed(milliseconds: Self.hour), .sum)
        let ragged = Self.query(from: Self.t0 + 1234, to: Self.t0 + 365 * Self.day, .calendar(.hour), .sum)
        for dialect in [SQLDialect.sqlite, .postgres] {
            let plan = try #require(RollupReadPlan(hourly, seriesCount: 1))
            #expect(!RollupSQL(plan, query: hourly, series: [1], dialect: dialect).sql.contains("GROUP BY"))
            #expect(RollupSQL(plan, query: hourly, series: [1, 2], dialect: dialect).sql.contains("GROUP BY bucket"))
            let raggedPlan = try #require(RollupReadPlan(ragged, seriesCount: 1))
            #expect(RollupSQL(raggedPlan, query: ragged, series: [1], dialect: dialect).sql.contains("GROUP BY bucket"))
        }
    }

    @Test func queriesThatNeedEverySampleReadSamples() {
        let (from, to) = (Self.t0, Self.t0 + Self.day)
        #expect(RollupReadPlan(Self.query(from: from, to: to, .fixed(milliseconds: 30_000)), seriesCount: 1) == nil)
        #expect(RollupReadPlan(Self.query(from: from, to: to, .fixed(milliseconds: 90_000)), seriesCount: 1) == nil)
        #expect(RollupReadPlan(Self.query(from: from, to: to, .fixed(milliseconds: Self.minute)), seriesCount: 1) == nil)
        #expect(RollupReadPlan(Self.query(from: from, to: to, .calendar(.day), .median), seriesCount: 1) == nil)
        // Several series added up block by block: their sums, firsts and lasts add up; averages,
        // extremes and counts of the sums per block do not.
        for aggregation in Aggregation.allCases {
            let plan = RollupReadPlan(Self.query(from: from, to: to, .calendar(.day), aggregation), seriesCount: 3)
            #expect((plan != nil) == [.sum, .first, .last].contains(aggregation), "\(aggregation)")
        }
    }

    @Test func aReplacedSampleRecomputesItsBucketsAtEveryLevelAndNewOnesMerge() {
        var update = RollupUpdate()
        update.add(series: 1, time: Self.t0 + 10_000, block: 1, value: 5)
        update.add(series: 1, time: Self.t0 + 310_000, block: 2, value: 7)
        update.add(series: 2, time: Self.t0 + 2 * Self.hour, block: 3, value: 1)
        update.change(series: 1, time: Self.t0 + 320_000)
        let steps = update.steps
        #expect(steps.map(\.level) == [.fiveMinutes, .hour, .day])
        // Bucket 1 of series 1 is recomputed (the replaced sample's), bucket 0 merges.
        #expect(steps[0].merges.map(\.key) == [RollupKey(series: 1, bucket: Self.t0), RollupKey(series: 2, bucket: Self.t0 + 2 * Self.hour)])
        #expect(steps[0].recomputes == [RollupKey(series: 1, bucket: Self.t0 + 5 * Self.minute)])
        // Its hour and day are recomputed from the level below: series 1 merges nowhere above five minutes.
        #expect(steps[1].merges.map(\.key) == [RollupKey(series: 2, bucket: Self.t0 + 2 * Self.hour)])
        #expect(steps[1].recomputes == [RollupKey(series: 1, bucket: Self.t0)])
        #expect(steps[2].merges.map(\.key) == [RollupKey(series: 2, bucket: Self.t0)] && steps[2].merges[0].summary == BucketSummary(block: 3, value: 1))
        #expect(steps[2].recomputes == [RollupKey(series: 1, bucket: Self.t0)])
    }

    @Test func summariesMergeInAnyOrder() {
        let samples: [(Int64, Double)] = [(5, 3), (2, -1), (9, 4), (7, 10)]
        var forward = BucketSummary(block: samples[0].0, value: samples[0].1)
        for (block, value) in samples.dropFirst() { forward.merge(BucketSummary(block: block, value: value)) }
        var backward = BucketSummary(block: samples[3].0, value: samples[3].1)
        for (block, value) in samples.dropLast().reversed() { backward.merge(BucketSummary(block: block, value: value)) }
        #expect(forward == backward)
        #expect(forward == BucketSummary(count: 4, total: 16, minimum: -1, maximum: 10, firstBlock: 2, firstValue: -1, lastBlock: 9, lastValue: 4))
        #expect(forward.value(.avg) == 4 && forward.value(.median) == nil)
    }

    // MARK: Both stores

    /// A random walk of block times over about three weeks (six-second blocks, with pauses of
    /// minutes to days), `issuance` on every block and three pools from different blocks on,
    /// written as a follower and a loader would: in batches, some twice with new values, a
    /// chunk reloaded with blocks left out, a batch holding one sample twice.
    static func filled(_ backend: Backend) async throws -> (store: any MetricStore, opened: MetricStoreTests.Opened, times: [Int64]) {
        let opened = try await MetricStoreTests.open(backend)
        let store = try opened.store()
        try await store.migrate()
        var random = SeededRandom(seed: 20)
        var times = [Int64]()
        var time = t0 + 43_210
        for _ in 0..<4000 {
            let pause = random.next(100)
            time += pause < 3 ? Int64(random.next(2 * 86_400)) * 1000 : pause < 10 ? Int64(random.next(3600)) * 1000 : 6000
            times.append(time)
        }
        func samples(_ blocks: Range<Int>, seed: UInt64) -> [StoredSample] {
            var values = SeededRandom(seed: seed)
            var samples = [StoredSample]()
            for block in blocks {
                let value = Double(values.next(1_000_000)) / 7 - 50_000
                samples.append(StoredSample(metric: "issuance", chain: "polkadot", labels: [:], block: UInt64(block), timeMilliseconds: times[block],
                                            value: value, exact: String(value)))
                for pool in 1...3 where block >= pool * 700 && (block + pool) % 11 != 0 {
                    let balance = Double(values.next(5000)) + Double(pool) / 4
                    samples.append(StoredSample(metric: "pool_balance", chain: "polkadot", labels: ["pool": "\(pool)"], block: UInt64(block),
                                                timeMilliseconds: times[block], value: balance, exact: String(balance)))
                }
            }
            return samples
        }
        for start in stride(from: 0, to: 3000, by: 250) { try await store.write(samples(start..<start + 250, seed: UInt64(start))) }
        // Written again with other values (a restart's overlap), some blocks twice in one batch.
        try await store.write(samples(900..<1100, seed: 7) + samples(1050..<1060, seed: 8))
        // A reload of blocks 1500–2499 at a new version: every fifth block is left out, and
        // blocks past the chunk come in the same write.
        let reloaded = samples(1500..<2600, seed: 9).filter { $0.block % 5 != 0 || $0.block >= 2500 }
        let ranges = ["issuance", "pool_balance"].map { LoadedRange(chain: "polkadot", metric: $0, version: "2", firstBlock: 1500, lastBlock: 2499) }
        try await store.writeChunk(reloaded, loading: ranges)
        for start in stride(from: 3000, to: 4000, by: 1) where start % 100 == 0 {
            try await store.write(samples(start..<start + 100, seed: UInt64(start)))
        }
        return (store, opened, times)
    }

    @Test(arguments: Backend.allCases) func rollupsAnswerAsTheSamplesDoForEveryAggregationAndInterval(_ backend: Backend) async throws {
        let (store, opened, times) = try await Self.filled(backend)
        var random = SeededRandom(seed: 5)
        let intervals: [QueryInterval] = [
            .fixed(milliseconds: Self.minute), .fixed(milliseconds: 5 * Self.minute), .fixed(milliseconds: Self.hour), .fixed(milliseconds: 6 * Self.hour),
            .fixed(milliseconds: Self.day), .fixed(milliseconds: 7 * Self.day), .whole,
        ] + QueryInterval.CalendarUnit.allCases.map { .calendar($0) }
        let selectors: [(String, [String: String])] = [("issuance", [:]), ("pool_balance", [:]), ("pool_balance", ["pool": "2"])]
        var compared = 0, fromRollups = 0
        for round in 0..<180 {
            let (metric, labels) = selectors[round % selectors.count]
            let interval = intervals[random.next(UInt64(intervals.count))]
            let aggregation = Aggregation.allCases[random.next(UInt64(Aggregation.allCases.count))]
            // Aligned ends now and then; otherwise anywhere between the first and last block.
            var from = times[random.next(3800)] - Int64(random.next(3_600_000))
            var to = from + Int64(random.next(20 * 86_400)) * 1000 + 1
            if round % 4 == 0 { (from, to) = (RollupLevel.day.start(of: from), RollupLevel.day.start(of: to) + Self.day) }
            let query = TimeseriesQuery(metric: metric, chain: "polkadot", labels: labels, from: from, to: to, interval: interval, aggregation: aggregation)
            let fast = try await store.timeseries(query, source: .fastest)
            let slow = try await store.timeseries(query, source: .samples)
            #expect(fast.map(\.time) == slow.map(\.time), "\(query)")
            for (a, b) in zip(fast, slow) {
                #expect(abs(a.value - b.value) <= 1e-9 * max(1, abs(b.value)), "\(query) at \(QueryTime.iso8601(a.time)): \(a.value) against \(b.value)")
            }
            compared += slow.count
            if RollupReadPlan(query, seriesCount: labels.isEmpty && metric == "pool_balance" ? 3 : 1) != nil { fromRollups += 1 }
        }
        #expect(compared > 2000 && fromRollups > 100, "\(compared) points, \(fromRollups) queries through rollups")

        // The rows are what the samples make them (the counts add up at every level)…
        let sampleCount = try await opened.referee("SELECT count(*) FROM samples")
        for table in ["sample_five_minutes", "sample_hours", "sample_days"] {
            #expect(try await opened.referee("SELECT sum(count) FROM \(table)") == sampleCount, "\(table)")
        }
        // …and the answers come from them: a day row altered shows in the answer.
        let day = QueryTime.iso8601(RollupLevel.day.start(of: times[100]))
        let query = TimeseriesQuery(metric: "issuance", chain: "polkadot", from: RollupLevel.day.start(of: times[100]), to: RollupLevel.day.start(of: times[100]) + Self.day,
                                    interval: .calendar(.day), aggregation: .count)
        let before = try await store.timeseries(query)
        _ = try await opened.referee("UPDATE sample_days SET count = count + 1000 WHERE bucket = \(RollupLevel.day.start(of: times[100]))")
        let after = try await store.timeseries(query)
        let samples = try await store.timeseries(query, source: .samples)
        #expect(after.map(\.value) == before.map { $0.value + 1000 } && samples == before, "\(day)")
        try await store.close()
    }

    /// Each series' value over a range (what the histogram ranks) is what its samples give
    /// alone, from rollups or, for `median`, from the samples.
    @Test(arguments: Backend.allCases) func eachSeriesValueIsWhatItsSamplesGive(_ backend: Backend) async throws {
        let (store, _, times) = try await Self.filled(backend)
        for aggregation in Aggregation.allCases {
            for (from, to) in [(times[0], times[3999] + 1), (times[800] + 1234, times[2600])] {
                let query = TimeseriesQuery(metric: "pool_balance", chain: "polkadot", from: from, to: to, interval: .fixed(milliseconds: Self.hour), aggregation: aggregation)
                let values = try await store.seriesValues(query)
                #expect(values.map { $0.labels["pool"] } == ["1", "2", "3"], "\(aggregation)")
                for value in values {
                    var alone = query
                    (alone.labels, alone.interval) = (value.labels, .whole)
                    let expected = try #require(try await store.timeseries(alone, source: .samples).first?.value)
                    #expect(abs(value.value - expected) <= 1e-9 * max(1, abs(expected)), "\(aggregation) \(value.labels): \(value.value) against \(expected)")
                }
            }
        }
        let one = try await store.seriesValues(TimeseriesQuery(metric: "pool_balance", chain: "polkadot", labels: ["pool": "2"], from: times[0], to: times[3999] + 1, interval: .whole, aggregation: .sum))
        #expect(one.map(\.labels) == [["pool": "2"]])
        try await store.close()
    }

    /// A store made before rollups (schema 4), or with minute rollups (schema 5, its rows
    /// wrong on purpose), with a long series in two series: when it migrates, its rollups are
    /// built again from its samples, five-minute ones instead of minutes, and it answers from
    /// them as from its samples.
    @Test(arguments: [(Backend.sqlite, 4), (.postgres, 4), (.sqlite, 5), (.postgres, 5)])
    func anOlderStoreGainsItsRollupsFromItsSamples(_ backend: Backend, version: Int) async throws {
        let opened = try await MetricStoreTests.open(backend)
        let dialect: SQLDialect = backend == .sqlite ? .sqlite : .postgres
        var previous = [StoreSchema.migrationsTable, StoreSchema.series, StoreSchema.samples, StoreSchema.metricMetadata, StoreSchema.backfillRanges,
                        StoreSchema.backfillChunks, StoreSchema.metricFailures]
        if version == 5 { previous += ["sample_minutes", "sample_hours", "sample_days"].map(StoreSchema.rollup) + [StoreSchema.rollupBacklog] }
        for statement in previous.flatMap({ dialect.create($0, ifMissing: false) }) { _ = try await opened.referee(statement) }
        let now = backend == .sqlite ? "'2026-01-01T00:00:00Z'" : "now()"
        let time = { (block: Int) in backend == .sqlite ? "\(Self.t0 + Int64(block) * 6000)" : "to_timestamp(\(Self.t0 / 1000 + Int64(block) * 6))" }
        _ = try await opened.referee("INSERT INTO series (metric, chain, labels) VALUES ('issuance', 'polkadot', '{}'), ('fees', 'polkadot', '{}')")
        // Three days of six-second blocks, in statements of 1,200 rows.
        for first in stride(from: 0, to: 43_200, by: 1200) {
            let rows = (first..<first + 1200).map { block in
                "(\(block % 2 + 1), \(time(block)), \(block), \(Double(block % 977) / 4), '\(Double(block % 977) / 4)')"
            }
            _ = try await opened.referee("INSERT INTO samples (series_id, time, block, value, exact) VALUES \(rows.joined(separator: ", "))")
        }
        let versions = (1...version).map { "(\($0), \(now))" }.joined(separator: ", ")
        _ = try await opened.referee("INSERT INTO schema_migrations (version, applied_at) VALUES \(versions)")
        if version == 5 {
            // Rows that no sample makes: a rebuild from the samples leaves none of them.
            for table in ["sample_minutes", "sample_hours", "sample_days"] {
                _ = try await opened.referee("""
                    INSERT INTO \(table) (series_id, bucket, count, total, minimum, maximum, first_block, first_value, last_block, last_value)
                    VALUES (1, \(Self.t0), 999, 1, 1, 1, 1, 1, 1, 1)
                    """)
            }
        }

        let store = try opened.store()
        try await store.migrate()
        #expect(try await opened.referee("SELECT count(*) FROM rollup_backlog") == [["0"]])
        for table in ["sample_five_minutes", "sample_hours", "sample_days"] {
            let counts = try await opened.referee("SELECT series_id, sum(count) FROM \(table) GROUP BY series_id ORDER BY series_id")
            #expect(counts == [["1", "21600"], ["2", "21600"]], "\(table)")
        }
        for aggregation in Aggregation.allCases where aggregation != .median {
            for interval in [QueryInterval.calendar(.day), .fixed(milliseconds: Self.hour), .fixed(milliseconds: 5 * Self.minute)] {
                let query = TimeseriesQuery(metric: "issuance", chain: "polkadot", from: Self.t0 + 1234, to: Self.t0 + 3 * Self.day, interval: interval, aggregation: aggregation)
                let fast = try await store.timeseries(query), slow = try await store.timeseries(query, source: .samples)
                #expect(fast.map(\.time) == slow.map(\.time) && zip(fast, slow).allSatisfy { abs($0.value - $1.value) <= 1e-9 * max(1, abs($1.value)) }, "\(query)")
            }
        }
        try await store.close()
    }
}

/// A small deterministic generator (SplitMix64), so that a failure can be replayed.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next(_ bound: UInt64) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % bound)
    }
}
