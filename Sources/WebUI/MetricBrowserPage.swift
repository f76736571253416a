import Foundation
import MetricStore

/// `/browse?q=&chain=`: the stored definitions, searched by name and help text, each with a
/// chart link per chain that has samples of it.
struct MetricBrowserPage {
    let metrics: [MetricQueries.Metric]
    let chainsByMetric: [String: Set<String>]
    let search: String
    let chain: String?
    let links: PageLinks

    func html() -> String {
        let words = search.lowercased().split(separator: " ").map(String.init)
        let matching = metrics.filter { metric in
            let text = (metric.name + " " + metric.help).lowercased()
            return words.allSatisfy(text.contains) && (chain.map { chainsByMetric[metric.name]?.contains($0) == true } ?? true)
        }.sorted { $0.name < $1.name }
        let allChains = chainsByMetric.values.reduce(into: Set<String>()) { $0.formUnion($1) }.sorted()
        let chainOptions = (["<option value=\"\">every chain</option>"] + allChains.map {
            "<option\($0 == chain ? " selected" : "")>\(HTML.escape($0))</option>"
        }).joined()
        let rows = matching.map(row).joined(separator: "\n")
        let body = """
            <h1>Metrics</h1>
            <form method="get" action="/browse" role="search">
            <label>Search<input type="search" name="q" value="\(HTML.escape(search))" placeholder="issuance, xcm, pool…"></label>
            <label>Chain<select name="chain">\(chainOptions)</select></label>
            <button type="submit">Search</button></form>
            <p class="muted" data-field="matches">\(matching.count) of \(metrics.count) metrics</p>
            <div class="scroll"><table><tr><th>Metric</th><th>Type</th><th>Labels</th><th>Charts</th></tr>
            \(rows)</table></div>
            """
        return HTML.page(title: "Metrics", section: .metrics, links: links, body: body)
    }

    private func row(_ metric: MetricQueries.Metric) -> String {
        let chains = (chainsByMetric[metric.name] ?? []).sorted()
        let charts = chains.isEmpty
            ? "<span class=\"muted\">no samples yet</span>"
            : chains.map { "<a href=\"\(HTML.escape(HTML.link("/chart", [("metric", metric.name), ("chain", $0)])))\">\(HTML.escape($0))</a>" }.joined(separator: " ")
        let access = metric.minPlan > .free ? ", plan \(metric.minPlan.apiName) and above" : metric.isRestricted ? ", restricted" : ""
        let type = metric.kind + (metric.unit.map { ", \($0)" } ?? "") + access + (metric.hasIncompleteData ? ", newest point incomplete" : "")
        let docs = metric.docs.map { " <a href=\"\(HTML.escape($0))\">docs</a>" }.joined()
        return "<tr data-metric=\"\(HTML.escape(metric.name))\"><td><strong>\(HTML.escape(metric.humanReadableName))</strong>\(docs)<br><code>\(HTML.escape(metric.name))</code>"
            + "<br><span class=\"muted\">\(HTML.escape(metric.help))</span></td>"
            + "<td>\(HTML.escape(type))</td><td>\(HTML.escape(metric.labels.joined(separator: ", ")))</td><td>\(charts)</td></tr>"
    }
}
