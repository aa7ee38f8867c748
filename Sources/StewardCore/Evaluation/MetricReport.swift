/// The metrics of one evaluation: each value by its name (`accuracy`, `roc_auc`, `wape`…), and for metrics that
/// are undefined on the data, the reason instead of a number.
public struct MetricReport: Sendable, Equatable, Codable {
    public var values: [String: Double]
    public var undefined: [String: String]
    /// Row counts and similar facts about the data, such as `rows`.
    public var counts: [String: Int]

    public init(values: [String: Double] = [:], undefined: [String: String] = [:], counts: [String: Int] = [:]) {
        self.values = values
        self.undefined = undefined
        self.counts = counts
    }

    /// Records a metric that may be undefined.
    mutating func record(_ name: String, _ compute: () throws -> Double) {
        do {
            values[name] = try compute()
        } catch {
            undefined[name] = "\(error)"
        }
    }
}
