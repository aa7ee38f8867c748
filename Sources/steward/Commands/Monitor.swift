import ArgumentParser
import Foundation
import StewardCore
import StewardJSON
import StewardStore

/// `steward monitor status`: a system's five monitoring categories over a window, from the store.
struct Monitor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Production monitoring of registered systems.", subcommands: [Status.self, Reference.self, Rules.self])

    struct Reference: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a system's drift reference from training data: a registered test set, or a file logged with a run.",
            discussion: """
                Examples:
                  steward monitor reference sys-1a2b3c4d --model churn --model-version 1 \\
                    --artifact-path data/train.csv
                  steward monitor reference sys-1a2b3c4d --run-id 5f0c… \\
                    --artifact-path data/train.csv
                  steward monitor reference sys-1a2b3c4d --dataset churn-train \\
                    --dataset-version 2
                """)

        @Argument(help: "System id (sys-…).")
        var system: String

        @Option(name: .long, help: "A registered test set of the system.")
        var dataset: String?

        @Option(name: .long, help: ArgumentHelp("With --dataset: its version (default the latest).", valueName: "n"))
        var datasetVersion: String?

        @Option(name: .long, help: "The run that logged the file.")
        var runId: String?

        @Option(name: .long, help: "The registered model whose version's run logged the file (and which the reference is for).")
        var model: String?

        /// `--model-version`, since `--version` prints the program's version.
        @Option(name: .customLong("model-version"), help: ArgumentHelp("With --model: the version.", valueName: "n"))
        var modelVersion: String?

        @Option(name: .long, help: ArgumentHelp("The CSV or JSON Lines file in the run's artifacts.", valueName: "path"))
        var artifactPath: String?

        @Option(name: .long, help: ArgumentHelp("Only these columns (repeatable).", valueName: "column"))
        var feature: [String] = []

        @OptionGroup var api: APIOptions

        func run() async throws {
            let given: [(String, String?)] = [
                ("dataset", dataset), ("version", datasetVersion), ("run_id", runId), ("model", model), ("model_version", modelVersion),
                ("artifact_path", artifactPath),
            ]
            var body: [String: Any] = Dictionary(uniqueKeysWithValues: given.compactMap { name, value in value.map { (name, $0 as Any) } })
            if !feature.isEmpty { body["features"] = feature }
            let (system, request) = (system, body)
            let requestJSON = try StewardClient.encode(request)
            let answer = try StewardClient.object(
                try await api.withClient { client in try await client.json("PUT", "/api/v1/systems/\(system)/reference", body: requestJSON) })
            let reference = answer["reference"] as? [String: Any] ?? [:]
            let features = (reference["features"] as? [String: Any] ?? [:]).keys.sorted()
            print(
                "Set reference version \(reference["version"] ?? "?") of \(system) from \(reference["source"] ?? "?"): "
                    + features.joined(separator: ", ") + ".")
        }
    }

    struct Rules: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a system's alert rules from YAML (reviewer, compliance or admin).",
            discussion: """
                Example:
                  steward monitor rules sys-1a2b3c4d --file rules.yaml
                rules.yaml:
                  window: 1h
                  conditions:
                    - latency_p95_ms <= 200
                    - drift_share < 0.3
                """)

        @Argument(help: "System id (sys-…).")
        var system: String

        @Option(name: .long, help: ArgumentHelp("The alert rules (YAML).", valueName: "file"))
        var file: String

        @OptionGroup var api: APIOptions

        func run() async throws {
            try await api.putYAML(file: file, to: "/api/v1/systems/\(system)/alerts/rules")
            print("Set the alert rules of \(system) from \(file).")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Summarise performance, quality, cost, data and safety of a system over a window.",
            discussion: "Example: steward monitor status sys-1a2b3c --window 24h")

        @Argument(help: "The AI system's id.")
        var system: String

        @Option(name: .long, help: ArgumentHelp("How far back: 15m, 24h, 7d…", valueName: "duration"))
        var window = "24h"

        @Flag(name: .long, help: "Print the status as JSON.")
        var json = false

        @OptionGroup var options: StoreOptions

        func validate() throws { try options.requireExistingStore() }

        func run() async throws {
            let system = self.system
            do {
                let milliseconds = try AlertRules.duration(window)
                let status = try await options.withServices { services in
                    try await services.events.status(systemID: system, window: milliseconds)
                }
                if json {
                    print(String(decoding: try SnakeCaseJSON.encoder(pretty: true).encode(status), as: UTF8.self))
                } else {
                    print(Self.text(status, window: window), terminator: "")
                }
            } catch let error as StewardError {
                throw failing(error)
            }
        }

        /// The drift line: each feature's statistic against its threshold, drifted ones marked, and the drifted share.
        static func drift(_ data: MonitorStatus.Data) -> String {
            guard let drift = data.drift else { return "drift        no reference profile: PUT /api/v1/systems/{id}/reference to compare with one" }
            let features = drift.features.map { feature in
                let name = feature.method.isTest ? "p" : feature.method.rawValue
                let value = String(format: "%.4g", feature.pValue ?? feature.statistic)
                return "\(feature.feature) \(name) \(value)\(feature.drifted ? " DRIFTED" : "")"
            }
            let undefined = drift.undefined.sorted { $0.key < $1.key }.map { "\($0.key) undefined (\($0.value))" }
            let share = String(format: "%.0f%% of features drifted", drift.driftShare * 100)
            let verdict = (drift.drifted ? "DRIFTED, at " : "below ") + String(format: "%.0f%%", drift.shareThreshold * 100)
            return "drift        \(share) (\(verdict))"
                + ((features + undefined).isEmpty ? "" : ": " + (features + undefined).joined(separator: ", "))
                + (data.referenceVersion.map { ", reference v\($0)" } ?? "")
        }

        static func text(_ status: MonitorStatus, window: String) -> String {
            func number(_ value: Double?, _ suffix: String = "") -> String { value.map { String(format: "%.4g", $0) + suffix } ?? "-" }
            func percent(_ value: Double?) -> String { value.map { String(format: "%.2f%%", $0 * 100) } ?? "-" }
            let performance = status.performance
            let quality = status.quality
            let cost = status.cost
            let safety = status.safety
            return """
                \(status.systemID), last \(window)
                performance  \(performance.requests) requests, error rate \(percent(performance.errorRate)), latency p50 \(number(performance.latencyP50Ms, " ms")) p95 \(number(performance.latencyP95Ms, " ms")) p99 \(number(performance.latencyP99Ms, " ms"))
                quality      \(quality.labeled) labeled, accuracy \(percent(quality.accuracy)), MAE \(number(quality.meanAbsoluteError)), WAPE \(percent(quality.wape)), negative feedback \(percent(quality.negativeFeedbackRate)) of \(quality.feedbackCount)
                cost         \(cost.tokensIn) tokens in, \(cost.tokensOut) out, $\(String(format: "%.4f", cost.totalUSD)) total, \(number(cost.costPerRequestUSD.map { $0 }, " $/request"))
                data         \(status.data.eventsWithFeatures) events with features: \(status.data.features.joined(separator: ", "))
                \(Self.drift(status.data))
                safety       \(safety.flagged) flagged (\(percent(safety.flaggedRate)))\(safety.byFlag.isEmpty ? "" : ": " + safety.byFlag.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))

                """
        }
    }
}
