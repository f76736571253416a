import Exporter
import Foundation

/// The page at `/`: each chain with its endpoints, the head it follows, the last block
/// processed, its runtime and its last error; plain HTML that reads on a phone.
struct LandingPage {
    let board: ChainBoard
    let telemetryPath: String

    func html() async -> String {
        var rows = ""
        for entry in board.entries {
            let follower = entry.follower
            let processed = await follower?.processedHead
            let head = await follower?.notifiedHead
            let runtime = await follower?.runtimeVersion
            let lag = processed.flatMap { processed in head.map { $0 > processed ? $0 - processed : 0 } }
            let state = processed != nil ? "following" : entry.lastError == nil ? "starting" : "waiting for the node"
            rows += "<tr><td>\(escape(entry.name ?? "(not yet known)"))</td><td>\(state)</td><td>\(entry.follow.rawValue)</td>"
                + "<td>\(head.map(String.init) ?? "–")</td><td>\(processed.map(String.init) ?? "–")</td><td>\(lag.map(String.init) ?? "–")</td>"
                + "<td>\(runtime.map { "\(escape($0.name)) \($0.version)" } ?? "–")</td>"
                + "<td>\(entry.endpoints.map(escape).joined(separator: "<br>"))</td><td>\(escape(entry.lastError ?? ""))</td></tr>\n"
        }
        return """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>runtime-exporter</title><style>body{font-family:sans-serif;margin:1em}table{border-collapse:collapse}
            td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}div{overflow-x:auto}</style></head><body>
            <h1>runtime-exporter</h1><p><a href="\(escape(telemetryPath))">Metrics</a></p><div><table>
            <tr><th>Chain</th><th>State</th><th>Follows</th><th>Head</th><th>Processed</th><th>Lag</th><th>Runtime</th><th>Endpoints</th><th>Last error</th></tr>
            \(rows)</table></div></body></html>
            """
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
