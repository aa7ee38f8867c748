import ArgumentParser
import Foundation
import StewardCore
import StewardJSON
import StewardStore
import StewardTables

/// `steward evaluate`: computes a test set's metrics offline, for any CI.
struct Evaluate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute evaluation metrics from a CSV or JSON Lines file, without a server.",
        discussion: """
            Examples:
              steward evaluate --task binary --data test.csv --label default \\
                --score p_default
              steward evaluate --task regression --data sales.jsonl --label units \\
                --prediction forecast --slice region --json > metrics.json
              steward evaluate --task binary --data loans.csv --label repaid --score p \\
                --sensitive sex --latency ms --cost usd
              steward evaluate --task text --data answers.jsonl --label reference \\
                --prediction output
            With --json the output is a JSON object of metric names to values, which `steward gate check --metrics` reads.
            """
    )

    @Option(name: .long, help: ArgumentHelp("What the predictions are.", valueName: "binary|multiclass|regression|text"))
    var task: EvaluationTask

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

    @Option(name: .long, help: ArgumentHelp("Sensitive attribute column for group fairness (binary tasks); repeatable.", valueName: "column"))
    var sensitive: [String] = []

    @Option(name: .long, help: ArgumentHelp("Column to compute every metric per value of as well; repeatable.", valueName: "column"))
    var slice: [String] = []

    @Option(name: .long, help: ArgumentHelp("Column with request latency in milliseconds.", valueName: "column"))
    var latency: String?

    @Option(name: .long, help: ArgumentHelp("Column flagging failed requests (1/0, true/false).", valueName: "column"))
    var error: String?

    @Option(name: .long, help: ArgumentHelp("Column with the cost of each request in US dollars.", valueName: "column"))
    var cost: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Text tasks: a JSON Schema (draft 2020-12) the outputs must satisfy; adds json_schema_compliance.", valueName: "file"))
    var jsonSchema: String?

    @Flag(name: .long, help: "Print the metrics as JSON.")
    var json = false

    @OptionGroup var recording: ServerRecordingOptions

    func validate() throws {
        guard prediction != nil || score != nil else { throw ValidationError("Give --prediction, --score or both.") }
        guard threshold.isFinite else { throw ValidationError("--threshold must be a number.") }
    }

    func run() async throws {
        if let server = recording.server { return try await record(on: server) }
        do {
            let wanted = Array(Set([label] + [prediction, score, latency, error, cost].compactMap { $0 } + sensitive + slice))
            let table = try TableFile(
                path: data, columns: wanted, categories: task.textColumns(label: label, prediction: prediction, grouping: sensitive + slice))
            func column(_ name: String?) -> TableColumn? { name.flatMap { table.columns[$0] } }
            let report = try task.metrics(
                EvaluationTask.Columns(
                    truth: table.columns[label] ?? [], prediction: column(prediction), score: column(score),
                    sensitive: Dictionary(sensitive.map { ($0, table.columns[$0] ?? []) }, uniquingKeysWith: { first, _ in first }),
                    slices: Dictionary(slice.map { ($0, table.columns[$0] ?? []) }, uniquingKeysWith: { first, _ in first }),
                    latency: column(latency), failed: column(error), cost: column(cost)),
                threshold: threshold, jsonSchema: try jsonSchema.map(Self.schema))
            print(json ? Self.json(report) : Self.text(report), terminator: "")
        } catch let error as StewardError {
            throw failing(error)
        }
    }

    static func schema(_ path: String) throws(StewardError) -> JSONSchema {
        guard let data = FileManager.default.contents(atPath: path) else { throw .invalidParameter("Cannot read the file '\(path)'.") }
        do { return try JSONSchema(data: data) } catch { throw .invalidParameter("'\(path)': \(error.message)") }
    }

    /// Sends the test set to a Steward server, which records the evaluation and the gate's verdict.
    func record(on server: String) async throws {
        var query = [
            ("system", recording.system ?? ""), ("model", recording.model ?? ""), ("version", recording.version ?? ""), ("task", task.rawValue),
            ("label", label),
            ("threshold", String(threshold)), ("name", (data as NSString).lastPathComponent),
            ("format", TableFile.Format(path: data) == .jsonl ? "jsonl" : "csv"),
        ]
        for (name, value) in [("prediction", prediction), ("score", score), ("latency", latency), ("error", error), ("cost", cost)] {
            if let value { query.append((name, value)) }
        }
        query += sensitive.map { ("sensitive", $0) } + slice.map { ("slice", $0) }
        if let jsonSchema {
            do { _ = try Self.schema(jsonSchema) } catch { throw failing(error) }
            query.append(("json_schema", String(decoding: FileManager.default.contents(atPath: jsonSchema) ?? Data(), as: UTF8.self)))
        }
        guard let body = FileManager.default.contents(atPath: data) else { throw failing(.invalidParameter("Cannot read the file '\(data)'.")) }
        let evaluation = try await EvaluationUpload.send(
            server: server, path: "/api/v1/evaluations", query: query, body: body, token: recording.token)
        if json {
            try StewardClient.print(json: evaluation)
        } else {
            let metrics = (evaluation["metrics"] as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.doubleValue }
            let undefined = evaluation["undefined_metrics"] as? [String: String] ?? [:]
            print(Self.text(MetricReport(values: metrics, undefined: undefined, counts: [:])), terminator: "")
            if let gate = evaluation["gate"], !(gate is NSNull),
                let result = try? JSONDecoder().decode(GateResult.self, from: try JSONSerialization.data(withJSONObject: gate))
            {
                print(result.table, terminator: "")
            } else {
                print("system \(recording.system ?? "") has no gate: steward gate set \(recording.system ?? "") --spec gate.yaml")
            }
            print(
                "Recorded evaluation \(evaluation["id"] ?? "") of '\(recording.model ?? "")' version \(recording.version ?? "") (run \(evaluation["run_id"] ?? ""))."
            )
        }
        if evaluation["gate_passed"] as? Bool == false, evaluation["gate"] != nil { throw ExitCode(1) }
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
