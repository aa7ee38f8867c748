import ArgumentParser
import Foundation
import StewardCore

/// `steward systems ...`: the AI Register from the command line, on a running server (`--server`) or the data
/// folder, through the same routes either way.
struct Systems: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Register AI systems, classify their risk, link models, and promote or roll back model versions.",
        discussion: """
            Every subcommand works on a running server (--server URL or $STEWARD_SERVER, with --token or $STEWARD_TOKEN)
            or on the data folder (--data, --store) alike. Example:
              steward systems create --name churn \\
                --purpose "Flag customers likely to leave" --owner "Retention team" \\
                --customer-facing
            """,
        subcommands: [List.self, Show.self, Create.self, Link.self, Classify.self, Promote.self, Rollback.self, Export.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List registered systems with tier, maturity and missing controls.")

        @OptionGroup var api: APIOptions

        func run() async throws {
            let answer = try StewardClient.object(try await api.withClient { client in try await client.json("GET", "/api/v1/systems") })
            let systems = answer["systems"] as? [[String: Any]] ?? []
            guard !systems.isEmpty else {
                print("No AI systems registered yet: steward systems create --name NAME --purpose TEXT (see steward systems create --help).")
                return
            }
            print(["ID", "NAME", "TIER", "MATURITY", "CONTROLS BY MODEL AND TARGET"].joined(separator: "\t"))
            for system in systems {
                let maturity = (system["maturity"] as? [String: Any])?["level"].map { "\($0)" } ?? "-"
                print(
                    ["\(system["id"] ?? "")", "\(system["name"] ?? "")", "\(system["risk_tier"] ?? "")", maturity, RegisterText.controls(system)]
                        .joined(separator: "\t"))
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a system: its tier and why, its models, and each control per model and target with the command that meets it.",
            discussion: "Example: steward systems show sys-1a2b3c4d")

        @Argument(help: "System id (sys-…).")
        var system: String

        @Flag(name: .long, help: "Print the register entry as JSON.")
        var json = false

        @OptionGroup var api: APIOptions

        func run() async throws {
            let system = system
            let entry = try StewardClient.object(try await api.withClient { client in try await client.json("GET", "/api/v1/systems/\(system)") })
            try Systems.show(entry, json: json)
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register an AI system; its risk tier follows from the questionnaire flags.",
            discussion: """
                The tier: --autonomous-actions or --safety-critical make it critical, a high-risk --domain (credit,
                insurance, medical, legal, employment, education, critical_infrastructure, biometrics, law_enforcement,
                migration, essential_services) high, --customer-facing or --personal-data medium; else low.
                Example:
                  steward systems create --name churn \\
                    --purpose "Flag customers likely to leave" --owner "Retention team" \\
                    --customer-facing --model churn
                """)

        @Option(name: .long, help: "The system's name.")
        var name: String

        @Option(name: .long, help: "What it is for.")
        var purpose: String

        @Option(name: .long, help: ArgumentHelp("The business owner, accountable for it.", valueName: "owner"))
        var owner: String?

        @Option(name: .long, help: ArgumentHelp("The technical owner.", valueName: "owner"))
        var technicalOwner: String?

        @Option(name: .long, help: ArgumentHelp("A registered model that is part of it (repeatable).", valueName: "name"))
        var model: [String] = []

        @OptionGroup var questionnaire: Questionnaire

        @Flag(name: .shortAndLong, help: "Print only the new system's id (for scripts: SYSTEM=$(steward systems create … -q)).")
        var quiet = false

        @Flag(name: .long, help: "Print the register entry as JSON.")
        var json = false

        @OptionGroup var api: APIOptions

        func run() async throws {
            var draft: [String: Any] = ["name": name, "purpose": purpose, "questionnaire": questionnaire.answers()]
            if let owner { draft["business_owner"] = owner }
            if let technicalOwner { draft["technical_owner"] = technicalOwner }
            if !model.isEmpty { draft["models"] = model }
            let body = draft
            let bodyJSON = try StewardClient.encode(body)
            let entry = try StewardClient.object(
                try await api.withClient { client in try await client.json("POST", "/api/v1/systems", body: bodyJSON) })
            if quiet {
                print((entry["system"] as? [String: Any])?["id"] ?? "")
            } else {
                try Systems.show(entry, json: json)
            }
        }
    }

    /// The risk questionnaire's answers, as flags; what is left out is no.
    /// The risk questionnaire's answers, as flags (`--customer-facing`, `--no-customer-facing`); an answer not
    /// given is no when a system is created, and stays as it was when one is classified again.
    struct Questionnaire: ParsableArguments {
        @Option(name: .long, help: ArgumentHelp("The domain it decides in (default general).", valueName: "domain"))
        var domain: String?

        @Flag(inversion: .prefixedNo, help: "It serves customers or the public directly.")
        var customerFacing: Bool?

        @Flag(inversion: .prefixedNo, help: "It processes personal data.")
        var personalData: Bool?

        @Flag(inversion: .prefixedNo, help: "It acts without a human deciding each action.")
        var autonomousActions: Bool?

        @Flag(inversion: .prefixedNo, help: "A failure could harm people's health or safety.")
        var safetyCritical: Bool?

        /// The answers given, by their wire names.
        var given: [String: Any] {
            let answers: [(String, Any?)] = [
                ("domain", domain), ("customer_facing", customerFacing), ("personal_data", personalData),
                ("autonomous_actions", autonomousActions), ("safety_critical", safetyCritical),
            ]
            return Dictionary(uniqueKeysWithValues: answers.compactMap { name, value in value.map { (name, $0) } })
        }

        /// The whole questionnaire: `base` (the answers on record) with the answers given over it.
        func answers(over base: [String: Any] = [:]) -> [String: Any] {
            var answers: [String: Any] = [
                "domain": "general", "customer_facing": false, "personal_data": false, "autonomous_actions": false, "safety_critical": false,
            ]
            answers.merge(base) { _, recorded in recorded }
            answers.merge(given) { _, new in new }
            return answers
        }
    }

    struct Link: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a registered model (or prompt) part of a system, so its promotions answer to the system's controls.",
            discussion: "Example: steward systems link sys-1a2b3c4d --model churn")

        @Argument(help: "System id (sys-…).")
        var system: String

        @Option(name: .long, help: "The registered model (or prompt) name.")
        var model: String

        @Flag(name: .long, help: "The name is a prompt of the prompt registry.")
        var prompt = false

        @Flag(name: .long, help: "Print the register entry as JSON.")
        var json = false

        @OptionGroup var api: APIOptions

        func run() async throws {
            let (system, body) = (system, ["name": model, "kind": prompt ? "prompt" : "model"])
            let bodyJSON = try StewardClient.encode(body)
            _ = try StewardClient.object(
                try await api.withClient { client in try await client.json("POST", "/api/v1/systems/\(system)/models", body: bodyJSON) })
            // The link answers with the system; its entry with every control is what the user acts on next.
            let entry = try StewardClient.object(try await api.withClient { client in try await client.json("GET", "/api/v1/systems/\(system)") })
            try Systems.show(entry, json: json)
        }
    }

    struct Classify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Answer a system's risk questionnaire again, or override its tier (compliance or admin) with a rationale.",
            discussion: """
                Examples:
                  steward systems classify sys-1a2b3c4d --domain credit --personal-data
                  steward systems classify sys-1a2b3c4d --tier high \\
                    --rationale "Decides on credit limits"
                """)

        @Argument(help: "System id (sys-…).")
        var system: String

        @OptionGroup var questionnaire: Questionnaire

        @Option(name: .long, help: ArgumentHelp("Override the tier instead.", valueName: "low|medium|high|critical"))
        var tier: String?

        @Option(name: .long, help: "With --tier: why.")
        var rationale: String?

        @Flag(name: .long, help: "Print the register entry as JSON.")
        var json = false

        @OptionGroup var api: APIOptions

        func validate() throws {
            if tier == nil, rationale != nil { throw ValidationError("--rationale goes with --tier.") }
            if tier != nil, rationale == nil { throw ValidationError("--tier needs --rationale: say why the questionnaire's tier is overridden.") }
            if tier != nil, !questionnaire.given.isEmpty {
                throw ValidationError("Give either questionnaire answers or --tier with --rationale, not both.")
            }
            if tier == nil, questionnaire.given.isEmpty {
                throw ValidationError("Give the answers that changed (such as --personal-data or --no-customer-facing), or --tier.")
            }
        }

        func run() async throws {
            let system = system
            let (path, method, body): (APIPath, String, [String: Any])
            if let tier {
                (path, method, body) = ("/api/v1/systems/\(system)/tier", "POST", ["tier": tier, "rationale": rationale ?? ""])
            } else {
                // Only the answers given change; the others stay as recorded.
                let recorded = try StewardClient.object(
                    try await api.withClient { client in try await client.json("GET", "/api/v1/systems/\(system)") })
                let current = (recorded["system"] as? [String: Any])?["questionnaire"] as? [String: Any] ?? [:]
                (path, method, body) = ("/api/v1/systems/\(system)", "PATCH", ["questionnaire": questionnaire.answers(over: current)])
            }
            let bodyJSON = try StewardClient.encode(body)
            _ = try StewardClient.object(try await api.withClient { client in try await client.json(method, path, body: bodyJSON) })
            let entry = try StewardClient.object(try await api.withClient { client in try await client.json("GET", "/api/v1/systems/\(system)") })
            try Systems.show(entry, json: json)
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the portfolio view of the register as CSV.")

        @OptionGroup var api: APIOptions

        func run() async throws {
            let csv = try await api.withClient { client in try await client.send("GET", "/api/v1/register/portfolio", query: [("format", "csv")]) }
            FileHandle.standardOutput.write(csv)
        }
    }

    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Promote a model version of a system to an alias or the Production stage, if every control holds.",
            discussion: "Example: steward systems promote sys-1a2b3c4d --model churn --model-version 1 --alias production")

        @OptionGroup var target: ModelVersionOfSystem

        @Option(name: .long, help: "Alias to point at the version.")
        var alias: String?

        @Option(name: .long, help: "Stage to move the version to (e.g. Production).")
        var stage: String?

        @OptionGroup var api: APIOptions

        func validate() throws {
            guard (alias == nil) != (stage == nil) else { throw ValidationError("Give exactly one of --alias or --stage.") }
            if let stage, ModelStage(lenient: stage) == nil { throw ValidationError("Unknown stage '\(stage)'.") }
        }

        func run() async throws {
            let (system, model, version) = (target.system, target.model, target.version)
            var body: [String: Any] = ["model": model, "version": version]
            if let alias { body["alias"] = alias }
            if let stage { body["stage"] = stage }
            let request = body
            let requestJSON = try StewardClient.encode(request)
            _ = try StewardClient.object(
                try await api.withClient { client in try await client.json("POST", "/api/v1/systems/\(system)/promote", body: requestJSON) })
            print("Promoted '\(model)' version \(version) to \(alias.map { "alias '\($0)'" } ?? "stage \(stage ?? "")").")
        }
    }

    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Point a protected alias back at the version that held it before.",
            discussion: "Example: steward systems rollback sys-1a2b3c4d --model churn --alias production")

        @Argument(help: "System id (sys-…).")
        var system: String

        @Option(name: .long, help: "Registered model name.")
        var model: String

        @Option(name: .long, help: "Alias to roll back, such as production.")
        var alias: String

        @OptionGroup var api: APIOptions

        func run() async throws {
            let (system, body) = (system, ["model": model, "alias": alias])
            let bodyJSON = try StewardClient.encode(body)
            let answer = try StewardClient.object(
                try await api.withClient { client in try await client.json("POST", "/api/v1/systems/\(system)/rollback", body: bodyJSON) })
            print("Rolled '\(model)' alias '\(alias)' back from version \(answer["from_version"] ?? "?") to \(answer["to_version"] ?? "?").")
        }
    }

    /// Prints a `{"system": …}` answer as text, or as JSON.
    static func show(_ answer: [String: Any], json: Bool) throws {
        if json { return try StewardClient.print(json: answer) }
        Swift.print(RegisterText.system(answer["system"] as? [String: Any] ?? answer))
    }
}
