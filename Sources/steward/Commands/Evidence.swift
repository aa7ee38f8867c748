import ArgumentParser
import Foundation

/// `steward evidence add`: records evidence for a control Steward cannot observe itself.
struct Evidence: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record evidence for controls Steward cannot observe (a staged rollout elsewhere, an explainability report).",
        subcommands: [Add.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record evidence of a type a control of the policy reads, for the system or one model version.",
            discussion: """
                Examples:
                  steward evidence add sys-1a2b3c4d --type continuous_audit \\
                    --reference "https://grc.example.com/audits/812"
                  steward evidence add sys-1a2b3c4d --type explainability \\
                    --reference s3://reports/shap-7.html --model churn --model-version 7
                """)

        @Argument(help: "System id (sys-…).")
        var system: String

        @Option(name: .long, help: "The evidence type a control reads, such as explainability.")
        var type: String

        @Option(name: .long, help: "Where the proof can be found.")
        var reference: String

        @Option(name: .long, help: ArgumentHelp("The proof's SHA-256, if it is a file.", valueName: "sha256"))
        var digest: String?

        @Option(name: .long, help: "For one version: the registered model.")
        var model: String?

        /// `--model-version`, since `--version` prints the program's version.
        @Option(name: .customLong("model-version"), help: ArgumentHelp("For one version: its number.", valueName: "n"))
        var version: String?

        @OptionGroup var api: APIOptions

        func run() async throws {
            var body: [String: Any] = ["type": type, "reference": reference]
            if let digest { body["digest"] = digest }
            if let model { body["model"] = model }
            if let version { body["version"] = version }
            let (system, request) = (system, body)
            let requestJSON = try StewardClient.encode(request)
            let answer = try StewardClient.object(
                try await api.withClient { client in try await client.json("POST", "/api/v1/systems/\(system)/evidence", body: requestJSON) })
            let evidence = answer["evidence"] as? [String: Any] ?? [:]
            print("Recorded \(type) evidence \(evidence["id"] ?? "") for \(model.map { "'\($0)' version \(version ?? "")" } ?? "system \(system)").")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a system's evidence as JSON.")

        @Argument(help: "System id (sys-…).")
        var system: String

        @OptionGroup var api: APIOptions

        func run() async throws {
            let system = system
            try StewardClient.print(
                json: try StewardClient.object(
                    try await api.withClient { client in try await client.json("GET", "/api/v1/systems/\(system)/evidence") }))
        }
    }
}
