import AsyncHTTPClient
import ChainFixtures
import ExactJSON
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// `runtime-exporter demo` seen in a real browser: headless Chromium loads the status page
/// and a chart page (neither has a script: they read the same with scripts off), screenshots go to `.build/screenshots/` (or
/// `$RUNTIME_EXPORTER_SCREENSHOTS`), and the pages show the chain, block numbers the node
/// agrees with, and a chart with as many points as the store has buckets.
@Suite(.timeLimit(.minutes(4))) struct DemoTests {
    static var screenshots: URL {
        let directory = ProcessInfo.processInfo.environment["RUNTIME_EXPORTER_SCREENSHOTS"].map { URL(fileURLWithPath: $0) }
            ?? ChainData.packageRoot.appendingPathComponent(".build/screenshots")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    struct Timeout: Error, CustomStringConvertible {
        let description: String
    }

    @Test func theDemoServesItsStatusAndChartPagesToChromium() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let storePath = directory.appendingPathComponent("demo.sqlite").path
        let demo = try await OffPool.run {
            try ListeningProcess("runtime-exporter") {
                ["demo", "--web.listen-address", "127.0.0.1:\($0)", "--store", "sqlite:\(storePath)", "--blocks", "150", "--block-time", "1"]
            }
        }
        defer { demo.stop() }
        let base = "http://127.0.0.1:\(demo.port)"

        // The history (blocks 1 to the first followed) loads in the background.
        var page = ""
        let deadline = ContinuousClock.now + .seconds(120)
        while !page.contains("data-history=\"loaded\"") {
            guard ContinuousClock.now < deadline else { throw Timeout(description: "the demo's history did not load within 120 s:\n\(page.suffix(2000))") }
            try await Task.sleep(for: .seconds(1))
            page = try await Self.text(base + "/")
        }

        // The status page: the chain, its blocks, its endpoint, its history; no script, so
        // that it reads the same with scripts off.
        let status = try await Chromium.dom(base + "/")
        #expect(!page.contains("<script"), "the status page needs no script")
        #expect(status.contains("data-chain=\"devnode\""))
        #expect(status.contains("<h2>devnode <span class=\"badge ok\">following</span></h2>"))
        let finalized = try #require(Self.block(in: status, field: "finalized"))
        let processed = try #require(Self.block(in: status, field: "processed"))
        #expect(processed >= 150 && processed <= finalized, "processed #\(processed), finalized #\(finalized)")
        // The node agrees: its finalized head is at or past what the page showed.
        let nodeURL = try #require(status.firstMatch(of: /data-endpoint="ws:\/\/127\.0\.0\.1:([0-9]+)"/).map { "http://127.0.0.1:\($0.1)" })
        let nodeFinalized = try await Self.finalizedNumber(nodeURL)
        #expect(nodeFinalized >= finalized && nodeFinalized <= finalized + 10, "node #\(nodeFinalized), page #\(finalized)")
        #expect(status.contains("data-history=\"loaded\""))
        // The chain drawn from the store: headline charts whose points are the API's 5-minute
        // buckets (the last, still filling, aside).
        #expect(status.contains("data-source=\"store\""))
        #expect(try #require(Self.figure(in: status, "balances_total_issuance_tokens")).contains("<polyline") || status.contains("data-points=\"1\""))
        let calls = Self.tooltips(in: try #require(Self.figure(in: status, "extrinsics_total")))
        let first = try #require(calls.first?.time), last = try #require(calls.last.flatMap { ISO8601DateFormatter().date(from: $0.time) })
        let end = Self.iso(Int64(last.timeIntervalSince1970) + 300)
        let stored = try #require(try await Self.json(
            base + "/api/v1/metrics/extrinsics_total/timeseries?chain=devnode&from=\(first)&to=\(end)&interval=5m&aggregation=sum&includeIncompleteData=true")["data"]?.arrayValue)
        #expect(stored.count == calls.count)
        #expect(stored.dropLast().map { "\($0["datetime"]?.stringValue ?? ""): \($0["value"]?.serialized() ?? "")" } == calls.dropLast().map { "\($0.time): \($0.value)" })
        try await Chromium.screenshot(base + "/", to: Self.screenshots.appendingPathComponent("demo-status.png"), width: 1200, height: 800)
        try await Chromium.screenshot(base + "/", to: Self.screenshots.appendingPathComponent("demo-status-phone.png"), width: 390, height: 844)

        // A chart of calls per 10 s over a range that is complete in the store.
        let now = Int64(Date().timeIntervalSince1970)
        let to = (now / 10) * 10 - 20
        let from = to - 100
        let (fromText, toText) = (Self.iso(from), Self.iso(to))
        let chartURL = base + "/chart?metric=extrinsics_total&chain=devnode&from=\(fromText)&to=\(toText)&interval=10s&aggregation=sum"
        let chart = try await Chromium.dom(chartURL)
        let api = try await Self.json(base + "/api/v1/metrics/extrinsics_total/timeseries?chain=devnode&from=\(fromText)&to=\(toText)&interval=10s&aggregation=sum")
        let points = try #require(api["data"]?.arrayValue)
        // Independently of the API: the 10-second buckets holding samples, read by Python's sqlite3.
        let buckets = try await PythonReferee.run("""
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            print(db.execute("SELECT COUNT(DISTINCT x.time / 10000) FROM samples x JOIN series s ON s.id = x.series_id "
                             "WHERE s.metric = 'extrinsics_total' AND s.chain = 'devnode' AND x.time >= ? AND x.time < ?",
                             (int(sys.argv[2]) * 1000, int(sys.argv[3]) * 1000)).fetchone()[0])
            """, arguments: [storePath, String(from), String(to)])
        let expected = try #require(Int(buckets.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(expected == 10, "100 s of 1-second blocks in 10-second buckets")
        #expect(points.count == expected)
        #expect(chart.contains("data-points=\"\(expected)\""))
        #expect(chart.components(separatedBy: "<circle class=\"point\"").count - 1 == expected)
        #expect(chart.contains("<polyline class=\"line\""))
        #expect(!(try await Self.text(chartURL)).contains("<script"), "the chart is drawn on the server")
        // Each point's tooltip holds its bucket and value as the API gives them.
        for point in points {
            let datetime = try #require(point["datetime"]?.stringValue), value = try #require(point["value"]?.serialized())
            #expect(chart.contains("<title>\(datetime): \(value)</title>"), "\(datetime) \(value)")
        }
        try await Chromium.screenshot(chartURL, to: Self.screenshots.appendingPathComponent("demo-chart.png"), width: 1200, height: 900)
        try await Chromium.screenshot(chartURL, to: Self.screenshots.appendingPathComponent("demo-chart-phone.png"), width: 390, height: 844)
        print("demo: screenshots in \(Self.screenshots.path) — status #\(processed)/#\(finalized), chart of \(expected) points")

        // The metric browser finds metrics by words of their name or help.
        let browser = try await Chromium.dom(base + "/browse?q=xcm")
        #expect(browser.contains("data-metric=\"xcm_transfers_total\""))
        #expect(!browser.contains("data-metric=\"balances_total_issuance_tokens\""))
    }

    /// The landing page's figure of one headline metric.
    static func figure(in html: String, _ metric: String) -> String? {
        guard let start = html.range(of: "data-headline=\"\(metric)\"") else { return nil }
        return html[start.lowerBound...].range(of: "</figure>").map { String(html[start.lowerBound..<$0.upperBound]) }
    }

    /// A chart's points as its tooltips give them: bucket start and value.
    static func tooltips(in svg: String) -> [(time: String, value: String)] {
        svg.matches(of: /<title>(\S+Z): ([^<]+)<\/title>/).map { (String($0.1), String($0.2)) }
    }

    /// Without a store the landing page draws what it has seen since it started: the calls of
    /// its chart add up to the calls counter of /metrics, read while no block came between.
    @Test func theLandingPageDrawsTheChainWithoutAStore() async throws {
        let node = try await DevnodeProcess.launch(["--history", "10", "--block-time", "1.5", "--finality-lag", "1"])
        defer { node.stop() }
        let exporter = try await ExporterProcess.launch(["--rpc", node.webSocketURL])
        defer { exporter.stop() }
        let base = "http://127.0.0.1:\(exporter.server.port)"
        let deadline = ContinuousClock.now + .seconds(90)
        var page = ""
        while true {
            guard ContinuousClock.now < deadline else { throw Timeout(description: "no steady page with charts within 90 s:\n\(page.suffix(2000))") }
            let before = try await Self.text(exporter.metricsURL)
            page = try await Chromium.dom(base + "/")
            let after = try await Self.text(exporter.metricsURL)
            let total = { (exposition: String) in
                exposition.split(separator: "\n").filter { $0.hasPrefix("runtime_extrinsics_total{") }.compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
            }
            guard before == after || total(before) == total(after), total(after) > 0,
                  let calls = Self.figure(in: page, "extrinsics_total") else {
                try await Task.sleep(for: .milliseconds(300))
                continue
            }
            #expect(Self.tooltips(in: calls).compactMap { Double($0.value) }.reduce(0, +) == total(after))
            break
        }
        #expect(page.contains("data-source=\"memory\""))
        #expect(page.contains("no history store"))
        #expect(try #require(Self.figure(in: page, "balances_total_issuance_tokens")).contains("<circle class=\"point\""))
        #expect(!(try await Self.text(base + "/")).contains("<script"), "the landing page needs no script")
        try await Chromium.screenshot(base + "/", to: Self.screenshots.appendingPathComponent("landing-memory.png"), width: 1200, height: 800)
        try await Chromium.screenshot(base + "/", to: Self.screenshots.appendingPathComponent("landing-memory-phone.png"), width: 390, height: 844)
    }

    static func block(in html: String, field: String) -> UInt64? {
        guard let range = html.range(of: "data-field=\"\(field)\">#") else { return nil }
        return UInt64(html[range.upperBound...].prefix { $0.isNumber })
    }

    static func iso(_ seconds: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    static func finalizedNumber(_ node: String) async throws -> UInt64 {
        let hash = try await rpc(node, "chain_getFinalizedHead", [])
        let header = try await rpc(node, "chain_getHeader", [hash])
        let number = try #require(header["number"]?.stringValue)
        return try #require(UInt64(number.dropFirst(2), radix: 16))
    }

    static func rpc(_ url: String, _ method: String, _ params: [JSON]) async throws -> JSON {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        let body = JSON.object(["jsonrpc": .string("2.0"), "id": .number("1"), "method": .string(method), "params": .array(params)])
        request.body = .bytes(ByteBuffer(string: body.serialized()))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        return try #require(try JSON.parse(String(buffer: try await response.body.collect(upTo: 1 << 20)))["result"])
    }

    static func text(_ url: String) async throws -> String {
        String(buffer: try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10)).body.collect(upTo: 4 << 20))
    }

    static func json(_ url: String) async throws -> JSON {
        try JSON.parse(try await text(url))
    }
}
