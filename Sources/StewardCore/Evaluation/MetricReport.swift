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

    /// Moves every value that is not a finite number to `undefined`: finite inputs near the largest double
    /// (`1e308`) overflow in sums and differences, and an infinite or NaN metric would pass or fail a gate by accident.
    mutating func undefineNonFinite() {
        for (name, value) in values where !value.isFinite {
            values[name] = nil
            undefined[name] =
                "The value overflowed (it came out \(value.isNaN ? "not a number" : "infinite")): the inputs are too large in magnitude "
                + "to compute it in double precision."
        }
    }
}
