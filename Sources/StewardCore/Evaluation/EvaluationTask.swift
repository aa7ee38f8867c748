import Foundation
import StewardStatistics

/// What kind of predictions an evaluation scores, and how the columns of a test set are read for it.
public enum EvaluationTask: String, Sendable, Codable, CaseIterable, NamedChoice {
    case binary
    case multiclass
    case regression

    public static let choiceName = "task"

    /// The columns an evaluation reads: true values, and predictions as labels or values, scores (the
    /// positive class's probability, for binary tasks) or both.
    public struct Columns: Sendable {
        public var truth: [String]
        public var prediction: [String]?
        public var score: [String]?

        public init(truth: [String], prediction: [String]?, score: [String]?) {
            self.truth = truth
            self.prediction = prediction
            self.score = score
        }
    }

    /// Computes every metric of the task from the columns, naming the row of any value that cannot be read.
    public func metrics(_ columns: Columns, threshold: Double = 0.5) throws(StewardError) -> MetricReport {
        do {
            switch self {
            case .binary: return try Self.binary(columns, threshold: threshold)
            case .multiclass: return try Self.multiclass(columns)
            case .regression: return try Self.regression(columns)
            }
        } catch let error as StatisticsError {
            throw .invalidParameter(error.message)
        } catch let error as StewardError {
            throw error
        } catch {
            throw .invalidParameter("\(error)")
        }
    }

    static func binary(_ columns: Columns, threshold: Double) throws -> MetricReport {
        let labels = try columns.truth.enumerated().map { row, text in try positive(text, row: row, column: "true value") }
        let scores: [Double]
        if let score = columns.score {
            scores = try numbers(score, "score")
        } else if let prediction = columns.prediction {
            scores = try prediction.enumerated().map { row, text in try positive(text, row: row, column: "prediction") ? 1 : 0 }
        } else {
            throw StewardError.invalidParameter("A binary evaluation needs a prediction or a score column.")
        }
        let metrics = try BinaryClassificationMetrics(labels: labels, scores: scores, threshold: columns.score == nil ? 0.5 : threshold)
        var report = MetricReport(counts: [
            "rows": labels.count, "positives": labels.filter { $0 }.count, "true_positives": metrics.truePositives,
            "false_positives": metrics.falsePositives, "false_negatives": metrics.falseNegatives, "true_negatives": metrics.trueNegatives,
        ])
        for (name, value) in [
            ("accuracy", metrics.accuracy), ("precision", metrics.precision), ("recall", metrics.recall), ("f1", metrics.f1),
            ("precision_macro", metrics.precisionMacro), ("recall_macro", metrics.recallMacro), ("f1_macro", metrics.f1Macro),
            ("f1_weighted", metrics.f1Weighted),
        ] {
            report.values[name] = value
        }
        report.record("roc_auc") { try metrics.rocAUC() }
        report.record("pr_auc") { try metrics.averagePrecision() }
        if columns.score != nil {
            report.record("log_loss") { try metrics.logLoss() }
            report.record("brier") { try metrics.brier() }
        }
        return report
    }

    static func multiclass(_ columns: Columns) throws -> MetricReport {
        guard let prediction = columns.prediction else { throw StewardError.invalidParameter("A multiclass evaluation needs a prediction column.") }
        let classes = Array(Set(columns.truth + prediction)).sorted()
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let oneHot = prediction.map { label in classes.indices.map { $0 == index[label] ? 1.0 : 0.0 } }
        let metrics = try MulticlassClassificationMetrics(labels: columns.truth.map { index[$0] ?? 0 }, probabilities: oneHot)
        return MetricReport(
            values: [
                "accuracy": metrics.accuracy, "precision_macro": metrics.precisionMacro, "recall_macro": metrics.recallMacro,
                "f1_macro": metrics.f1Macro, "precision_weighted": metrics.precisionWeighted, "recall_weighted": metrics.recallWeighted,
                "f1_weighted": metrics.f1Weighted,
            ], counts: ["rows": columns.truth.count, "classes": classes.count])
    }

    static func regression(_ columns: Columns) throws -> MetricReport {
        guard let prediction = columns.prediction else { throw StewardError.invalidParameter("A regression evaluation needs a prediction column.") }
        let metrics = try RegressionMetrics(truth: try numbers(columns.truth, "true value"), predictions: try numbers(prediction, "prediction"))
        var report = MetricReport(
            values: [
                "mean_error": metrics.meanError, "mae": metrics.meanAbsoluteError, "mse": metrics.meanSquaredError,
                "rmse": metrics.rootMeanSquaredError, "smape": metrics.symmetricMeanAbsolutePercentageError, "r2": metrics.r2,
                "max_error": metrics.maxError,
            ], counts: ["rows": columns.truth.count])
        report.record("mape") { try metrics.meanAbsolutePercentageError() }
        report.record("wape") { try metrics.weightedAbsolutePercentageError() }
        return report
    }

    static func numbers(_ texts: [String], _ column: String) throws(StewardError) -> [Double] {
        var values: [Double] = []
        values.reserveCapacity(texts.count)
        for (row, text) in texts.enumerated() {
            guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
                throw .invalidParameter("The \(column) in row \(row + 1) is '\(text)', not a finite number.")
            }
            values.append(value)
        }
        return values
    }

    /// Reads 1/0, true/false, yes/no (any case) as the positive class or not.
    static func positive(_ text: String, row: Int, column: String) throws(StewardError) -> Bool {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "1", "1.0", "true", "yes": return true
        case "0", "0.0", "false", "no": return false
        default: throw .invalidParameter("The \(column) in row \(row + 1) is '\(text)'; binary classes are 1/0, true/false or yes/no.")
        }
    }
}
