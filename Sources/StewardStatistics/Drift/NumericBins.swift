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
        quantiles(count: reference.count, bins: bins) { ranks in ranks.map { reference[$0] } }
    }

    /// The same edges of a reference in any order, by selecting the order statistics they need instead of sorting.
    public static func quantiles(of reference: [Double], bins: Int = 10) -> NumericBins {
        quantiles(count: reference.count, bins: bins) { ranks in RadixSelection.values(atRanks: ranks, of: reference) }
    }

    /// The edges from `values(ranks)`, the sample's order statistics at `ranks`.
    static func quantiles(count: Int, bins: Int, values: ([Int]) -> [Double]) -> NumericBins {
        guard count > 0 else { return NumericBins(edges: [], layout: .openEnded) }
        let points = (1..<max(bins, 2)).map { OperationalMetrics.interpolationPoint(count: count, 100 * Double($0) / Double(max(bins, 2))) }
        let found = values(points.flatMap { [$0.lower, $0.upper] })
        var edges: [Double] = []
        for (index, point) in points.enumerated() {
            let (lower, upper) = (found[2 * index], found[2 * index + 1])
            let edge = lower + (upper - lower) * point.fraction
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

    /// How many values fall in each bin; values outside a closed range are not counted. An ascending sample is
    /// counted with two binary searches per edge; any other with a branch-free search per value, or, in a closed
    /// range, by computing the bin and checking it against its edges.
    public func counts(of values: [Double], ascending: Bool = false) -> [Int] {
        var counts = [Int](repeating: 0, count: count)
        guard !counts.isEmpty else { return counts }
        edges.withUnsafeBufferPointer { edges in
            values.withUnsafeBufferPointer { values in
                counts.withUnsafeMutableBufferPointer { counts in
                    switch (layout, ascending) {
                    case (.openEnded, true):
                        // Bin i holds (eᵢ₋₁, eᵢ].
                        var below = 0
                        for (index, edge) in edges.enumerated() {
                            let through = Self.countBelow(edge, in: values, orEqual: true)
                            counts[index] = through - below
                            below = through
                        }
                        counts[edges.count] = values.count - below
                    case (.openEnded, false) where !edges.isEmpty && edges.count <= Self.vectorEdges && !edges.contains(where: \.isNaN):
                        Self.countAbove(values, edges, into: counts)
                    case (.openEnded, false):
                        for value in values { counts[Self.countBelow(value, in: edges, orEqual: false)] += 1 }
                    case (.closedRange, true):
                        // Bin i holds [eᵢ, eᵢ₊₁), the last one also its upper edge.
                        let starts = edges.map { Self.countBelow($0, in: values, orEqual: false) }
                        for index in 0..<counts.count { counts[index] = starts[index + 1] - starts[index] }
                        counts[counts.count - 1] = Self.countBelow(edges[edges.count - 1], in: values, orEqual: true) - starts[starts.count - 2]
                    case (.closedRange, false):
                        let first = edges[0]
                        let last = edges[edges.count - 1]
                        let bins = counts.count
                        let scale = Double(bins) / (last - first)
                        guard scale.isFinite, scale > 0 else {
                            for value in values where value >= first && value <= last {
                                counts[Swift.min(Self.countBelow(value, in: edges, orEqual: true) - 1, bins - 1)] += 1
                            }
                            return
                        }
                        // Equal-width bins (Sturges): the bin is computed, then settled against the edges
                        // themselves, so the result is the comparison's, as NumPy's.
                        for value in values where value >= first && value <= last {
                            var index = Swift.min(Int((value - first) * scale), bins - 1)
                            while index > 0, value < edges[index] { index -= 1 }
                            while index < bins - 1, value >= edges[index + 1] { index += 1 }
                            counts[index] += 1
                        }
                    }
                }
            }
        }
        return counts
    }

    /// Up to this many edges (deciles have nine) an unsorted sample is counted by `countAbove`.
    static let vectorEdges = 16

    /// Counts an unsorted sample into open-ended bins by how many values lie above each edge, which gives every
    /// bin's count (bin i holds the values with i edges below them; NaN has none, as in `countBelow`). The sample
    /// is read in blocks that stay in the first-level cache, each compared with one edge at a time: a loop the
    /// compiler turns into vector comparisons. Written by hand because counting was the measured bottleneck of
    /// default drift binning: a binary search per value made the whole report 1.4× the Evidently-binned one
    /// (1M × 23 columns, `bench/drift.py`).
    static func countAbove(_ values: UnsafeBufferPointer<Double>, _ edges: UnsafeBufferPointer<Double>, into counts: UnsafeMutableBufferPointer<Int>)
    {
        var above = [Int](repeating: 0, count: edges.count)
        let block = 2048
        var start = 0
        while start < values.count {
            let end = Swift.min(start + block, values.count)
            let chunk = UnsafeBufferPointer(rebasing: values[start..<end])
            for (index, edge) in edges.enumerated() {
                var count = 0
                // The comparison's bit, added without a branch, so that the loop becomes vector code.
                for value in chunk { count &+= Int(unsafeBitCast(value > edge, to: UInt8.self)) }
                above[index] &+= count
            }
            start = end
        }
        counts[0] = values.count - above[0]
        for index in 1..<edges.count { counts[index] = above[index - 1] - above[index] }
        counts[edges.count] = above[edges.count - 1]
    }

    /// How many elements of the ascending buffer are below `value` (or at most `value`), by a binary search
    /// whose steps are conditional moves rather than branches.
    @inline(__always)
    static func countBelow(_ value: Double, in sorted: UnsafeBufferPointer<Double>, orEqual: Bool) -> Int {
        guard !sorted.isEmpty else { return 0 }
        var base = 0
        var length = sorted.count
        while length > 1 {
            let half = length / 2
            let probe = sorted[base + half]
            base = (orEqual ? probe <= value : probe < value) ? base + half : base
            length -= half
        }
        return base + ((orEqual ? sorted[base] <= value : sorted[base] < value) ? 1 : 0)
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
