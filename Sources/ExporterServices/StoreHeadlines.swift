import Foundation
public import MetricStore
public import WebUI

/// The landing page's headline charts read from the history store: each measurement over the
/// window in 5-minute buckets (a counter's sum, a gauge's last value), the current bucket
/// included. A measurement the chain has no samples of is left out.
public struct StoreHeadlines: Sendable {
    let queries: MetricQueries
    let measures: [Headlines.Measure]

    public init(queries: MetricQueries, measures: [Headlines.Measure] = Headlines.measures) {
        self.queries = queries
        self.measures = measures
    }

    public func charts(chain: String, nowMilliseconds: Int64) async -> [Headlines.Chart] {
        let to = nowMilliseconds - nowMilliseconds % Headlines.bucket + Headlines.bucket
        let from = to - Headlines.window
        var charts = [Headlines.Chart]()
        for measure in measures {
            // A metric or chain the store lacks, or a store that fails, leaves its chart out: the
            // page still shows the chain's status.
            guard let query = try? await queries.plan(
                metric: measure.metric, chain: chain, labels: measure.labels, from: QueryTime.iso8601(from), to: QueryTime.iso8601(to),
                interval: "5m", aggregation: measure.counts ? "sum" : "last", nowMilliseconds: nowMilliseconds),
                let points = try? await queries.timeseries(query, includeIncompleteData: true, nowMilliseconds: nowMilliseconds),
                !points.isEmpty
            else { continue }
            charts.append(Headlines.Chart(measure: measure, points: points))
        }
        return charts
    }
}
