import Foundation
import MetricStore

/// `/`: one card per chain — small charts of its headline measurements over the last hours,
/// where following stands (best head, followed head, last block processed, lag), its runtime,
/// each endpoint's health and the history load's progress. Plain HTML that refreshes itself
/// every 5 s.
struct StatusPage {
    let chains: [ChainStatus]
    let links: PageLinks
    /// Each chain's headline charts, by chain name, and where they were read.
    var charts: [String: [Headlines.Chart]] = [:]
    var source = Headlines.Source.memory
    /// Unix milliseconds: the charts end here.
    var now: Int64 = 0

    func html() -> String {
        let cards = chains.map(card).joined(separator: "\n")
        let body = """
            <h1>Chains</h1>
            <div class="cards">\(cards.isEmpty ? "<p class=\"muted\">No chains configured.</p>" : cards)</div>
            <p class="muted">Prometheus scrapes <a href="\(HTML.escape(links.telemetryPath))">\(HTML.escape(links.telemetryPath))</a>. \
            \(links.hasAPI ? "The history store answers at <a href=\"/browse\">the metric browser</a>, <a href=\"/graphql\">/graphql</a> and <a href=\"/api/v1/openapi.json\">/api/v1</a>." : "No history store (--store none).")</p>
            """
        return HTML.page(title: "Status", section: .status, links: links, refreshSeconds: 5, body: body)
    }

    private func card(_ chain: ChainStatus) -> String {
        let stateClass = chain.state == .following ? "ok" : chain.state == .waiting ? "bad" : "muted"
        var facts: [(String, String)] = [
            ("Follows", HTML.escape(chain.follows) + " heads"),
            ("Best head", number(chain.bestHead)),
            (chain.follows == "best" ? "Head followed" : "Finalized", number(chain.followedHead)),
            ("Processed", number(chain.processed)),
            ("Lag", chain.lag.map { "\($0) block\($0 == 1 ? "" : "s")" } ?? "–"),
            ("Runtime", chain.runtime.map(HTML.escape) ?? "–"),
        ]
        if let token = chain.token { facts.append(("Token", HTML.escape(token))) }
        let list = facts.map { "<dt>\($0.0)</dt><dd data-field=\"\(fieldName($0.0))\">\($0.1)</dd>" }.joined()
        var html = """
            <section class="card" data-chain="\(HTML.escape(chain.name))">
            <h2>\(HTML.escape(chain.name)) <span class="badge \(stateClass)">\(chain.state.rawValue)</span></h2>
            \(headlines(charts[chain.name] ?? []))
            <dl>\(list)</dl>
            \(endpoints(chain.endpoints))
            """
        if let history = chain.history { html += self.history(history) }
        if !chain.metricFailures.isEmpty { html += metricFailures(chain.metricFailures) }
        if let error = chain.lastError { html += "<p class=\"error\">Last error: \(HTML.escape(error))</p>" }
        if links.hasAPI {
            html += "<p><a href=\"\(HTML.escape(HTML.link("/browse", [("chain", chain.name)])))\">Metrics of \(HTML.escape(chain.name))</a></p>"
        }
        return html + "</section>"
    }

    /// The chain's headline charts over the window, each with its latest value: a gauge's last,
    /// a counter's last whole bucket (the one still filling would read as a drop).
    private func headlines(_ charts: [Headlines.Chart]) -> String {
        guard !charts.isEmpty else { return "" }
        let from = now - Headlines.window
        let figures = charts.map { chart in
            let whole = chart.measure.counts ? chart.points.last { $0.time + Headlines.bucket <= now } : nil
            let latest = (whole ?? chart.points.last).map { SVGChart.compact($0.value) } ?? "–"
            let svg = SVGChart.small(points: chart.points, from: from, to: now, unit: nil).svg()
            return "<figure data-headline=\"\(HTML.escape(chart.measure.metric))\"><figcaption><span>\(HTML.escape(chart.measure.title)) "
                + "<span class=\"muted\">\(HTML.escape(chart.measure.unit))</span></span><b>\(latest)</b></figcaption>\(svg)</figure>"
        }
        let origin = source == .store ? "from the history store" : "since the exporter started (no history store)"
        return "<div class=\"headlines\" data-source=\"\(source.rawValue)\">\(figures.joined())</div>"
            + "<p class=\"muted\" style=\"font-size:.8em;margin:0\">The last \(Headlines.window / 3_600_000) hours in 5-minute buckets, \(origin).</p>"
    }

    private func endpoints(_ endpoints: [ChainStatus.Endpoint]) -> String {
        let rows = endpoints.map { endpoint in
            let health = switch endpoint.answered {
            case true?: "<span class=\"ok\">up</span>"
            case false?: "<span class=\"bad\">down</span>"
            case nil: "<span class=\"muted\">not asked yet</span>"
            }
            let latency = endpoint.lastLatencySeconds.map { Self.milliseconds($0) } ?? "–"
            let error = endpoint.lastError.map { "<br><span class=\"error\">\(HTML.escape($0))</span>" } ?? ""
            let failed = endpoint.failures > 0 ? " <span class=\"bad\">(\(endpoint.failures) failed)</span>" : ""
            return "<tr data-endpoint=\"\(HTML.escape(endpoint.url))\"><td><code>\(HTML.escape(endpoint.url))</code>\(error)</td><td>\(health)</td>"
                + "<td class=\"number\">\(latency)</td><td class=\"number\">\(endpoint.requests)\(failed)</td></tr>"
        }.joined()
        return """
            <div class="scroll"><table><tr><th>Endpoint</th><th>Health</th><th class="number">Latency</th><th class="number">Requests</th></tr>\(rows)</table></div>
            """
    }

    /// Metrics that gave no sample at some blocks: the other metrics of those blocks were kept.
    private func metricFailures(_ failures: [ChainStatus.MetricFailures]) -> String {
        var html = "<h3 style=\"font-size:1em;margin:.8em 0 .2em\">Metrics without a sample at some blocks</h3><table data-metric-failures><tr><th>metric</th><th>reason</th><th>blocks</th><th>first–last</th><th>last error</th></tr>"
        for failure in failures {
            html += "<tr><td>\(HTML.escape(failure.metric))</td><td>\(HTML.escape(failure.reason))</td><td>\(failure.blocks)</td>"
                + "<td>\(failure.firstBlock)–\(failure.lastBlock)</td><td class=\"error\">\(HTML.escape(failure.message))</td></tr>"
        }
        return html + "</table>"
    }

    private func history(_ history: ChainStatus.History) -> String {
        let range = "\(history.from)–\(history.to.map(String.init) ?? "first followed block")"
        var html = "<h3 style=\"font-size:1em;margin:.8em 0 .2em\">History \(range)</h3><p data-history=\"\(history.state)\">\(history.state.rawValue)"
        if let fraction = history.fraction, let blocks = history.blocks, let remaining = history.remaining {
            let percent = (fraction * 1000).rounded() / 10
            html += ": \(blocks - min(remaining, blocks)) of \(blocks) blocks (\(percent)%)</p>"
            html += "<progress max=\"\(blocks)\" value=\(blocks - min(remaining, blocks))>\(percent)%</progress>"
        } else {
            html += "</p>"
        }
        if history.failedChunks > 0 { html += "<p class=\"error\">\(history.failedChunks) chunks failed (retried on the next load)</p>" }
        if let error = history.lastError { html += "<p class=\"error\">\(HTML.escape(error))</p>" }
        return html
    }

    private func number(_ value: UInt64?) -> String {
        value.map { "#\($0)" } ?? "–"
    }

    private func fieldName(_ title: String) -> String {
        title.lowercased().replacingOccurrences(of: " ", with: "-")
    }

    static func milliseconds(_ seconds: Double) -> String {
        seconds < 0.01 ? "\((seconds * 10_000).rounded() / 10) ms" : "\(Int((seconds * 1000).rounded())) ms"
    }
}
