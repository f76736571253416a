import Exporter
import ExporterServices
import MetricStore
import Testing
import WebUI

/// The landing page's charts without a store: blocks' samples kept per 5-minute bucket for the
/// last hours, a gauge's last value and a counter's increments added up, per chain.
@Suite struct RecentBucketsTests {
    static let start: Int64 = 1_800_000_000_000 - 1_800_000_000_000 % Headlines.bucket

    static func sample(_ metric: String, _ value: UInt128, labels: [Sample.Label] = []) -> Sample {
        Sample(metric: metric, labels: labels, value: SampleValue(value))
    }

    static func points(_ charts: [Headlines.Chart], _ metric: String) -> [[Int64]] {
        charts.first { $0.measure.metric == metric }?.points.map { [($0.time - start) / Headlines.bucket, Int64($0.value)] } ?? []
    }

    @Test func gaugesKeepTheLastValueAndCountersAddUpPerBucket() {
        var buckets = RecentBuckets()
        let transfer = [Sample.Label("event", "Transfer"), Sample.Label("pallet", "Balances")]
        buckets.record(chain: "polkadot", time: Self.start + 1_000, samples: [
            Self.sample("balances_total_issuance_tokens", 10),
            Self.sample("extrinsics_total", 1, labels: [.init("call", "set"), .init("pallet", "Timestamp")]),
            Self.sample("extrinsics_total", 2, labels: [.init("call", "transfer"), .init("pallet", "Balances")]),
            Self.sample("events_total", 1, labels: transfer),
            Self.sample("events_total", 5, labels: [.init("event", "Deposit"), .init("pallet", "Balances")]),
        ])
        buckets.record(chain: "polkadot", time: Self.start + 60_000, samples: [
            Self.sample("balances_total_issuance_tokens", 11), Self.sample("extrinsics_total", 1, labels: [.init("call", "set"), .init("pallet", "Timestamp")]),
        ])
        // The next bucket: a block without calls or transfers counts 0 for them.
        buckets.record(chain: "polkadot", time: Self.start + Headlines.bucket + 1, samples: [Self.sample("balances_total_issuance_tokens", 12)])
        buckets.record(chain: "kusama", time: Self.start, samples: [Self.sample("balances_total_issuance_tokens", 99)])

        let charts = buckets.charts(chain: "polkadot")
        // Only what the chain showed, in the page's order: no fees, staking or XCM charts.
        #expect(charts.map(\.measure.title) == ["Total issuance", "Transfers", "Calls"])
        #expect(Self.points(charts, "balances_total_issuance_tokens") == [[0, 11], [1, 12]])
        #expect(Self.points(charts, "events_total") == [[0, 1], [1, 0]])
        #expect(Self.points(charts, "extrinsics_total") == [[0, 4], [1, 0]])
        #expect(Self.points(buckets.charts(chain: "kusama"), "balances_total_issuance_tokens") == [[0, 99]])
        #expect(buckets.charts(chain: "westend").isEmpty)
    }

    @Test func bucketsOlderThanTheWindowAreDropped() {
        var buckets = RecentBuckets()
        for bucket in 0...(Headlines.window / Headlines.bucket + 2) {
            buckets.record(chain: "polkadot", time: Self.start + bucket * Headlines.bucket, samples: [Self.sample("balances_total_issuance_tokens", UInt128(bucket))])
        }
        let points = Self.points(buckets.charts(chain: "polkadot"), "balances_total_issuance_tokens")
        // 6 hours of 5-minute buckets end at the latest: 72 of them, the oldest three gone.
        #expect(points.count == 72)
        #expect(points.first == [3, 3] && points.last == [74, 74])
        // A block of an earlier bucket arriving late still lands, within the window.
        buckets.record(chain: "polkadot", time: Self.start + 3 * Headlines.bucket, samples: [Self.sample("balances_total_issuance_tokens", 1000)])
        #expect(Self.points(buckets.charts(chain: "polkadot"), "balances_total_issuance_tokens").first == [3, 1000])
    }
}
