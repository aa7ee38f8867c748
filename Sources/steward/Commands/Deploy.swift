import ArgumentParser
import Foundation

/// `steward deploy ...`: a system's traffic split between model servers, and its decisions.
struct Deploy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deploy model versions behind Steward's router: canary, A/B, shadow; see and steer them.",
        discussion: """
            Clients then call POST /serve/<system>/invocations with MLflow's pyfunc body. Each model server's
            host must be allowed (steward serve --allow-endpoint-host HOST). A canary, champion first:
              steward deploy create sys-1a2b3c4d --mode canary \\
                --arm churn:1=http://127.0.0.1:5001/invocations@95 \\
                --arm churn:2=http://127.0.0.1:5002/invocations@5
              steward deploy status dep-1a2b3c4d
            """,
        subcommands: [Create.self, Status.self, Weights.self, Promote.self, Rollback.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deploy a system's model versions, replacing its live deployment.",
            discussion: """
                Each --arm is MODEL:VERSION=ENDPOINT@WEIGHT; weights are percentages summing to 100.
                Example:
                  steward deploy create sys-1a2b3c4d --mode shadow \\
                    --arm churn:1=http://127.0.0.1:5001/invocations@100 \\
                    --arm churn:2=http://127.0.0.1:5002/invocations@0
                """)

        @Argument(help: "The AI system's id (sys-…).")
        var system: String

        @Option(name: .long, help: ArgumentHelp("How the arms share traffic.", valueName: "single|canary|ab|shadow"))
        var mode: String

        @Option(name: .long, help: ArgumentHelp("An arm (repeatable), champion first.", valueName: "model:version=url@weight"))
        var arm: [DeploymentArm]

        @Option(name: .long, help: "The request field that keys units when no X-Steward-Unit header is sent.")
        var unitField: String?

        @Option(name: .long, help: ArgumentHelp("A canary's steps in percent, comma-separated.", valueName: "5,10,25,50,100"))
        var steps: String?

        @Option(name: .long, help: "Units the challenger serves at a step before it may advance.")
        var minUnits: Int?

        @Option(name: .long, help: ArgumentHelp("What the arms are compared on.", valueName: "error_rate|accuracy|mae|conversion|judge_score"))
        var primaryMetric: String?

        @Option(
            name: .long,
            help: ArgumentHelp(
                "A metric that rolls the challenger back at once when it is significantly worse (repeatable).",
                valueName: "accuracy|mae|conversion|judge_score"))
        var guardrailMetric: [String] = []

        @Flag(name: .shortAndLong, help: "Print only the deployment's id (for scripts).")
        var quiet = false

        @OptionGroup var api: APIOptions

        func run() async throws {
            var body: [String: Any] = ["mode": mode, "arms": arm.map(\.json)]
            if let unitField { body["unit_field"] = unitField }
            var analysis: [String: Any] = [:]
            if let steps {
                let values = steps.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
                guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else {
                    throw ValidationError("--steps is a list of percentages such as 5,10,25,50,100.")
                }
                analysis["steps"] = values.compactMap { $0 }
            }
            if let minUnits { analysis["minimum_units"] = minUnits }
            if let primaryMetric { analysis["primary_metric"] = primaryMetric }
            if !guardrailMetric.isEmpty { analysis["guardrail_metrics"] = guardrailMetric }
            if !analysis.isEmpty { body["analysis"] = analysis }
            let bodyJSON = try StewardClient.encode(body)
            let answer = try StewardClient.object(
                try await api.withClient { client in try await client.json("POST", "/api/v1/systems/\(system)/deployments", body: bodyJSON) })
            let deployment = answer["deployment"] as? [String: Any] ?? [:]
            let id = deployment["id"] as? String ?? ""
            if quiet { return print(id) }
            print(
                "Deployed \(id) (\(mode)): \(Deploy.describe(deployment)). Clients call POST /serve/\(system)/invocations; see: steward deploy status \(id)"
            )
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Per-arm counts and metrics, the sequential test's p-value and the decision the analysis would take.",
            discussion: "Example: steward deploy status dep-1a2b3c4d")

        @Argument(help: "The deployment's id (dep-…).")
        var deployment: String

        @Flag(name: .long, help: "Print the deployment as JSON.")
        var json = false

        @OptionGroup var api: APIOptions

        func run() async throws {
            let answer = try StewardClient.object(
                try await api.withClient { client in try await client.json("GET", "/api/v1/deployments/\(deployment)") })
            if json { return try StewardClient.print(json: answer) }
            let shown = answer["deployment"] as? [String: Any] ?? [:]
            print("\(shown["id"] ?? "") on \(shown["system_id"] ?? ""): \(shown["mode"] ?? "") deployment, \(shown["state"] ?? "")")
            let metricNames = [
                "error_rate", "latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "accuracy", "mae", "wape", "conversion", "judge_score",
            ]
            print(
                (["ARM", "MODEL", "VERSION", "WEIGHT", "REQUESTS", "ERRORS", "UNITS", "STEP UNITS", "LABELED"]
                    + ["ERROR RATE", "P50 MS", "P95 MS", "P99 MS", "ACCURACY", "MAE", "WAPE", "CONVERSION", "JUDGE"]).joined(separator: "\t"))
            for arm in shown["arms"] as? [[String: Any]] ?? [] {
                let counts = arm["counts"] as? [String: Any] ?? [:]
                let metrics = arm["metrics"] as? [String: Any] ?? [:]
                let cells =
                    [arm["name"], arm["model"], arm["version"], arm["weight"]].map { "\($0 ?? "")" }
                    + ["requests", "failures", "units", "step_units", "labeled"].map { "\(counts[$0] ?? "")" }
                let measured = metricNames.map { name in (metrics[name] as? Double).map { String(format: "%.4g", $0) } ?? "-" }
                print((cells + measured).joined(separator: "\t"))
            }
            let decision = shown["decision"] as? [String: Any] ?? [:]
            let primary = (shown["analysis"] as? [String: Any])?["primary_metric"] ?? "error_rate"
            let p = (decision["p_value"] as? Double).map { String(format: "%.4g", $0) } ?? "undefined"
            print("Sequential test p-value: \(p) (primary metric: \(primary))")
            if let ratio = decision["sample_ratio_p_value"] as? Double {
                let mismatch = decision["sample_ratio_mismatch"] as? Bool == true
                print("Sample ratio: p = \(String(format: "%.4g", ratio))\(mismatch ? ", a mismatch: decisions hold" : "")")
            }
            print("Decision: \(decision["action"] ?? "hold"): \(decision["reason"] ?? "")")
        }
    }

    struct Weights: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set every arm's weight, in the arms' order (a weight of 0 takes effect from the next request).",
            discussion: "Example: steward deploy weights dep-1a2b3c4d 75 25")

        @Argument(help: "The deployment's id (dep-…).")
        var deployment: String

        @Argument(help: "One percentage per arm, summing to 100.")
        var weights: [Double]

        @OptionGroup var api: APIOptions

        func run() async throws {
            let bodyJSON = try StewardClient.encode(["weights": weights])
            let answer = try StewardClient.object(
                try await api.withClient { client in try await client.json("PATCH", "/api/v1/deployments/\(deployment)", body: bodyJSON) })
            print("Weights of \(deployment): \(Deploy.describe(answer["deployment"] as? [String: Any] ?? [:])).")
        }
    }

    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Graduate the challenger (or --arm) through the promotion decision; it then takes every request.",
            discussion: "Example: steward deploy promote dep-1a2b3c4d")

        @Argument(help: "The deployment's id (dep-…).")
        var deployment: String

        @Option(name: .long, help: "The arm to graduate (default: the second arm).")
        var arm: String?

        @OptionGroup var api: APIOptions

        func run() async throws {
            let bodyJSON = try StewardClient.encode(arm.map { ["arm": $0] } ?? [:])
            let answer = try StewardClient.object(
                try await api.withClient { client in try await client.json("POST", "/api/v1/deployments/\(deployment)/promote", body: bodyJSON) })
            print((answer["deployment"] as? [String: Any])?["reason"] as? String ?? "Promoted.")
        }
    }

    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send every request to the champion again; opens an incident and notifies the system's webhooks.",
            discussion: "Example: steward deploy rollback dep-1a2b3c4d --reason \"p95 doubled\"")

        @Argument(help: "The deployment's id (dep-…).")
        var deployment: String

        @Option(name: .long, help: "Why (goes on the incident).")
        var reason: String

        @Option(name: .long, help: "The challenger the incident is about (needed for an A/B test of several that none won).")
        var arm: String?

        @OptionGroup var api: APIOptions

        func run() async throws {
            let bodyJSON = try StewardClient.encode(["reason": reason, "arm": arm].compactMapValues { $0 })
            let answer = try StewardClient.object(
                try await api.withClient { client in try await client.json("POST", "/api/v1/deployments/\(deployment)/rollback", body: bodyJSON) })
            print((answer["deployment"] as? [String: Any])?["reason"] as? String ?? "Rolled back.")
        }
    }

    static func describe(_ deployment: [String: Any]) -> String {
        (deployment["arms"] as? [[String: Any]] ?? []).map { arm in
            "\(arm["name"] ?? "") \(arm["model"] ?? "") v\(arm["version"] ?? "") \(arm["weight"] ?? "")%"
        }.joined(separator: ", ")
    }
}
