import ArgumentParser
import Foundation
import StewardCore
import StewardStore

/// `steward evaluate`: computes a test set's metrics offline, for any CI.
struct Evaluate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute evaluation metrics from a CSV or JSON Lines file, without a server.",
        discussion: """
            Examples:
              steward evaluate --task binary --data test.csv --label default --score p_default
              steward evaluate --task regression --data sales.jsonl --label units --prediction forecast --json > metrics.json
            With --json the output is a JSON object of metric names to values, which `steward gate check --metrics` reads.
            """
    )

    @Option(name: .long, help: ArgumentHelp("What the predictions are.", valueName: "binary|multiclass|regression"))
    var task: String

    @Option(name: .long, help: ArgumentHelp("Test set: CSV with a header row, or JSON Lines (.jsonl).", valueName: "file"))
    var data: String

    @Option(name: .long, help: "Column with the true values.")
    var label: String

    @Option(name: .long, help: "Column with the predicted classes or values.")
    var prediction: String?

    @Option(name: .long, help: "Column with the positive class's probability (binary tasks).")
    var score: String?

    @Option(name: .long, help: "Score at or above which a row is predicted positive.")
    var threshold = 0.5

    @Flag(name: .long, help: "Print the metrics as JSON.")
    var json = false

    func validate() throws {
        do { _ = try EvaluationTask(parsing: task) } catch { throw ValidationError(error.message) }
        guard prediction != nil || score != nil else { throw ValidationError("Give --prediction, --score or both.") }
        guard threshold.isFinite else { throw ValidationError("--threshold must be a number.") }
    }

    func run() throws {
        do {
            let task = try EvaluationTask(parsing: task)
            let wanted = [label] + [prediction, score].compactMap { $0 }
            let table = try TableFile(path: data, columns: wanted)
            let report = try task.metrics(
                EvaluationTask.Columns(
                    truth: table.columns[label] ?? [], prediction: prediction.flatMap { table.columns[$0] },
                    score: score.flatMap { table.columns[$0] }),
                threshold: threshold)
            print(json ? Self.json(report) : Self.text(report), terminator: "")
        } catch let error as StewardError {
            throw failing(error)
        }
    }

    static func json(_ report: MetricReport) -> String {
        var object: [String: Any] = report.values
        for (name, count) in report.counts { object[name] = count }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func text(_ report: MetricReport) -> String {
        let width = (Array(report.values.keys) + Array(report.undefined.keys) + Array(report.counts.keys)).map(\.count).max() ?? 0
        var lines = report.counts.sorted { $0.key < $1.key }.map { "\($0.key.padding(toLength: width, withPad: " ", startingAt: 0))  \($0.value)" }
        lines += report.values.sorted { $0.key < $1.key }.map {
            "\($0.key.padding(toLength: width, withPad: " ", startingAt: 0))  \(String(format: "%.10g", $0.value))"
        }
        lines += report.undefined.sorted { $0.key < $1.key }.map {
            "\($0.key.padding(toLength: width, withPad: " ", startingAt: 0))  undefined: \($0.value)"
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
