import MetricStore

/// A line chart of one series drawn on the server as SVG: a line through the points, a dot per
/// point with its time and value as a tooltip (`<title>`, no script), value and time axes.
/// `data-points` on the `<svg>` says how many points it holds.
struct SVGChart {
    let points: [TimeseriesPoint]
    /// The range asked for, Unix milliseconds: the time axis spans it even where samples are missing.
    let from: Int64
    let to: Int64
    let unit: String?
    /// The drawing's size in its own units (the page scales it to its box), and its CSS class.
    var width = 800.0
    var height = 320.0
    var style = "chart"

    static let margin = (top: 14.0, right: 16.0, bottom: 30.0, left: 66.0)

    /// A small chart of the landing page, which keeps its text size on a phone.
    static func small(points: [TimeseriesPoint], from: Int64, to: Int64, unit: String?) -> SVGChart {
        SVGChart(points: points, from: from, to: to, unit: unit, width: 380, height: 150, style: "chart small")
    }

    func svg() -> String {
        let plot = (
            x: Self.margin.left, y: Self.margin.top,
            width: width - Self.margin.left - Self.margin.right, height: height - Self.margin.top - Self.margin.bottom
        )
        let values = points.map(\.value).filter(\.isFinite)
        var low = values.min() ?? 0
        var high = values.max() ?? 1
        if low == high {
            let pad = low == 0 ? 1 : abs(low) * 0.1
            low -= pad
            high += pad
        }
        let ticks = Self.niceTicks(low: low, high: high, count: height < 200 ? 3 : 5)
        low = min(low, ticks.first ?? low)
        high = max(high, ticks.last ?? high)
        let span = Double(max(to - from, 1))
        func x(_ time: Int64) -> Double { plot.x + Double(time - from) / span * plot.width }
        func y(_ value: Double) -> Double { plot.y + plot.height - (value - low) / (high - low) * plot.height }

        var svg = "<svg class=\"\(style)\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" data-points=\"\(points.count)\" "
            + "aria-label=\"\(points.count) points\" xmlns=\"http://www.w3.org/2000/svg\">"
        for tick in ticks {
            let position = Self.format(y(tick))
            svg += "<line class=\"grid\" x1=\"\(Self.format(plot.x))\" x2=\"\(Self.format(plot.x + plot.width))\" y1=\"\(position)\" y2=\"\(position)\"/>"
            svg += "<text x=\"\(Self.format(plot.x - 6))\" y=\"\(position)\" text-anchor=\"end\" dominant-baseline=\"middle\">\(Self.compact(tick))</text>"
        }
        for tick in Self.timeTicks(from: from, to: to, count: width < 500 ? 3 : 6) {
            let position = Self.format(x(tick.time))
            svg += "<line class=\"grid\" x1=\"\(position)\" x2=\"\(position)\" y1=\"\(Self.format(plot.y))\" y2=\"\(Self.format(plot.y + plot.height))\"/>"
            svg += "<text x=\"\(position)\" y=\"\(Self.format(height - 10))\" text-anchor=\"middle\">\(tick.label)</text>"
        }
        if let unit { svg += "<text x=\"4\" y=\"10\">\(HTML.escape(unit))</text>" }
        let drawn = points.filter(\.value.isFinite)
        if drawn.count > 1 {
            let path = drawn.map { "\(Self.format(x($0.time))),\(Self.format(y($0.value)))" }.joined(separator: " ")
            svg += "<polyline class=\"line\" points=\"\(path)\"/>"
        }
        let radius = drawn.count > 200 ? "1.5" : "2.5"
        for point in drawn {
            svg += "<circle class=\"point\" cx=\"\(Self.format(x(point.time)))\" cy=\"\(Self.format(y(point.value)))\" r=\"\(radius)\">"
                + "<title>\(QueryTime.iso8601(point.time)): \(Self.exact(point.value))</title></circle>"
        }
        return svg + "</svg>"
    }

    /// About `count` round values covering low…high (steps of 1, 2 or 5 × 10ⁿ).
    static func niceTicks(low: Double, high: Double, count: Int) -> [Double] {
        let raw = (high - low) / Double(max(count, 1))
        guard raw > 0, raw.isFinite else { return [low] }
        var magnitude = 1.0
        while magnitude * 10 <= raw { magnitude *= 10 }
        while magnitude > raw { magnitude /= 10 }
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? magnitude * 10
        var tick = (low / step).rounded(.down) * step
        var ticks = [Double]()
        while tick <= high + step * 0.5, ticks.count < 20 {
            ticks.append(tick)
            tick += step
        }
        return ticks
    }

    /// Ticks at round times (minutes, hours, days), at most `count` of them, labelled in UTC.
    static func timeTicks(from: Int64, to: Int64, count: Int64 = 6) -> [(time: Int64, label: String)] {
        let minute: Int64 = 60_000
        let steps = [1, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080, 43200].map { $0 * minute }
        let span = max(to - from, 1)
        let step = steps.first { span / $0 <= count } ?? steps[steps.count - 1]
        var time = (from + step - 1) / step * step
        var ticks = [(time: Int64, label: String)]()
        while time < to {
            let text = QueryTime.iso8601(time)  // 2024-05-01T12:30:00Z
            let clock = String(text.dropFirst(11).prefix(5))
            let date = String(text.dropFirst(5).prefix(5))
            ticks.append((time, step >= 1440 * minute ? date : clock == "00:00" && span > 1440 * minute ? date : clock))
            time += step
        }
        return ticks
    }

    /// Short axis numbers: 1.5k, 2M, 3.25G.
    static func compact(_ value: Double) -> String {
        let magnitude = abs(value)
        for (limit, suffix) in [(1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")] where magnitude >= limit {
            return trimmed(value / limit) + suffix
        }
        return trimmed(value)
    }

    /// A value with at most three decimals, no trailing zeros.
    static func trimmed(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        if rounded == rounded.rounded() { return String(Int64(rounded)) }
        var text = String(rounded)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }

    /// A value as the API writes it: integers whole, others in full.
    static func exact(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func format(_ coordinate: Double) -> String {
        String((coordinate * 10).rounded() / 10)
    }
}
