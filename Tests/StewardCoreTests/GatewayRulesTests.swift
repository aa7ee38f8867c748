import Foundation
import StewardCore
import Testing

/// The gateway's configuration document and what a call costs.
@Suite("Gateway rules")
struct GatewayRulesTests {
    static let document = """
        providers:
          - {name: openai, kind: openai, base_url: "https://api.openai.com/v1/", api_key_env: OPENAI_API_KEY}
          - {name: local, kind: openai, base_url: "http://127.0.0.1:8000/v1"}
        models:
          - {name: gpt-small, provider: openai, upstream_model: gpt-4o-mini, input_per_million: 0.15, output_per_million: 0.6,
             cached_input_per_million: 0.075, timeout_seconds: 20, fallbacks: [llama]}
          - {name: llama, provider: local, upstream_model: llama-3.1-8b, input_per_million: 0, output_per_million: 0}
        """

    @Test("A configuration is read whole: providers, models, exact prices, defaults and fallbacks")
    func reads() throws {
        let configuration = try GatewayConfiguration(yaml: Self.document)
        #expect(configuration.providers.map(\.name) == ["openai", "local"])
        #expect(configuration.provider(named: "openai")?.baseURL == "https://api.openai.com/v1", "a trailing slash is dropped")
        #expect(configuration.provider(named: "openai")?.apiKeyEnvironment == "OPENAI_API_KEY")
        #expect(configuration.provider(named: "local")?.apiKeyEnvironment == nil)
        let small = try #require(configuration.model(named: "gpt-small"))
        #expect(small.inputPerMillion == Decimal(string: "0.15") && small.outputPerMillion == Decimal(string: "0.6"))
        #expect(small.cachedInputPerMillion == Decimal(string: "0.075") && small.timeoutSeconds == 20 && small.fallbacks == ["llama"])
        let llama = try #require(configuration.model(named: "llama"))
        #expect(llama.cachedInputPerMillion == 0 && llama.timeoutSeconds == 60 && llama.fallbacks.isEmpty && llama.maximumOutputTokens == 4096)
        // OpenAI's own API takes a budget's limit as max_completion_tokens (its reasoning models refuse max_tokens).
        #expect(small.completionLimitField == "max_completion_tokens" && llama.completionLimitField == "max_tokens")
        #expect(small.tokensPerImage == 4096)
        let chosen = try GatewayConfiguration(
            yaml: Self.document.replacingOccurrences(
                of: "input_per_million: 0, output_per_million: 0}",
                with: "input_per_million: 0, output_per_million: 0, completion_limit_field: max_completion_tokens, tokens_per_image: 800}"))
        #expect(chosen.model(named: "llama")?.completionLimitField == "max_completion_tokens" && chosen.model(named: "llama")?.tokensPerImage == 800)
        for wrong in ["completion_limit_field: max_new_tokens", "tokens_per_image: 0"] {
            #expect(throws: StewardError.self, "\(wrong)") {
                try GatewayConfiguration(
                    yaml: Self.document.replacingOccurrences(of: "output_per_million: 0}", with: "output_per_million: 0, \(wrong)}"))
            }
        }
        #expect(configuration.cache == nil, "no cache unless configured")
        let cached = try GatewayConfiguration(yaml: "cache: {ttl_seconds: 600, cache_sampled_answers: true}").cache
        #expect(cached?.ttlSeconds == 600 && cached?.cacheSampledAnswers == true && cached?.maximumEntries == 10_000)
    }

    @Test("Unknown keys, missing fields, keys written in place of a variable name and dangling references are refused, named")
    func refuses() {
        let cases: [(String, String)] = [
            ("providers: []\nmodels: []\nbudget: 10", "Unknown key 'budget'"),
            ("providers:\n  - {name: a, kind: openai, base_url: 'http://h/v1', api_key: sk-123}", "Unknown key 'api_key' in providers[0]"),
            ("providers:\n  - {name: a, kind: openai, base_url: 'http://h/v1', api_key_env: sk-live-123}", "must name an environment variable"),
            ("providers:\n  - {name: a, kind: cohere, base_url: 'http://h/v1'}", "kind 'cohere' is unknown"),
            ("providers:\n  - {name: a, kind: openai, base_url: 'ftp://h/v1'}", "base_url must be an http(s) URL"),
            ("providers:\n  - {name: a, kind: openai, base_url: 'http://u:p@h/v1'}", "without credentials"),
            ("providers:\n  - {name: a, kind: openai, base_url: 'http://h'}\n  - {name: a, kind: openai, base_url: 'http://h'}", "defined twice"),
            ("models:\n  - {name: m, provider: nobody, upstream_model: x, input_per_million: 1, output_per_million: 1}", "is not one of providers"),
            (
                "providers:\n  - {name: a, kind: openai, base_url: 'http://h'}\nmodels:\n  - {name: m, provider: a, upstream_model: x, input_per_million: -1, output_per_million: 1}",
                "input_per_million is required"
            ),
            (
                "providers:\n  - {name: a, kind: openai, base_url: 'http://h'}\nmodels:\n  - {name: m, provider: a, upstream_model: x, input_per_million: '1', output_per_million: 1}",
                "input_per_million is required"
            ),
            (
                "providers:\n  - {name: a, kind: openai, base_url: 'http://h'}\nmodels:\n  - {name: m, provider: a, upstream_model: x, input_per_million: 1, output_per_million: 1, fallbacks: [n]}",
                "falls back to 'n'"
            ),
            (
                "providers:\n  - {name: a, kind: openai, base_url: 'http://h'}\nmodels:\n  - {name: m, provider: a, upstream_model: x, input_per_million: 1, output_per_million: 1, timeout_seconds: 0}",
                "timeout_seconds must be"
            ),
            ("- a\n- b", "must be a YAML mapping"),
            ("cache: {ttl_seconds: 0}", "cache.ttl_seconds is required"),
            ("providers:\n  - {name: a, kind: openai, base_url: 'http://h/v1', api_key_env: STEWARD_WEBHOOK_SECRET}", "the server's own variables"),
            ("providers:\n  - {name: a, kind: openai, base_url: 'http://h/v1', api_key_env: PGPASSWORD}", "the server's own variables"),
            ("providers:\n  - {name: a, kind: openai, base_url: 'http://h/v1', api_key_env: abc123def}", "must name an environment variable"),
            ("cache: {ttl_seconds: 60, ttl: 5}", "Unknown key 'ttl' in cache"),
            ("cache: {ttl_seconds: 60, cache_sampled_answers: 'yes'}", "must be true or false"),
        ]
        for (document, message) in cases {
            #expect(throws: StewardError.self, "\(document)") { try GatewayConfiguration(yaml: document) }
            do {
                _ = try GatewayConfiguration(yaml: document)
            } catch {
                #expect(error.message.contains(message), "\(document): \(error.message)")
            }
        }
    }

    @Test("Cost is exact in decimal: uncached prompt, cached prompt and completion tokens, each at its price per million")
    func cost() throws {
        let model = try #require(try GatewayConfiguration(yaml: Self.document).model(named: "gpt-small"))
        // 1000 prompt tokens of which 400 cached, 250 completion tokens:
        // 600 × 0.15 + 400 × 0.075 + 250 × 0.6 = 90 + 30 + 150 = 270 millionths of a dollar.
        #expect(TokenUsage(promptTokens: 1000, completionTokens: 250, cachedPromptTokens: 400).cost(at: model) == Decimal(string: "0.00027"))
        // Summing many small costs stays exact where binary floating point drifts.
        var total = Decimal(0)
        for _ in 0..<1000 { total += TokenUsage(promptTokens: 7, completionTokens: 5).cost(at: model) }
        #expect(total == Decimal(string: "0.00405"))
        // A provider that reports more cached tokens than prompt tokens is charged for the prompt tokens only.
        #expect(TokenUsage(promptTokens: 10, completionTokens: 0, cachedPromptTokens: 50).cost(at: model) == Decimal(string: "0.00000075"))
        // In picodollars, integer arithmetic: counts below 0 count as 0, and a count no budget could hold saturates.
        #expect(TokenUsage(promptTokens: 1000, completionTokens: 250, cachedPromptTokens: 400).picodollars(at: model) == 270_000_000)
        #expect(TokenUsage(promptTokens: -5, completionTokens: -1, cachedPromptTokens: -3).picodollars(at: model) == 0)
        #expect(TokenUsage(promptTokens: Int64.max / 2, completionTokens: 1).picodollars(at: model) == Int64.max)
        // The same as the prices' decimal arithmetic, for any counts.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1000 {
            let usage = TokenUsage(
                promptTokens: .random(in: 0...2_000_000, using: &generator), completionTokens: .random(in: 0...200_000, using: &generator),
                cachedPromptTokens: .random(in: 0...1_000_000, using: &generator))
            let cached = min(usage.cachedPromptTokens, usage.promptTokens)
            let exact =
                (Decimal(usage.promptTokens - cached) * model.inputPerMillion + Decimal(cached) * model.cachedInputPerMillion
                    + Decimal(usage.completionTokens) * model.outputPerMillion) / 1_000_000
            #expect(usage.cost(at: model) == exact, "\(usage)")
        }
    }

    @Test("Budget periods are the UTC day and month, as a calendar gives them, across leap days and before 1970")
    func periods() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var generator = SystemRandomNumberGenerator()
        let edges: [Int64] = [0, -1, 86_399_999, 86_400_000, 951_782_400_000, 951_868_799_999, 4_107_542_399_999, -2_208_988_800_000]
        for milliseconds in edges + (0..<2000).map({ _ in Int64.random(in: -4_000_000_000_000...8_000_000_000_000, using: &generator) }) {
            let parts = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
            let expected = String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
            let periods = GatewayBudget.Periods(at: milliseconds)
            #expect(periods.day == expected && periods.month == String(expected.prefix(7)), "\(milliseconds)")
            #expect(GatewayBudget.Periods(day: expected) == periods, "a day read back is the same period")
        }
        for text in ["2026-13-01", "2026-12-00", "2026-12-32", "2026-1-01", "20261201", "2026-12-01T00", "２０２６-12-01", "2026-12-0a", ""] {
            #expect(GatewayBudget.Periods(day: text) == nil, "\(text)")
        }
    }

    @Test("A prompt experiment: at least two distinct versions whose weights split 100; sticky by unit; compared with the control")
    func promptExperiment() throws {
        for arms in [
            [PromptExperiment.Arm(version: "1", weight: 100)], [.init(version: "1", weight: 50), .init(version: "1", weight: 50)],
            [.init(version: "1", weight: 50), .init(version: "x", weight: 50)], [.init(version: "1", weight: 50), .init(version: "2", weight: 40)],
        ] {
            #expect(throws: StewardError.self) { try PromptExperiment.validate(arms) }
        }
        let experiment = PromptExperiment(
            id: "pex-1", systemID: "sys-1", prompt: "reply", arms: [.init(version: "1", weight: 50), .init(version: "2", weight: 50)], salt: "s",
            primaryMetric: .conversion, createdBy: "ann", createdAt: 0)
        _ = try PromptExperiment.validate(experiment.arms)
        let units = (0..<400).map { "user-\($0)" }
        let first = units.map { experiment.version(unit: $0) }
        #expect(units.map { experiment.version(unit: $0) } == first, "the same unit gets the same version every time")
        let share = Double(first.filter { $0 == "2" }.count) / 400
        #expect(share > 0.4 && share < 0.6, "\(share)")
        let control = ArmObservations(
            arm: "1", requests: 200, units: 200, feedback: Array(repeating: -1, count: 100) + Array(repeating: 1, count: 100))
        let better = ArmObservations(
            arm: "2", requests: 200, units: 200, feedback: Array(repeating: -1, count: 20) + Array(repeating: 1, count: 180), costUSD: 0.5)
        let report = experiment.report([control, better])
        #expect(report.versions.map(\.conversion) == [0.5, 0.9] && report.versions[1].costUSD == 0.5)
        #expect(report.versions[0].pValue == nil && (report.versions[1].pValue ?? 1) < 0.05)
        #expect(report.verdict.hasPrefix("Version 2 is better than version 1 on conversion"), "\(report.verdict)")
        let even = experiment.report([control, ArmObservations(arm: "2", requests: 200, units: 200, feedback: control.feedback)])
        #expect(even.verdict.hasPrefix("No version differs"), "\(even.verdict)")
        #expect(experiment.report([]).versions.map(\.calls) == [0, 0])
    }

    @Test("A prompt experiment's judge: a rubric, a sample share that holds, and versions compared on their mean judge score")
    func promptExperimentJudge() throws {
        for judge in [
            PromptExperiment.OnlineJudge(model: "m", rubric: "  ", samplePercent: 10), .init(model: "m", rubric: "polite", samplePercent: 0),
            .init(model: "m", rubric: "polite", samplePercent: 100.5),
            .init(model: "m", rubric: String(repeating: "x", count: 5000), samplePercent: 5),
        ] {
            #expect(throws: StewardError.self) { try judge.validate() }
        }
        let judge = PromptExperiment.OnlineJudge(model: "m", rubric: "polite and correct", samplePercent: 20)
        try judge.validate()
        let ids = (0..<5000).map { "req-\($0)" }
        let graded = ids.filter { judge.grades(requestID: $0, salt: "s") }
        #expect(graded.count > 900 && graded.count < 1100, "20% of 5,000 is 1,000; got \(graded.count)")
        #expect(ids.filter { judge.grades(requestID: $0, salt: "s") } == graded, "the same call is graded on every replica")
        #expect(ids.filter { judge.grades(requestID: $0, salt: "t") } != graded, "each experiment samples its own calls")
        #expect(ids.allSatisfy { PromptExperiment.OnlineJudge(model: "m", rubric: "r", samplePercent: 100).grades(requestID: $0, salt: "s") })
        #expect(judge.instructions.contains("polite and correct") && judge.instructions.contains("from 0"))
        #expect(throws: StewardError.self) {
            try PromptExperiment.OnlineJudge(model: "m", rubric: "r", samplePercent: 5, maximumTokens: 0).validate()
        }
        let stored = try JSONDecoder().decode(
            PromptExperiment.OnlineJudge.self, from: Data(#"{"model": "m", "rubric": "r", "samplePercent": 10}"#.utf8))
        #expect(stored.maximumTokens == PromptExperiment.OnlineJudge.defaultMaximumTokens, "a judge stored before max_tokens gets the default")
        let again = try JSONDecoder().decode(PromptExperiment.OnlineJudge.self, from: try JSONEncoder().encode(judge))
        #expect(again == judge)

        let experiment = PromptExperiment(
            id: "pex-1", systemID: "sys-1", prompt: "reply", arms: [.init(version: "1", weight: 50), .init(version: "2", weight: 50)], salt: "s",
            primaryMetric: .judgeScore, judge: judge, createdBy: "ann", createdAt: 0)
        let control = ArmObservations(arm: "1", requests: 100, units: 100, judgeScores: (0..<100).map { 0.4 + Double($0 % 5) * 0.05 })
        let better = ArmObservations(arm: "2", requests: 100, units: 100, judgeScores: (0..<100).map { 0.7 + Double($0 % 5) * 0.05 })
        let report = experiment.report([control, better])
        #expect(report.versions.map(\.judged) == [100, 100])
        #expect(abs((report.versions[0].judgeScore ?? 0) - 0.5) < 1e-12 && abs((report.versions[1].judgeScore ?? 0) - 0.8) < 1e-12)
        #expect(abs((report.versions[1].difference ?? 0) - 0.3) < 1e-12 && (report.versions[1].pValue ?? 1) < 0.05)
        #expect(report.verdict.hasPrefix("Version 2 is better than version 1 on judge_score"), "\(report.verdict)")
        let alike = experiment.report([control, ArmObservations(arm: "2", requests: 100, units: 100, judgeScores: control.judgeScores)])
        #expect(alike.verdict.hasPrefix("No version differs"), "\(alike.verdict)")
        #expect(experiment.report([control]).versions[1].judgeScore == nil)
    }

    @Test("Spend is tallied by model and prompt version under the system, apart from the budgets' scopes")
    func tallies() {
        #expect(GatewayBudget.Scope.model(system: "sys-1", name: "gpt/4").text == "model:sys-1/gpt/4")
        #expect(GatewayBudget.Scope.prompt(system: "sys-1", name: "reply", version: "3").text == "prompt:sys-1/reply/3")
        #expect(Set([GatewayBudget.Scope.system("a").text, GatewayBudget.Scope.key("a").text]).count == 2)
        for (scope, shown) in [
            (GatewayBudget.Scope.system("sys-1"), "system"), (.key("gk-1"), "key:gk-1"), (.model(system: "sys-1", name: "gpt/4"), "model:gpt/4"),
            (.prompt(system: "sys-1", name: "reply", version: "3"), "prompt:reply/3"),
        ] {
            #expect(GatewayBudget.Scope.reported(scope.text, system: "sys-1") == shown)
        }
    }

    @Test("Money is exact: powers of ten move the exponent, picodollars round up, and back is exact")
    func picodollars() throws {
        for text in ["0", "1", "-2.5", "0.15", "123456.789012", "0.000001", "-0.0000007", "99999999999.999999"] {
            let value = try #require(Decimal(string: text))
            #expect(value.timesPowerOfTen(-6) == value / 1_000_000, "\(text)")
            #expect(value.timesPowerOfTen(12) == value * 1_000_000_000_000, "\(text)")
            #expect(value.timesPowerOfTen(3).timesPowerOfTen(-3) == value, "\(text)")
        }
        #expect(Picodollars.of(try #require(Decimal(string: "0.15")).timesPowerOfTen(-6)) == 150_000)
        #expect(Picodollars.of(try #require(Decimal(string: "0.0000000000001"))) == 1, "a part of a picodollar rounds up")
        #expect(Picodollars.of(-1) == 0 && Picodollars.of(Decimal(sign: .plus, exponent: 10, significand: 1)) == Int64.max)
        #expect(Picodollars.dollars(1_234_567) == Decimal(string: "0.000001234567"))
        #expect(Picodollars.dollars(Picodollars.of(try #require(Decimal(string: "12.345678901234")))) == Decimal(string: "12.345678901234"))
        let usage = TokenUsage(promptTokens: 1234, completionTokens: 567)
        let model = try GatewayConfiguration(
            yaml:
                "providers:\n  - {name: p, kind: openai, base_url: 'http://127.0.0.1:1/v1'}\nmodels:\n  - {name: m, provider: p, upstream_model: u, input_per_million: 0.15, output_per_million: 0.6}\n"
        ).models[0]
        #expect(usage.cost(at: model) == Decimal(string: "0.0005253"), "1234 × 0.15 + 567 × 0.6 = 525.3 millionths of a dollar")
    }

    @Test("A gateway key is shown once, distinct, with its own prefix")
    func keys() {
        let first = GatewayKey.generate()
        let second = GatewayKey.generate()
        #expect(first.hasPrefix("sgw_") && second.hasPrefix("sgw_") && first != second && first.count == 4 + 43)
    }
}
