import MetricStore

/// `/chart?metric=&chain=&from=&to=&interval=&aggregation=&LABEL=VALUE`: one metric of one chain
/// over a range, bucketed and aggregated by the query API's own path (`MetricQueries`), drawn
/// as SVG with the points in a table below. The arguments mean what they mean in the REST API.
struct ChartPage {
    struct Form {
        var metric: String?
        var chain: String?
        var from = "utc_now-1d"
        var to = "utc_now"
        var interval = ""
        var aggregation = ""
        var labels: [String: String] = [:]
    }

    /// What was drawn, or why not.
    enum Outcome {
        case chart(TimeseriesQuery, [TimeseriesPoint])
        case refused(String)
        case nothingAsked
    }

    let form: Form
    let metrics: [MetricQueries.Metric]
    let chains: [String]
    let outcome: Outcome
    let links: PageLinks

    func html() -> String {
        let metric = metrics.first { $0.name == form.metric }
        var body = "<h1>\(metric.map { HTML.escape($0.name) } ?? "Chart")</h1>"
        if let metric { body += "<p class=\"muted\">\(HTML.escape(metric.help))</p>" }
        body += formHTML(metric)
        switch outcome {
        case .nothingAsked:
            body += "<p>Pick a metric and a chain, or find one in the <a href=\"/browse\">metric browser</a>.</p>"
        case let .refused(reason):
            body += "<p class=\"error\" role=\"alert\">\(HTML.escape(reason))</p>"
        case let .chart(query, points):
            body += chart(query, points, unit: metric?.unit)
        }
        return HTML.page(title: form.metric ?? "Chart", section: .chart, links: links, body: body)
    }

    private func formHTML(_ metric: MetricQueries.Metric?) -> String {
        let metricOptions = metrics.sorted { $0.name < $1.name }.map {
            "<option\($0.name == form.metric ? " selected" : "")>\(HTML.escape($0.name))</option>"
        }.joined()
        let chainOptions = chains.map { "<option\($0 == form.chain ? " selected" : "")>\(HTML.escape($0))</option>" }.joined()
        let aggregations = (["<option value=\"\">metric's default</option>"] + Aggregation.allCases.map {
            "<option value=\"\($0.rawValue)\"\($0.rawValue == form.aggregation.lowercased() ? " selected" : "")>\($0.rawValue)</option>"
        }).joined()
        let labels = (metric?.labels ?? []).map { label in
            "<label>\(HTML.escape(label))<input name=\"\(HTML.escape(label))\" value=\"\(HTML.escape(form.labels[label] ?? ""))\" placeholder=\"all\" size=\"10\"></label>"
        }.joined()
        return """
            <form method="get" action="/chart">
            <label>Metric<select name="metric">\(metricOptions)</select></label>
            <label>Chain<select name="chain">\(chainOptions)</select></label>
            <label>From<input name="from" value="\(HTML.escape(form.from))" size="16"></label>
            <label>To<input name="to" value="\(HTML.escape(form.to))" size="16"></label>
            <label>Interval<input name="interval" value="\(HTML.escape(form.interval))" placeholder="auto, 5m, toStartOfDay" size="12"></label>
            <label>Aggregation<select name="aggregation">\(aggregations)</select></label>
            \(labels)<button type="submit">Draw</button></form>
            """
    }

    private func chart(_ query: TimeseriesQuery, _ points: [TimeseriesPoint], unit: String?) -> String {
        let selector = query.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        let summary = "\(points.count) point\(points.count == 1 ? "" : "s") · \(HTML.escape(query.chain))"
            + (selector.isEmpty ? "" : " · \(HTML.escape(selector))")
            + " · \(query.aggregation.rawValue) per \(query.interval.description) · \(QueryTime.iso8601(query.from)) to \(QueryTime.iso8601(query.to))"
        let api = HTML.link("/api/v1/metrics/\(HTML.queryComponent(query.metric))/timeseries", [
            ("chain", query.chain), ("from", QueryTime.iso8601(query.from)), ("to", QueryTime.iso8601(query.to)),
            ("interval", query.interval.description), ("aggregation", query.aggregation.rawValue),
        ] + query.labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        let rows = points.map { "<tr><td>\(QueryTime.iso8601($0.time))</td><td class=\"number\">\(SVGChart.exact($0.value))</td></tr>" }.joined()
        let picture = points.isEmpty
            ? "<p class=\"muted\" data-points=\"0\">No samples in this range.</p>"
            : SVGChart(points: points, from: query.from, to: query.to, unit: unit).svg()
        return """
            <p class="muted" data-field="summary">\(summary)</p>
            <figure style="margin:0">\(picture)</figure>
            <p><a href="\(HTML.escape(api))">These points as JSON</a></p>
            <details><summary>Points</summary><div class="scroll"><table><tr><th>Bucket start (UTC)</th><th class="number">Value</th></tr>\(rows)</table></div></details>
            """
    }
}
