import Foundation

/// Reference and current shares of one feature's bins, side by side, as inline SVG: where a drifted feature's
/// values moved. At most `largest` bins are drawn (categorical features can have many), the largest first.
struct SVGHistogram: Sendable {
    let title: String
    let bins: [String]
    let reference: [Double]
    let current: [Double]
    var width = 600
    var height = 200
    static let largest = 30

    var svg: String {
        var order = Array(bins.indices)
        if order.count > Self.largest {
            order = Array(order.sorted { max(reference[$0], current[$0]) > max(reference[$1], current[$1]) }.prefix(Self.largest)).sorted()
        }
        var out = "<svg class=\"chart\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(SVGTimeSeries.escape(title))\">"
        out += "<title>\(SVGTimeSeries.escape(title))</title>"
        guard !order.isEmpty else { return out + "</svg>" }
        let top = SVGTimeSeries.niceCeiling(order.map { max(reference[$0], current[$0]) }.max() ?? 0)
        let left = 44.0
        let right = Double(width) - 8
        let plotTop = 8.0
        let bottom = Double(height) - 46
        let slot = (right - left) / Double(order.count)
        let bar = max(1, slot * 0.4)
        for tick in 0...2 {
            let value = top * Double(tick) / 2
            let y = bottom - value / top * (bottom - plotTop)
            out += "<line x1=\"\(f(left))\" x2=\"\(f(right))\" y1=\"\(f(y))\" y2=\"\(f(y))\" stroke=\"#e3e7eb\"/>"
            out +=
                "<text x=\"\(f(left - 4))\" y=\"\(f(y))\" dy=\"4\" text-anchor=\"end\" font-size=\"10\" fill=\"#5b6670\">\(Int((value * 100).rounded()))%</text>"
        }
        for (position, index) in order.enumerated() {
            let x = left + Double(position) * slot + slot * 0.1
            for (offset, share, color) in [(0.0, reference[index], "#9fb3c8"), (bar, current[index], "#1f5fa8")] {
                let barHeight = share / top * (bottom - plotTop)
                out +=
                    "<rect x=\"\(f(x + offset))\" y=\"\(f(bottom - barHeight))\" width=\"\(f(bar))\" height=\"\(f(barHeight))\" fill=\"\(color)\"/>"
            }
            if order.count <= 12 {
                let label = String(bins[index].prefix(14))
                out += "<text x=\"\(f(x + bar))\" y=\"\(f(bottom + 12))\" text-anchor=\"middle\" font-size=\"9\" fill=\"#5b6670\">"
                out += "\(SVGTimeSeries.escape(label))</text>"
            }
        }
        out += "<rect x=\"\(f(left))\" y=\"\(f(bottom + 24))\" width=\"10\" height=\"10\" fill=\"#9fb3c8\"/>"
        out += "<text x=\"\(f(left + 14))\" y=\"\(f(bottom + 33))\" font-size=\"11\">reference</text>"
        out += "<rect x=\"\(f(left + 90))\" y=\"\(f(bottom + 24))\" width=\"10\" height=\"10\" fill=\"#1f5fa8\"/>"
        out += "<text x=\"\(f(left + 104))\" y=\"\(f(bottom + 33))\" font-size=\"11\">current</text>"
        return out + "</svg>"
    }

    private func f(_ value: Double) -> String { SVGTimeSeries.format(value) }
}
