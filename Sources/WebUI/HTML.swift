/// The frame every page shares: one stylesheet, a navigation bar, no script. Pages are
/// complete without JavaScript and read on a phone (one column below 40em).
enum HTML {
    /// Text for an element or an attribute value.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// A query-string component.
    static func queryComponent(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                encoded.append(Character(Unicode.Scalar(byte)))
            default:
                let hex = Array("0123456789ABCDEF")
                encoded += "%\(hex[Int(byte >> 4)])\(hex[Int(byte & 15)])"
            }
        }
        return encoded
    }

    /// `path?name=value&…`, values encoded.
    static func link(_ path: String, _ parameters: [(String, String)]) -> String {
        guard !parameters.isEmpty else { return path }
        return path + "?" + parameters.map { "\(queryComponent($0.0))=\(queryComponent($0.1))" }.joined(separator: "&")
    }

    enum Section: String {
        case status = "Status", metrics = "Metrics", chart = "Chart"
    }

    /// A whole page. `refreshSeconds` reloads it (the status page stays current without script).
    static func page(title: String, section: Section, links: PageLinks, refreshSeconds: Int? = nil, body: String) -> String {
        let navigation = [
            (Section.status, "/"), (Section.metrics, "/browse"), (Section.chart, "/chart"),
        ].map { entry in
            entry.0 == section ? "<a href=\"\(entry.1)\" aria-current=\"page\">\(entry.0.rawValue)</a>" : "<a href=\"\(entry.1)\">\(entry.0.rawValue)</a>"
        }.joined() + "<a href=\"\(escape(links.telemetryPath))\">/metrics</a>" + (links.hasAPI ? "<a href=\"/api/v1/openapi.json\">API</a>" : "")
        let refresh = refreshSeconds.map { "<meta http-equiv=\"refresh\" content=\"\($0)\">" } ?? ""
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">\(refresh)
            <title>\(escape(title)) · runtime-exporter</title><style>\(stylesheet)</style></head>
            <body><header><strong>runtime-exporter</strong><nav>\(navigation)</nav></header><main>
            \(body)
            </main></body></html>
            """
    }

    static let stylesheet = """
        :root{--fg:#1d2330;--muted:#5c6577;--line:#d9dde5;--accent:#d6246e;--ok:#18794e;--bad:#c4320a;--bg:#fff;--card:#f6f7f9}
        *{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
        header{display:flex;flex-wrap:wrap;gap:.4em 1.2em;align-items:center;padding:.6em 1em;border-bottom:1px solid var(--line)}
        nav{display:flex;flex-wrap:wrap;gap:.2em .9em}nav a{color:var(--muted);text-decoration:none}nav a[aria-current]{color:var(--accent);font-weight:600}
        main{padding:1em;max-width:72em;margin:0 auto}h1{font-size:1.35em;margin:.2em 0 .6em}h2{font-size:1.15em;margin:0 0 .4em}
        .cards{display:grid;gap:1em;grid-template-columns:repeat(auto-fit,minmax(24em,1fr))}
        .card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.8em 1em;min-width:0}
        dl{display:grid;grid-template-columns:auto 1fr;gap:.15em .8em;margin:.4em 0}dt{color:var(--muted)}dd{margin:0;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
        .ok{color:var(--ok)}.bad{color:var(--bad)}.muted{color:var(--muted)}.error{color:var(--bad);overflow-wrap:anywhere}
        .badge{display:inline-block;padding:0 .5em;border-radius:1em;font-size:.85em;border:1px solid currentColor}
        table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25em .5em;border-bottom:1px solid var(--line);vertical-align:top}
        td.number,th.number{text-align:right;font-variant-numeric:tabular-nums}.scroll{overflow-x:auto}
        progress{width:100%;height:.8em}form{display:flex;flex-wrap:wrap;gap:.5em 1em;align-items:flex-end;margin:0 0 1em}
        label{display:flex;flex-direction:column;font-size:.85em;color:var(--muted)}input,select,button{font:inherit;padding:.25em .4em;min-width:0}
        button{background:var(--accent);color:#fff;border:0;border-radius:4px;padding:.35em 1em}
        svg.chart{width:100%;height:auto;display:block;background:var(--bg)}svg.chart text{font:11px system-ui,sans-serif;fill:var(--muted)}
        svg.chart .grid{stroke:var(--line)}svg.chart .line{fill:none;stroke:var(--accent);stroke-width:1.5}svg.chart .point{fill:var(--accent)}
        code{font-size:.9em;overflow-wrap:anywhere}
        .headlines{display:grid;gap:.5em .8em;grid-template-columns:repeat(auto-fill,minmax(15em,1fr));margin:.6em 0}
        .headlines figure{margin:0;min-width:0}.headlines figcaption{font-size:.85em;display:flex;justify-content:space-between;gap:.5em}
        .headlines figcaption b{font-variant-numeric:tabular-nums;font-weight:600}
        @media (max-width:40em){main{padding:.6em}.cards{grid-template-columns:1fr}
        svg.chart text{font-size:24px}svg.chart .line{stroke-width:3}svg.chart .point{r:4.5px}
        svg.small text{font-size:11px}svg.small .line{stroke-width:1.5}svg.small .point{r:2px}}
        """
}

/// Where the navigation leads besides the pages.
public struct PageLinks: Sendable {
    public var telemetryPath: String
    public var hasAPI: Bool

    public init(telemetryPath: String, hasAPI: Bool) {
        self.telemetryPath = telemetryPath
        self.hasAPI = hasAPI
    }
}
