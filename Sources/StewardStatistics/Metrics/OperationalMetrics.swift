/// Latency, errors and cost of the requests behind an evaluation.
public enum OperationalMetrics {
    /// The q-th percentile (0…100) with linear interpolation between closest ranks, as NumPy's default.
    public static func percentile(_ values: [Double], _ q: Double) throws(StatisticsError) -> Double {
        guard !values.isEmpty else { throw .empty }
        guard (0...100).contains(q) else { throw StatisticsError("A percentile is between 0 and 100, not \(q).") }
        if let row = values.firstIndex(where: { !$0.isFinite }) { throw .notFinite("The value", row: row) }
        return interpolated(values.sorted(), q)
    }

    static func interpolated(_ sorted: [Double], _ q: Double) -> Double {
        let point = interpolationPoint(count: sorted.count, q)
        return sorted[point.lower] + (sorted[point.upper] - sorted[point.lower]) * point.fraction
    }

    /// Where NumPy's linear interpolation reads percentile `q` of `count` sorted values: between the order
    /// statistics at `lower` and `upper`, `fraction` of the way.
    static func interpolationPoint(count: Int, _ q: Double) -> (lower: Int, upper: Int, fraction: Double) {
        let position = q / 100 * Double(count - 1)
        let lower = Int(position.rounded(.down))
        return (lower, min(lower + 1, count - 1), position - Double(lower))
    }

    /// p50, p95 and p99 of one sort.
    public static func latencyPercentiles(_ values: [Double]) throws(StatisticsError) -> (p50: Double, p95: Double, p99: Double) {
        guard !values.isEmpty else { throw .empty }
        if let row = values.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
            throw StatisticsError("The latency in row \(row + 1) is not a non-negative number.")
        }
        let sorted = values.sorted()
        return (interpolated(sorted, 50), interpolated(sorted, 95), interpolated(sorted, 99))
    }

    public static func errorRate(_ failed: [Bool]) throws(StatisticsError) -> Double {
        guard !failed.isEmpty else { throw .empty }
        return Double(failed.filter { $0 }.count) / Double(failed.count)
    }

    public static func costPerRequest(_ costs: [Double]) throws(StatisticsError) -> Double {
        guard !costs.isEmpty else { throw .empty }
        if let row = costs.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
            throw StatisticsError("The cost in row \(row + 1) is not a non-negative number.")
        }
        return CompensatedSum.of(costs) / Double(costs.count)
    }
}
