import Foundation

/// A line chart of one or more time series, drawn by the server as inline SVG (no script, no external asset).
/// A series longer than the plot is wide is cut to at most one point per pixel column: the plot is split into
/// `width / 2` columns and each keeps its lowest and highest point, in time order, so that spikes stay visible
/// while a month of minute data stays a few kilobytes.
struct SVGTimeSeries: Sendable {
    struct Point: Sendable, Equatable {
        let time: Int64
        let value: Double
    }

    struct Series: Sendable {
        let name: String
        let color: String
        let points: [Point]
    }

    let title: String
    let unit: String
    let series: [Series]
    var width = 600
    var height = 220
    /// What the horizontal axis counts: epoch milliseconds, or a metric's steps.
    var axis = Axis.time

    enum Axis: Sendable {
        case time
        case steps
    }

    private var plotLeft: Double { 56 }
    private var plotRight: Double { Double(width) - 12 }
    private var plotTop: Double { 12 }
    private var plotBottom: Double { Double(height) - 40 }

    /// The chart as an `<svg>` element; every text in it is escaped.
    var svg: String {
        let plotted = series.map {
            Series(name: $0.name, color: $0.color, points: Self.downsample($0.points, columns: Int(plotRight - plotLeft) / 2))
        }
        let all = plotted.flatMap(\.points)
        var out = "<svg class=\"chart\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(Self.escape(title))\">"
        out += "<title>\(Self.escape(title))</title>"
        guard let first = all.map(\.time).min(), let last = all.map(\.time).max() else {
            out +=
                "<text x=\"\(width / 2)\" y=\"\(height / 2)\" text-anchor=\"middle\" fill=\"#5b6670\" font-size=\"13\">No data in this window</text></svg>"
            return out
        }
        let top = Self.niceCeiling(max(all.map(\.value).filter(\.isFinite).max() ?? 0, 0))
        // In Double: steps and times come from clients, and an Int64 difference of two of them can overflow.
        let span = max(Double(last) - Double(first), 1)
        func x(_ time: Int64) -> Double { plotLeft + ((Double(time) - Double(first)) / span) * (plotRight - plotLeft) }
        func y(_ value: Double) -> Double { plotBottom - (top > 0 ? value / top : 0) * (plotBottom - plotTop) }
        for tick in 0...4 {
            let value = top * Double(tick) / 4
            let position = Self.format(y(value))
            out += "<line x1=\"\(Self.format(plotLeft))\" x2=\"\(Self.format(plotRight))\" y1=\"\(position)\" y2=\"\(position)\" stroke=\"#e3e7eb\"/>"
            out += "<text x=\"\(Self.format(plotLeft - 6))\" y=\"\(position)\" dy=\"4\" text-anchor=\"end\" font-size=\"11\" fill=\"#5b6670\">"
            out += "\(Self.escape(Self.label(value)))</text>"
        }
        out +=
            "<text x=\"\(Self.format(plotLeft))\" y=\"\(Self.format(plotBottom + 16))\" font-size=\"11\" fill=\"#5b6670\">\(Self.escape(axisLabel(first)))</text>"
        out += "<text x=\"\(Self.format(plotRight))\" y=\"\(Self.format(plotBottom + 16))\" text-anchor=\"end\" font-size=\"11\" fill=\"#5b6670\">"
        out += "\(Self.escape(axisLabel(last)))</text>"
        var legendX = plotLeft
        for line in plotted {
            let finite = line.points.filter { $0.value.isFinite }
            if finite.count == 1, let only = finite.first {
                out +=
                    "<circle cx=\"\(Self.format(x(only.time)))\" cy=\"\(Self.format(y(only.value)))\" r=\"3\" fill=\"\(Self.escape(line.color))\"/>"
            } else if !finite.isEmpty {
                let path = finite.map { "\(Self.format(x($0.time))),\(Self.format(y($0.value)))" }.joined(separator: " ")
                out += "<polyline fill=\"none\" stroke=\"\(Self.escape(line.color))\" stroke-width=\"1.6\" points=\"\(path)\"/>"
            }
            out +=
                "<rect x=\"\(Self.format(legendX))\" y=\"\(Self.format(plotBottom + 26))\" width=\"10\" height=\"10\" fill=\"\(Self.escape(line.color))\"/>"
            out += "<text x=\"\(Self.format(legendX + 14))\" y=\"\(Self.format(plotBottom + 35))\" font-size=\"11\" fill=\"#1d232b\">"
            out += "\(Self.escape(line.name + (unit.isEmpty ? "" : " (\(unit))")))</text>"
            legendX += Double(24 + 7 * (line.name.count + unit.count + 3))
        }
        return out + "</svg>"
    }

    /// At most `2 × columns` points: each of `columns` equal time slices keeps its lowest and highest point.
    static func downsample(_ points: [Point], columns: Int) -> [Point] {
        let sorted = points.sorted { $0.time < $1.time }
        guard columns > 0, sorted.count > 2 * columns, let first = sorted.first?.time, let last = sorted.last?.time, last > first else {
            return sorted
        }
        var slices = [[Point]](repeating: [], count: columns)
        let span = Double(last) - Double(first)
        for point in sorted {
            let index = min(columns - 1, Int((Double(point.time) - Double(first)) / span * Double(columns)))
            slices[index].append(point)
        }
        var kept: [Point] = []
        for slice in slices where !slice.isEmpty {
            guard let low = slice.min(by: { $0.value < $1.value }), let high = slice.max(by: { $0.value < $1.value }) else { continue }
            if low == high {
                kept.append(low)
            } else {
                kept += low.time <= high.time ? [low, high] : [high, low]
            }
        }
        return kept
    }

    /// The smallest of 1, 2, 2.5 or 5 times a power of ten that is at least `value` (1 for 0).
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        let power = pow(10, floor(log10(value)))
        for step in [1.0, 2.0, 2.5, 5.0, 10.0] where step * power >= value { return step * power }
        return 10 * power
    }

    static func label(_ value: Double) -> String {
        if value == 0 { return "0" }
        if abs(value) >= 1000 { return String(format: "%.3gk", value / 1000) }
        return String(format: "%.3g", value)
    }

    func axisLabel(_ position: Int64) -> String {
        switch axis {
        case .time: UIFormat.time(position)
        case .steps: "step \(position)"
        }
    }

    static func format(_ value: Double) -> String {
        String(format: "%.1f", value)
    }

    static func escape(_ text: String) -> String {
        ModelCardRenderer.escape(text)
    }
}
