import ArgumentParser
import Foundation

/// `steward gateway ...`: the LLM gateway's providers and models, a system's keys, budgets and spend, and its
/// prompt experiments.
struct Gateway: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run LLM calls through Steward: models, keys, budgets, spend and prompt A/B tests.",
        discussion: """
            Clients use the OpenAI SDK with base_url <server>/v1 and a system's gateway key. Each provider's host
            must be allowed (steward serve --allow-endpoint-host HOST). A first setup:
              steward gateway configure gateway.yaml
              steward gateway keys create sys-1a2b3c4d --label support-bot
              steward gateway budget sys-1a2b3c4d --daily-usd 20 --monthly-usd 400
              steward gateway spend sys-1a2b3c4d
            """,
        subcommands: [Configure.self, Keys.self, Budget.self, Spend.self, Experiment.self])

    struct Configure: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the gateway's configuration (compliance or admin; audited, versioned).",
            discussion: """
                Example:
                  steward gateway configure gateway.yaml
                gateway.yaml:
                  providers:
                    - {name: openai, kind: openai, base_url: "https://api.openai.com/v1", api_key_env: OPENAI_API_KEY}
                  models:
                    - {name: gpt-small, provider: openai, upstream_model: gpt-4o-mini,
                       input_per_million: 0.15, output_per_million: 0.6}
                """)

        @Argument(help: "The YAML configuration file.")
        var file: String

        @OptionGroup var api: APIOptions

        func run() async throws {
            guard let document = FileManager.default.contents(atPath: file) else {
                throw failing(.invalidParameter("Cannot read the file '\(file)'."))
            }
            let answer = try StewardClient.object(
                try await api.withClient { client in
                    try await client.send("PUT", "/api/v1/gateway/config", body: document, contentType: "application/yaml")
                })
            let stored = answer["configuration"] as? [String: Any] ?? [:]
            let models = (stored["models"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            print("Gateway configuration version \(stored["version"] ?? ""): models \(models.isEmpty ? "none" : models.joined(separator: ", ")).")
        }
    }

    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A system's gateway keys: create (shown once), list, revoke.", subcommands: [Create.self, List.self, Revoke.self])

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Make a key for a system; the key is shown once.",
                discussion: "Example: steward gateway keys create sys-1a2b3c4d --label support-bot")

            @Argument(help: "The AI system's id (sys-…).")
            var system: String

            @Option(name: .long, help: "What the key is for.")
            var label = ""

            @Flag(name: .shortAndLong, help: "Print only the key (for scripts).")
            var quiet = false

            @OptionGroup var api: APIOptions

            func run() async throws {
                let body = try StewardClient.encode(["label": label])
                let answer = try StewardClient.object(
                    try await api.withClient { client in try await client.json("POST", "/api/v1/systems/\(system)/gateway/keys", body: body) })
                let key = answer["key"] as? String ?? ""
                if quiet { return print(key) }
                print("Key \(answer["id"] ?? "") for \(system) (shown once; Steward keeps only its hash):\n\(key)")
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "A system's keys (never the keys themselves) and its calls for unlisted models.",
                discussion: "Example: steward gateway keys list sys-1a2b3c4d")

            @Argument(help: "The AI system's id (sys-…).")
            var system: String

            @OptionGroup var api: APIOptions

            func run() async throws {
                let answer = try StewardClient.object(
                    try await api.withClient { client in try await client.json("GET", "/api/v1/systems/\(system)/gateway/keys") })
                print(["ID", "LABEL", "CREATED BY"].joined(separator: "\t"))
                for key in answer["keys"] as? [[String: Any]] ?? [] {
                    print([key["id"], key["label"], key["created_by"]].map { "\($0 ?? "")" }.joined(separator: "\t"))
                }
                print("Calls for models the register entry does not list: \(answer["unlisted_model_calls"] ?? 0)")
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Revoke a system's key: calls with it are refused from then on.",
                discussion: "Example: steward gateway keys revoke sys-1a2b3c4d 0123456789abcdef")

            @Argument(help: "The AI system's id (sys-…).")
            var system: String

            @Argument(help: "The key's id.")
            var key: String

            @OptionGroup var api: APIOptions

            func run() async throws {
                _ = try await api.withClient { client in try await client.json("DELETE", "/api/v1/systems/\(system)/gateway/keys/\(key)") }
                print("Revoked key \(key) of \(system).")
            }
        }
    }

    struct Budget: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a system's (or one key's) daily and monthly budget in US dollars; show the budgets with neither.",
            discussion: """
                A call holds its worst case against the budgets while it runs, so no number of concurrent calls
                spends past one. Leaving out both limits (with --key) shows the budgets. Examples:
                  steward gateway budget sys-1a2b3c4d --daily-usd 20 --monthly-usd 400
                  steward gateway budget sys-1a2b3c4d --key 0123456789abcdef --daily-usd 2
                  steward gateway budget sys-1a2b3c4d
                """)

        @Argument(help: "The AI system's id (sys-…).")
        var system: String

        @Option(name: .long, help: "The key's id, for a key's own budget.")
        var key: String?

        @Option(name: .long, help: "The daily limit (UTC days).")
        var dailyUsd: Double?

        @Option(name: .long, help: "The monthly limit (UTC months).")
        var monthlyUsd: Double?

        @OptionGroup var api: APIOptions

        func run() async throws {
            let answer: [String: Any]
            if dailyUsd == nil && monthlyUsd == nil {
                answer = try StewardClient.object(
                    try await api.withClient { client in try await client.json("GET", "/api/v1/systems/\(system)/gateway/budget") })
            } else {
                var body: [String: Any] = [:]
                if let dailyUsd { body["daily_usd"] = dailyUsd }
                if let monthlyUsd { body["monthly_usd"] = monthlyUsd }
                let encoded = try StewardClient.encode(body)
                let path: APIPath =
                    if let key { "/api/v1/systems/\(system)/gateway/keys/\(key)/budget" } else { "/api/v1/systems/\(system)/gateway/budget" }
                answer = try StewardClient.object(try await api.withClient { client in try await client.json("PUT", path, body: encoded) })
            }
            print(["SCOPE", "DAILY USD", "MONTHLY USD", "SPENT TODAY", "SPENT THIS MONTH"].joined(separator: "\t"))
            for budget in answer["budgets"] as? [[String: Any]] ?? [] {
                print(
                    [
                        budget["scope"] ?? "", budget["daily_usd"] ?? "-", budget["monthly_usd"] ?? "-", budget["spent_today_usd"] ?? "",
                        budget["spent_this_month_usd"] ?? "",
                    ].map { "\($0)" }.joined(separator: "\t"))
            }
        }
    }

    struct Spend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What a system spent on a day and in its month: in all, per key, per model and per prompt version.",
            discussion: """
                Amounts are exact decimals in US dollars. Examples:
                  steward gateway spend sys-1a2b3c4d
                  steward gateway spend sys-1a2b3c4d --day 2026-12-01
                """)

        @Argument(help: "The AI system's id (sys-…).")
        var system: String

        @Option(name: .long, help: ArgumentHelp("The UTC day (today by default).", valueName: "YYYY-MM-DD"))
        var day: String?

        @Flag(name: .long, help: "Print the report as JSON.")
        var json = false

        @OptionGroup var api: APIOptions

        func run() async throws {
            let query = day.map { [("day", $0)] } ?? []
            let answer = try StewardClient.object(
                try await api.withClient { client in try await client.json("GET", "/api/v1/systems/\(system)/gateway/spend", query: query) })
            if json { return try StewardClient.print(json: answer) }
            print(["SCOPE", "USD \(answer["day"] ?? "")", "CALLS", "USD \(answer["month"] ?? "")", "CALLS"].joined(separator: "\t"))
            for entry in answer["spend"] as? [[String: Any]] ?? [] {
                print(
                    [entry["scope"], entry["today_usd"], entry["calls_today"], entry["this_month_usd"], entry["calls_this_month"]].map {
                        "\($0 ?? "")"
                    }
                    .joined(separator: "\t"))
            }
        }
    }

    struct Experiment: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A/B tests of a registered prompt's versions in a system's gateway calls: set, status, end.",
            subcommands: [Split.self, Status.self, End.self])

        struct Split: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "set",
                abstract: "Start an experiment on a prompt, or change its split (the control first).",
                discussion: """
                    Calls that name the prompt by alias get a version by their unit (X-Steward-Unit, else user),
                    sticky on every replica. Each version answers real users, so the promotion decision applies.
                    A judge may grade a share of the answers. Example:
                      steward gateway experiment set sys-1a2b3c4d support-reply \\
                        --version 1@50 --version 2@50 --judge-model gpt-small \\
                        --rubric "Brief, correct, polite." --sample-percent 10
                    """)

            @Argument(help: "The AI system's id (sys-…).")
            var system: String

            @Argument(help: "The registered prompt's name.")
            var prompt: String

            @Option(name: .long, help: ArgumentHelp("A version and its share in percent (repeatable), control first.", valueName: "version@weight"))
            var version: [PromptVersionWeight]

            @Option(
                name: .long,
                help: ArgumentHelp("What the versions are compared on.", valueName: "conversion|error_rate|accuracy|mae|judge_score"))
            var primaryMetric: String?

            @Option(name: .long, help: "The gateway model that grades answers (a judge).")
            var judgeModel: String?

            @Option(name: .long, help: "What makes an answer good, for the judge.")
            var rubric: String?

            @Option(name: .long, help: "The share of answers the judge grades (default 10).")
            var samplePercent: Double?

            @Flag(name: .long, help: "Take the experiment's judge away.")
            var noJudge = false

            @OptionGroup var api: APIOptions

            func validate() throws {
                guard version.count >= 2 else { throw ValidationError("Give two --version VERSION@WEIGHT or more, the control first.") }
                guard (judgeModel == nil) == (rubric == nil) else { throw ValidationError("A judge needs both --judge-model and --rubric.") }
                guard !(noJudge && judgeModel != nil) else { throw ValidationError("Give a judge or --no-judge, not both.") }
            }

            func run() async throws {
                var body: [String: Any] = ["versions": version.map(\.json)]
                if let primaryMetric { body["primary_metric"] = primaryMetric }
                if let judgeModel, let rubric {
                    var judge: [String: Any] = ["model": judgeModel, "rubric": rubric]
                    if let samplePercent { judge["sample_percent"] = samplePercent }
                    body["judge"] = judge
                } else if noJudge {
                    body["judge"] = NSNull()
                }
                let encoded = try StewardClient.encode(body)
                let answer = try StewardClient.object(
                    try await api.withClient { client in
                        try await client.json("PUT", "/api/v1/systems/\(system)/gateway/prompt-experiments/\(prompt)", body: encoded)
                    })
                print(
                    "Experiment \(answer["id"] ?? "") on '\(prompt)': \(version.map { "version \($0.version) \($0.weight)%" }.joined(separator: ", "))."
                )
                print("See: steward gateway experiment status \(system)")
            }
        }

        struct Status: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Each experiment's versions: calls, cost, latency, feedback, judge scores, and the comparison with the control.",
                discussion: "Example: steward gateway experiment status sys-1a2b3c4d")

            @Argument(help: "The AI system's id (sys-…).")
            var system: String

            @Flag(name: .long, help: "Print the experiments as JSON.")
            var json = false

            @OptionGroup var api: APIOptions

            func run() async throws {
                let answer = try StewardClient.object(
                    try await api.withClient { client in try await client.json("GET", "/api/v1/systems/\(system)/gateway/prompt-experiments") })
                if json { return try StewardClient.print(json: answer) }
                for experiment in answer["experiments"] as? [[String: Any]] ?? [] {
                    print("\(experiment["id"] ?? "") on '\(experiment["prompt"] ?? "")', compared on \(experiment["primary_metric"] ?? "")")
                    print(
                        ["VERSION", "WEIGHT", "CALLS", "COST USD", "P50 MS", "CONVERSION", "JUDGED", "JUDGE SCORE", "DIFFERENCE", "P-VALUE"].joined(
                            separator: "\t"))
                    for version in experiment["versions"] as? [[String: Any]] ?? [] {
                        let numbers = ["latency_p50_ms", "conversion"].map { (version[$0] as? Double).map { String(format: "%.4g", $0) } ?? "-" }
                        let judged = ["judge_score", "difference", "p_value"].map {
                            (version[$0] as? Double).map { String(format: "%.4g", $0) } ?? "-"
                        }
                        let cells = [version["version"], version["weight"], version["calls"], version["cost_usd"]].map { "\($0 ?? "")" }
                        print((cells + numbers + ["\(version["judged"] ?? 0)"] + judged).joined(separator: "\t"))
                    }
                    print("Verdict: \(experiment["verdict"] ?? "")")
                }
            }
        }

        struct End: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "End an experiment: calls get the version their alias names again.",
                discussion: """
                    Promoting the winner is moving the alias, through the promotion decision. Example:
                      steward gateway experiment end sys-1a2b3c4d support-reply
                    """)

            @Argument(help: "The AI system's id (sys-…).")
            var system: String

            @Argument(help: "The registered prompt's name.")
            var prompt: String

            @OptionGroup var api: APIOptions

            func run() async throws {
                _ = try await api.withClient { client in
                    try await client.json("DELETE", "/api/v1/systems/\(system)/gateway/prompt-experiments/\(prompt)")
                }
                print("Ended the experiment on '\(prompt)' in \(system).")
            }
        }
    }
}
