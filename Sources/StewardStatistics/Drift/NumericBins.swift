import Foundation

/// Bin edges for a numeric feature and the counts of a sorted sample in them. Two layouts: bins fitted on the
/// reference with open outer bins, (−∞, e₁], (e₁, e₂], …, (eₖ, ∞), so a stored reference profile serves every
/// later window and counts from shards add up; and NumPy's closed range [e₀, e₁), …, [eₙ₋₁, eₙ], which
/// Evidently uses with Sturges bins over reference and current together.
public struct NumericBins: Sendable, Equatable, Codable {
    public enum Layout: String, Sendable, Codable {
        case openEnded
        case closedRange
    }

    public let edges: [Double]
    public let layout: Layout

    public init(edges: [Double], layout: Layout) {
        self.edges = edges
        self.layout = layout
    }

    public var count: Int { layout == .openEnded ? edges.count + 1 : max(edges.count - 1, 0) }

    /// Edges at the reference's quantiles 1/n … (n−1)/n (NumPy's linear interpolation), repeated edges merged.
    public static func quantiles(ofSorted reference: [Double], bins: Int = 10) -> NumericBins {
        guard !reference.isEmpty else { return NumericBins(edges: [], layout: .openEnded) }
        var edges: [Double] = []
        for step in 1..<max(bins, 2) {
            let edge = OperationalMetrics.interpolated(reference, 100 * Double(step) / Double(max(bins, 2)))
            if edges.last != edge { edges.append(edge) }
        }
        return NumericBins(edges: edges, layout: .openEnded)
    }

    /// NumPy's `histogram_bin_edges(values, bins="sturges")` for `count` values between `minimum` and `maximum`.
    public static func sturges(minimum: Double, maximum: Double, count: Int) -> NumericBins {
        var first = minimum
        var last = maximum
        if first == last {
            first -= 0.5
            last += 0.5
        }
        let width = (maximum - minimum) / (log2(Double(max(count, 1))) + 1)
        let bins = width > 0 ? Int(((last - first) / width).rounded(.up)) : 1
        let step = (last - first) / Double(bins)
        var edges = (0..<bins).map { first + Double($0) * step }
        edges.append(last)
        return NumericBins(edges: edges, layout: .closedRange)
    }

    /// How many values of the ascending sample fall in each bin; values outside a closed range are not counted.
    public func counts(ofSorted values: [Double]) -> [Int] {
        switch layout {
        case .openEnded:
            var counts: [Int] = []
            var below = 0
            for edge in edges {
                let through = values.partitionPoint { $0 > edge }
                counts.append(through - below)
                below = through
            }
            counts.append(values.count - below)
            return counts
        case .closedRange:
            guard edges.count >= 2 else { return [] }
            let starts = edges.map { edge in values.partitionPoint { $0 >= edge } }
            var counts = (0..<(edges.count - 1)).map { starts[$0 + 1] - starts[$0] }
            counts[counts.count - 1] = values.partitionPoint { $0 > edges[edges.count - 1] } - starts[starts.count - 2]
            return counts
        }
    }

    /// A short label per bin for reports.
    public var labels: [String] {
        func text(_ value: Double) -> String { value.formatted(significantDigits: 4) }
        switch layout {
        case .openEnded:
            guard !edges.isEmpty else { return ["all"] }
            return ["≤ \(text(edges[0]))"] + zip(edges, edges.dropFirst()).map { "(\(text($0)), \(text($1))]" } + [
                "> \(text(edges[edges.count - 1]))"
            ]
        case .closedRange:
            return zip(edges, edges.dropFirst()).map { "[\(text($0)), \(text($1)))" }
        }
    }
}

extension Array where Element == Double {
    /// The first index whose element satisfies `predicate`, for an array partitioned by it (binary search).
    func partitionPoint(_ predicate: (Double) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if predicate(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

extension Double {
    func formatted(significantDigits: Int) -> String {
        guard isFinite else { return "\(self)" }
        let magnitude = self == 0 ? 0 : Int(Foundation.log10(Swift.abs(self)).rounded(.down))
        if magnitude >= 6 || magnitude < -4 { return String(format: "%.\(significantDigits - 1)e", self) }
        let decimals = Swift.max(0, significantDigits - 1 - magnitude)
        var text = String(format: "%.\(decimals)f", self)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
