import ArgumentParser
import Foundation
import StewardCore

/// `steward gate check`: decides a gate from metrics files, exiting 1 when it fails, for any CI.
struct Gate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check metrics against a pass/fail gate, or set a system's gate.", subcommands: [Check.self, Set.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a system's gate (reviewer, compliance or admin); every evaluation of its models is checked against it.",
            discussion: """
                Example:
                  steward gate set sys-1a2b3c4d --spec gate.yaml
                gate.yaml:
                  name: churn
                  conditions:
                    - roc_auc >= 0.8
                    - f1 >= champion.f1 * 0.98
                """)

        @Argument(help: "System id (sys-…).")
        var system: String

        @Option(name: .long, help: ArgumentHelp("The gate spec (YAML).", valueName: "file"))
        var spec: String

        @OptionGroup var api: APIOptions

        func run() async throws {
            try await api.putYAML(file: spec, to: "/api/v1/systems/\(system)/gate")
            print("Set the gate of \(system) from \(spec).")
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print each condition with value, threshold and result; exit 1 if the gate fails.",
            discussion: """
                gate.yaml:
                  name: churn-model
                  conditions:
                    - roc_auc >= 0.8
                    - f1 >= champion.f1 * 0.98
                Metrics files are JSON objects of metric names to numbers (`steward evaluate --json`).
                Without --champion, conditions relative to the champion are skipped.
                With --server, the metrics are recorded as an evaluation of --model --model-version in --system and checked
                against the system's gate spec on the server, with its current champion:
                  steward gate check --server http://steward:5000 --system sys-… \\
                    --model churn --model-version 7 --task binary --metrics metrics.json
                """
        )

        @Option(name: .long, help: ArgumentHelp("The gate spec (YAML); not with --server, which uses the system's.", valueName: "file"))
        var spec: String?

        @Option(name: .long, help: ArgumentHelp("The candidate's metrics (JSON).", valueName: "file"))
        var metrics: String

        @Option(name: .long, help: ArgumentHelp("The current champion's metrics (JSON).", valueName: "file"))
        var champion: String?

        @Flag(name: .long, help: "Print the result as JSON.")
        var json = false

        @OptionGroup var recording: ServerRecordingOptions

        @Option(name: .long, help: ArgumentHelp("With --server: what the predictions are.", valueName: "binary|multiclass|regression|text"))
        var task: EvaluationTask?

        func validate() throws {
            if recording.server == nil {
                guard spec != nil else { throw ValidationError("Give --spec (or --server to use the system's gate).") }
            } else {
                guard task != nil else { throw ValidationError("--server needs --system, --model, --model-version and --task.") }
                guard spec == nil, champion == nil else {
                    throw ValidationError("With --server the system's gate and champion are used; leave out --spec and --champion.")
                }
            }
        }

        func run() async throws {
            if let server = recording.server { return try await record(on: server) }
            do {
                let gate = try GateSpec(yaml: try Self.read(spec ?? ""))
                let result = gate.check(try Self.metrics(metrics), champion: try champion.map(Self.metrics))
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                    print(String(decoding: try encoder.encode(result), as: UTF8.self))
                } else {
                    print(result.table, terminator: "")
                }
                if !result.passed { throw ExitCode(1) }
            } catch let error as StewardError {
                throw failing(error)
            }
        }

        /// Sends the metrics to the server, which records them and decides its gate for the system.
        func record(on server: String) async throws {
            guard let body = FileManager.default.contents(atPath: metrics) else {
                throw failing(.invalidParameter("Cannot read the file '\(metrics)'."))
            }
            let query = [
                ("model", recording.model ?? ""), ("version", recording.version ?? ""), ("task", task?.rawValue ?? ""),
                ("name", (metrics as NSString).lastPathComponent),
            ]
            let evaluation = try await EvaluationUpload.send(
                server: server, path: "/api/v1/systems/\(recording.system ?? "")/gate/check", query: query, body: body, token: recording.token)
            guard let gate = evaluation["gate"], !(gate is NSNull) else {
                throw failing(.invalidParameter("The metrics were recorded, but system '\(recording.system ?? "")' has no gate spec."))
            }
            let result = try JSONDecoder().decode(GateResult.self, from: try JSONSerialization.data(withJSONObject: gate))
            if json {
                let printed = try JSONSerialization.data(withJSONObject: evaluation, options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: printed, as: UTF8.self))
            } else {
                print(result.table, terminator: "")
            }
            if !result.passed { throw ExitCode(1) }
        }

        static func read(_ path: String) throws(StewardError) -> String {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw .invalidParameter("Cannot read the file '\(path)'.") }
            return text
        }

        /// A JSON object's numeric members; other members (such as names) are ignored.
        static func metrics(_ path: String) throws(StewardError) -> [String: Double] {
            guard let object = try? JSONSerialization.jsonObject(with: Data(try read(path).utf8)) as? [String: Any] else {
                throw .invalidParameter("'\(path)' is not a JSON object of metric names to numbers.")
            }
            var values: [String: Double] = [:]
            for (name, value) in object {
                if let number = value as? NSNumber, type(of: value) != Bool.self, number.doubleValue.isFinite { values[name] = number.doubleValue }
            }
            return values
        }
    }
}
