import Foundation

/// Errors of numeric predictions (regression and forecasting). Errors are `prediction − truth`, so a positive
/// mean error means over-prediction. Percentages are fractions (0.28 is 28 %), as scikit-learn reports them.
public struct RegressionMetrics: Sendable {
    public let truth: [Double]
    public let predictions: [Double]

    public init(truth: [Double], predictions: [Double]) throws(StatisticsError) {
        guard !truth.isEmpty else { throw .empty }
        guard truth.count == predictions.count else { throw .lengthMismatch("true values", truth.count, "predictions", predictions.count) }
        if let row = truth.firstIndex(where: { !$0.isFinite }) { throw .notFinite("The true value", row: row) }
        if let row = predictions.firstIndex(where: { !$0.isFinite }) { throw .notFinite("The prediction", row: row) }
        self.truth = truth
        self.predictions = predictions
    }

    var count: Double { Double(truth.count) }

    func mean(_ term: (Double, Double) -> Double) -> Double {
        var total = CompensatedSum()
        for (actual, predicted) in zip(truth, predictions) { total.add(term(actual, predicted)) }
        return total.value / count
    }

    /// The bias: mean of `prediction − truth`.
    public var meanError: Double { mean { $1 - $0 } }
    public var meanAbsoluteError: Double { mean { abs($1 - $0) } }
    public var meanSquaredError: Double { mean { ($1 - $0) * ($1 - $0) } }
    public var rootMeanSquaredError: Double { meanSquaredError.squareRoot() }
    public var maxError: Double { zip(truth, predictions).reduce(0) { max($0, abs($1.1 - $1.0)) } }

    /// Mean of |error| / |truth|; undefined when a true value is 0.
    public func meanAbsolutePercentageError() throws(StatisticsError) -> Double {
        if let row = truth.firstIndex(of: 0) {
            throw StatisticsError("MAPE divides by the true value, which is 0 in row \(row + 1); use WAPE or sMAPE for such data.")
        }
        return mean { abs($1 - $0) / abs($0) }
    }

    /// Mean of 2·|error| / (|truth| + |prediction|), a term being 0 where both are 0.
    public var symmetricMeanAbsolutePercentageError: Double {
        mean { actual, predicted in
            let denominator = abs(actual) + abs(predicted)
            return denominator == 0 ? 0 : 2 * abs(predicted - actual) / denominator
        }
    }

    /// Σ|error| / Σ|truth|: the error weighted by volume; undefined when every true value is 0.
    public func weightedAbsolutePercentageError() throws(StatisticsError) -> Double {
        let volume = CompensatedSum.of(truth.lazy.map { abs($0) })
        guard volume > 0 else { throw StatisticsError("WAPE divides by the total of the true values, which is 0.") }
        return CompensatedSum.of(zip(truth, predictions).lazy.map { abs($1 - $0) }) / volume
    }

    /// The coefficient of determination. With a constant truth it is 1 for perfect predictions and 0 otherwise,
    /// as scikit-learn reports it, rather than a division by zero.
    public var r2: Double {
        let average = CompensatedSum.of(truth) / count
        let residual = CompensatedSum.of(zip(truth, predictions).lazy.map { ($1 - $0) * ($1 - $0) })
        let total = CompensatedSum.of(truth.lazy.map { ($0 - average) * ($0 - average) })
        if total == 0 { return residual == 0 ? 1 : 0 }
        return 1 - residual / total
    }
}
