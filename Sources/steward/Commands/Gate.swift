import ArgumentParser
import Foundation
import StewardCore

/// `steward gate check`: decides a gate from metrics files, exiting 1 when it fails, for any CI.
struct Gate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check metrics against a pass/fail gate.", subcommands: [Check.self])

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
                """
        )

        @Option(name: .long, help: ArgumentHelp("The gate spec (YAML).", valueName: "file"))
        var spec: String

        @Option(name: .long, help: ArgumentHelp("The candidate's metrics (JSON).", valueName: "file"))
        var metrics: String

        @Option(name: .long, help: ArgumentHelp("The current champion's metrics (JSON).", valueName: "file"))
        var champion: String?

        @Flag(name: .long, help: "Print the result as JSON.")
        var json = false

        func run() throws {
            do {
                let gate = try GateSpec(yaml: try Self.read(spec))
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
