import Foundation
import StewardJSON
import StewardStatistics

/// What kind of predictions an evaluation scores, and how the columns of a test set are read for it.
public enum EvaluationTask: String, Sendable, Codable, CaseIterable, NamedChoice {
    case binary
    case multiclass
    case regression
    /// Generated text against references.
    case text

    public static let choiceName = "task"

    /// The columns an evaluation reads: true values, and predictions as labels or values, scores (the
    /// positive class's probability, for binary tasks) or both.
    public struct Columns: Sendable {
        public var truth: TableColumn
        public var prediction: TableColumn?
        public var score: TableColumn?
        /// Sensitive attributes by name, for group fairness of binary decisions.
        public var sensitive: [String: TableColumn]
        /// Attributes to compute every metric for per value as well (`slice.region.north.accuracy`).
        public var slices: [String: TableColumn]
        /// Request latency in milliseconds, whether the request failed (1/0), and its cost in US dollars.
        public var latency: TableColumn?
        public var failed: TableColumn?
        public var cost: TableColumn?

        public init(
            truth: TableColumn, prediction: TableColumn?, score: TableColumn?, sensitive: [String: TableColumn] = [:],
            slices: [String: TableColumn] = [:], latency: TableColumn? = nil, failed: TableColumn? = nil, cost: TableColumn? = nil
        ) {
            self.truth = truth
            self.prediction = prediction
            self.score = score
            self.sensitive = sensitive
            self.slices = slices
            self.latency = latency
            self.failed = failed
            self.cost = cost
        }

        /// Plain text columns, as endpoints, judges and JSON Lines files give them.
        public init(
            truth: [String], prediction: [String]?, score: [String]?, sensitive: [String: [String]] = [:], slices: [String: [String]] = [:],
            latency: [String]? = nil, failed: [String]? = nil, cost: [String]? = nil
        ) {
            self.init(
                truth: .texts(truth), prediction: prediction.map(TableColumn.texts), score: score.map(TableColumn.texts),
                sensitive: sensitive.mapValues(TableColumn.texts), slices: slices.mapValues(TableColumn.texts),
                latency: latency.map(TableColumn.texts), failed: failed.map(TableColumn.texts), cost: cost.map(TableColumn.texts))
        }

        /// The rows at `indices`, for one slice (its core metrics only).
        func rows(_ indices: [Int]) -> Columns {
            Columns(truth: truth.rows(indices), prediction: prediction?.rows(indices), score: score?.rows(indices))
        }
    }

    /// The columns read as exact text rather than numbers: classes and outputs of multiclass and text tasks,
    /// sensitive attributes and slices.
    public func textColumns(label: String, prediction: String?, grouping: [String]) -> Set<String> {
        let classes = self == .multiclass || self == .text ? [label] + (prediction.map { [$0] } ?? []) : []
        return Set(classes + grouping)
    }

    /// Computes every metric of the task from the columns, naming the row of any value that cannot be read.
    /// `jsonSchema` adds `json_schema_compliance` to text tasks: the share of outputs that are JSON satisfying it.
    /// User-given patterns (text references, a schema's `pattern`) share one `RegexBudget` per call.
    public func metrics(_ columns: Columns, threshold: Double = 0.5, jsonSchema: JSONSchema? = nil) throws(StewardError) -> MetricReport {
        do {
            var report = try RegexBudget.$current.withValue(RegexBudget()) {
                try unboundedMetrics(columns, threshold: threshold, jsonSchema: jsonSchema)
            }
            report.undefineNonFinite()
            return report
        } catch let error as StewardError {
            throw error
        } catch {
            throw .invalidParameter("\(error)")
        }
    }

    func unboundedMetrics(_ columns: Columns, threshold: Double, jsonSchema: JSONSchema?) throws(StewardError) -> MetricReport {
        do {
            var report = try core(columns, threshold: threshold)
            if let jsonSchema {
                guard self == .text, let outputs = columns.prediction else {
                    throw StewardError.invalidParameter("A JSON schema checks the outputs of a text task (--prediction).")
                }
                report.record("json_schema_compliance") { try JSONOutputs(outputs: outputs.texts).compliance(with: jsonSchema) }
            }
            if !columns.sensitive.isEmpty {
                guard self == .binary else { throw StewardError.invalidParameter("Fairness needs a binary task.") }
                try Self.fairness(columns, threshold: threshold, into: &report)
            }
            try Self.operational(columns, into: &report)
            for (attribute, values) in columns.slices.sorted(by: { $0.key < $1.key }) {
                guard values.count == columns.truth.count else {
                    throw StewardError.invalidParameter("The slice column '\(attribute)' has \(values.count) values for \(columns.truth.count) rows.")
                }
                let (codes, names) = values.grouped
                var rowsBySlice = Array(repeating: [Int](), count: names.count)
                for (row, code) in codes.enumerated() { rowsBySlice[Int(code)].append(row) }
                for (value, rows) in zip(names, rowsBySlice) where !rows.isEmpty {
                    let prefix = "slice.\(attribute).\(value)."
                    do {
                        let slice = try core(columns.rows(rows), threshold: threshold)
                        for (name, metric) in slice.values { report.values[prefix + name] = metric }
                        for (name, reason) in slice.undefined { report.undefined[prefix + name] = reason }
                        report.counts[prefix + "rows"] = rows.count
                    } catch let error as StatisticsError {
                        report.undefined[prefix + "metrics"] = error.message
                    }
                }
            }
            return report
        } catch let error as StatisticsError {
            throw .invalidParameter(error.message)
        } catch let error as StewardError {
            throw error
        } catch {
            throw .invalidParameter("\(error)")
        }
    }

    func core(_ columns: Columns, threshold: Double) throws -> MetricReport {
        switch self {
        case .binary: try Self.binary(columns, threshold: threshold)
        case .multiclass: try Self.multiclass(columns)
        case .regression: try Self.regression(columns)
        case .text: try Self.text(columns)
        }
    }

    static func text(_ columns: Columns) throws -> MetricReport {
        guard let prediction = columns.prediction else {
            throw StewardError.invalidParameter("A text evaluation needs an output column (--prediction).")
        }
        let metrics = try TextMetrics(references: columns.truth.texts, candidates: prediction.texts)
        var report = MetricReport(
            values: [
                "exact_match": metrics.exactMatch, "contains": metrics.contains, "bleu": metrics.bleu, "rouge1": metrics.rouge(1),
                "rouge2": metrics.rouge(2), "rouge_l": metrics.rougeL, "json_validity": JSONOutputs(outputs: prediction.texts).validity,
            ], counts: ["rows": columns.truth.count])
        report.record("regex_match") { try RegexMatchMetric.value(references: metrics.references, outputs: metrics.candidates) }
        return report
    }

    /// Group fairness per sensitive attribute, from the decisions at the threshold (or the hard predictions).
    static func fairness(_ columns: Columns, threshold: Double, into report: inout MetricReport) throws {
        let labels = try flags(columns.truth, "true value")
        let decisions: [Bool]
        if let score = columns.score {
            decisions = try numbers(score, "score").map { $0 >= threshold }
        } else {
            decisions = try flags(columns.prediction ?? .texts([]), "prediction")
        }
        for (attribute, groups) in columns.sensitive.sorted(by: { $0.key < $1.key }) {
            let prefix = "fairness.\(attribute)."
            let metrics = try FairnessMetrics(labels: labels, predictions: decisions, groups: groups.texts)
            report.values[prefix + "dp_difference"] = metrics.demographicParityDifference
            report.values[prefix + "four_fifths_violation"] = metrics.violatesFourFifthsRule ? 1 : 0
            report.record(prefix + "dp_ratio") { try metrics.demographicParityRatio() }
            report.record(prefix + "equalized_odds_difference") { try metrics.equalizedOddsDifference() }
            for group in metrics.groups {
                report.counts[prefix + group.name + ".size"] = group.size
                report.values[prefix + group.name + ".selection_rate"] = group.selectionRate
                if let rate = group.truePositiveRate { report.values[prefix + group.name + ".tpr"] = rate }
                if let rate = group.falsePositiveRate { report.values[prefix + group.name + ".fpr"] = rate }
            }
        }
    }

    /// Latency percentiles, error rate and cost per request, from whichever of those columns are given.
    static func operational(_ columns: Columns, into report: inout MetricReport) throws {
        if let latency = columns.latency {
            let percentiles = try OperationalMetrics.latencyPercentiles(try numbers(latency, "latency"))
            report.values["latency_p50_ms"] = percentiles.p50
            report.values["latency_p95_ms"] = percentiles.p95
            report.values["latency_p99_ms"] = percentiles.p99
        }
        if let failed = columns.failed {
            report.values["error_rate"] = try OperationalMetrics.errorRate(try flags(failed, "error flag"))
        }
        if let cost = columns.cost {
            report.values["cost_per_request_usd"] = try OperationalMetrics.costPerRequest(try numbers(cost, "cost"))
        }
    }

    static func binary(_ columns: Columns, threshold: Double) throws -> MetricReport {
        let labels = try flags(columns.truth, "true value")
        let scores: [Double]
        if let score = columns.score {
            scores = try numbers(score, "score")
        } else if let prediction = columns.prediction {
            scores = try flags(prediction, "prediction").map { $0 ? 1 : 0 }
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
        let truth = columns.truth.texts
        let predicted = prediction.texts
        let classes = Array(Set(truth + predicted)).sorted()
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let oneHot = predicted.map { label in classes.indices.map { $0 == index[label] ? 1.0 : 0.0 } }
        let metrics = try MulticlassClassificationMetrics(labels: truth.map { index[$0] ?? 0 }, probabilities: oneHot)
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

    static func numbers(_ column: TableColumn, _ name: String) throws(StewardError) -> [Double] {
        try column.map(
            number: { $0.isFinite ? $0 : nil }, text: { Double(trimmed($0)).flatMap { $0.isFinite ? $0 : nil } },
            failure: { row, text in .invalidParameter("The \(name) in row \(row + 1) is '\(text)', not a finite number.") })
    }

    /// Each row read as the positive class or not (see `positive`).
    static func flags(_ column: TableColumn, _ name: String) throws(StewardError) -> [Bool] {
        try column.map(
            number: { $0 == 1 ? true : $0 == 0 ? false : nil }, text: { try? positive($0, row: 0, column: name) },
            failure: { row, text in
                .invalidParameter("The \(name) in row \(row + 1) is '\(text)'; binary classes are 1/0, true/false or yes/no.")
            })
    }

    /// The text without surrounding spaces; most cells have none, and those skip Foundation's trimming.
    static func trimmed(_ text: String) -> String {
        guard let first = text.first, let last = text.last, first.isWhitespace || last.isWhitespace else { return text }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// Reads 1/0, true/false, yes/no (any case) as the positive class or not.
    static func positive(_ text: String, row: Int, column: String) throws(StewardError) -> Bool {
        if text == "1" { return true }
        if text == "0" { return false }
        switch trimmed(text).lowercased() {
        case "1", "1.0", "true", "yes": return true
        case "0", "0.0", "false", "no": return false
        default: throw .invalidParameter("The \(column) in row \(row + 1) is '\(text)'; binary classes are 1/0, true/false or yes/no.")
        }
    }
}
