import Foundation
import Hummingbird
import StewardCore

/// The gateway's administration under `/api/v1`: its configuration (`gateway/config`, YAML, every version kept)
/// and each system's keys (`systems/{id}/gateway/keys`), shown once when made.
struct GatewayAdminController<Context: IdentifiedRequestContext>: Sendable {
    let gateway: GatewayService

    func addRoutes(to group: RouterGroup<Context>) {
        group.native(.get, "gateway/config", query: ["format"], use: showConfiguration)
        group.native(.put, "gateway/config", use: replaceConfiguration)
        group.native(.post, "systems/:id/gateway/keys", use: createKey)
        group.native(.get, "systems/:id/gateway/keys", use: listKeys)
        group.native(.delete, "systems/:id/gateway/keys/:key", use: revokeKey)
        group.native(.get, "systems/:id/gateway/budget", use: showBudgets)
        group.native(.put, "systems/:id/gateway/budget", use: setSystemBudget)
        group.native(.put, "systems/:id/gateway/keys/:key/budget", use: setKeyBudget)
        group.native(.get, "systems/:id/gateway/spend", query: ["day"], use: showSpend)
        group.native(.get, "systems/:id/gateway/prompt-experiments", use: listPromptExperiments)
        group.native(.put, "systems/:id/gateway/prompt-experiments/:prompt", use: setPromptExperiment)
        group.native(.delete, "systems/:id/gateway/prompt-experiments/:prompt", use: endPromptExperiment)
        group.native(.get, "systems/:id/gateway/safety", query: ["format"], use: showSafety)
        group.native(.put, "systems/:id/gateway/safety", use: replaceSafety)
    }

    struct WireConfiguration: Encodable {
        struct Provider: Encodable {
            let name: String
            let kind: String
            let baseUrl: String
            let apiKeyEnv: String?
        }
        struct Model: Encodable {
            let name: String
            let provider: String
            let upstreamModel: String
            let inputPerMillion: String
            let outputPerMillion: String
            let cachedInputPerMillion: String
            let timeoutSeconds: Double
            let maxOutputTokens: Int64
            let fallbacks: [String]
        }
        let version: Int64
        let author: String
        let createdAt: Int64
        struct Cache: Encodable {
            let ttlSeconds: Int
            let cacheSampledAnswers: Bool
            let maxEntries: Int
        }
        let providers: [Provider]
        let models: [Model]
        let cache: Cache?

        init(_ stored: GatewayConfigurationVersion) {
            cache = stored.configuration.cache.map {
                Cache(ttlSeconds: $0.ttlSeconds, cacheSampledAnswers: $0.cacheSampledAnswers, maxEntries: $0.maximumEntries)
            }
            version = stored.version
            author = stored.author
            createdAt = stored.createdAt
            providers = stored.configuration.providers.map {
                Provider(name: $0.name, kind: $0.kind.rawValue, baseUrl: $0.baseURL, apiKeyEnv: $0.apiKeyEnvironment)
            }
            models = stored.configuration.models.map {
                Model(
                    name: $0.name, provider: $0.provider, upstreamModel: $0.upstreamModel, inputPerMillion: "\($0.inputPerMillion)",
                    outputPerMillion: "\($0.outputPerMillion)", cachedInputPerMillion: "\($0.cachedInputPerMillion)",
                    timeoutSeconds: $0.timeoutSeconds,
                    maxOutputTokens: $0.maximumOutputTokens, fallbacks: $0.fallbacks)
            }
        }
    }

    struct ConfigurationBody: Encodable { let configuration: WireConfiguration }

    /// The configuration as JSON (prices as exact decimal texts), or its YAML document with `?format=yaml`.
    @Sendable func showConfiguration(_ request: Request, context: Context) async throws -> Response {
        let stored = try await gateway.configuration()
        if try NativeMessage.query("format", request) == "yaml" {
            return NativeMessage.text(stored.configuration.document, contentType: "application/yaml; charset=utf-8")
        }
        return try NativeMessage.json(ConfigurationBody(configuration: WireConfiguration(stored)))
    }

    @Sendable func replaceConfiguration(_ request: Request, context: Context) async throws -> Response {
        let document = try await NativeMessage.text(of: request)
        let stored = try await gateway.setConfiguration(document: document, actor: context.principal)
        return try NativeMessage.json(ConfigurationBody(configuration: WireConfiguration(stored)))
    }

    struct WireKey: Encodable {
        let id: String
        let systemId: String
        let label: String
        let createdBy: String
        let createdAt: Int64

        init(_ key: GatewayKey) {
            id = key.id
            systemId = key.systemID
            label = key.label
            createdBy = key.createdBy
            createdAt = key.createdAt
        }
    }

    struct CreateKeyMessage: Decodable { var label: String? }
    struct CreatedKey: Encodable {
        let id: String
        let key: String
        let systemId: String
        let label: String
    }
    struct KeysBody: Encodable {
        let keys: [WireKey]
        /// Calls made with the system's keys for models its register entry does not list.
        let unlistedModelCalls: Int64
    }

    @Sendable func createKey(_ request: Request, context: Context) async throws -> Response {
        let message = try await NativeMessage.decode(CreateKeyMessage.self, from: request)
        let (key, secret) = try await gateway.createKey(
            systemID: try NativeMessage.parameter("id", context), label: message.label ?? "", actor: context.principal)
        return try NativeMessage.json(CreatedKey(id: key.id, key: secret, systemId: key.systemID, label: key.label), status: .created)
    }

    @Sendable func listKeys(_ request: Request, context: Context) async throws -> Response {
        let systemID = try NativeMessage.parameter("id", context)
        let keys = try await gateway.keys(systemID: systemID)
        return try NativeMessage.json(
            KeysBody(keys: keys.map(WireKey.init), unlistedModelCalls: try await gateway.unlistedModelCalls(systemID: systemID)))
    }

    @Sendable func revokeKey(_ request: Request, context: Context) async throws -> Response {
        try await gateway.revokeKey(
            systemID: try NativeMessage.parameter("id", context), id: try NativeMessage.parameter("key", context), actor: context.principal)
        return try NativeMessage.json(EmptyObject())
    }

    struct WireSafetyCheck: Encodable {
        let name: String
        let kind: String
        let applyTo: String
        let action: String
        let pattern: String?
        let characters: Int?

        init(_ check: SafetyPolicy.Check) {
            name = check.name
            applyTo = check.direction.rawValue
            action = check.action.rawValue
            switch check.kind {
            case .email: (kind, pattern, characters) = ("email", nil, nil)
            case .phone: (kind, pattern, characters) = ("phone", nil, nil)
            case .card: (kind, pattern, characters) = ("card", nil, nil)
            case .iban: (kind, pattern, characters) = ("iban", nil, nil)
            case .deny(let text): (kind, pattern, characters) = ("deny", text, nil)
            case .maximumLength(let limit): (kind, pattern, characters) = ("max_length", nil, limit)
            }
        }
    }

    struct SafetyBody: Encodable { let checks: [WireSafetyCheck] }

    /// The system's safety checks as JSON, or their YAML document with `?format=yaml`.
    @Sendable func showSafety(_ request: Request, context: Context) async throws -> Response {
        let systemID = try NativeMessage.parameter("id", context)
        _ = try await gateway.keys(systemID: systemID)
        let policy = try await gateway.safetyPolicy(systemID: systemID)
        if try NativeMessage.query("format", request) == "yaml" {
            return NativeMessage.text(policy.document, contentType: "application/yaml; charset=utf-8")
        }
        return try NativeMessage.json(SafetyBody(checks: policy.checks.map(WireSafetyCheck.init)))
    }

    @Sendable func replaceSafety(_ request: Request, context: Context) async throws -> Response {
        let document = try await NativeMessage.text(of: request)
        let policy = try await gateway.setSafetyPolicy(
            document: document, systemID: try NativeMessage.parameter("id", context), actor: context.principal)
        return try NativeMessage.json(SafetyBody(checks: policy.checks.map(WireSafetyCheck.init)))
    }

    struct BudgetMessage: Decodable {
        var dailyUsd: Double?
        var monthlyUsd: Double?

        /// The limits as written: a number's shortest decimal form.
        var budget: GatewayBudget {
            GatewayBudget(dailyUSD: dailyUsd.flatMap { Decimal(string: "\($0)") }, monthlyUSD: monthlyUsd.flatMap { Decimal(string: "\($0)") })
        }
    }

    struct WireBudget: Encodable {
        let scope: String
        let dailyUsd: String?
        let monthlyUsd: String?
        let spentTodayUsd: String
        let spentThisMonthUsd: String
    }

    struct BudgetsBody: Encodable { let budgets: [WireBudget] }

    /// The system's budget and its keys', with what each spent today and this month (UTC), as exact decimals.
    @Sendable func showBudgets(_ request: Request, context: Context) async throws -> Response {
        let report = try await gateway.budgets(systemID: try NativeMessage.parameter("id", context))
        return try NativeMessage.json(
            BudgetsBody(
                budgets: report.map {
                    WireBudget(
                        scope: $0.scope.text, dailyUsd: $0.budget?.dailyUSD.map { "\($0)" }, monthlyUsd: $0.budget?.monthlyUSD.map { "\($0)" },
                        spentTodayUsd: "\($0.today)", spentThisMonthUsd: "\($0.month)")
                }))
    }

    struct WireSpend: Encodable {
        let scope: String
        let todayUsd: String
        let callsToday: Int64
        let thisMonthUsd: String
        let callsThisMonth: Int64
    }

    struct SpendBody: Encodable {
        let day: String
        let month: String
        let spend: [WireSpend]
    }

    /// What the system spent on a day (`?day=YYYY-MM-DD`, UTC; today by default) and in its month: in all, per key,
    /// per model and per prompt version, as exact decimals with the number of calls.
    @Sendable func showSpend(_ request: Request, context: Context) async throws -> Response {
        let report = try await gateway.spend(systemID: try NativeMessage.parameter("id", context), day: try NativeMessage.query("day", request))
        return try NativeMessage.json(
            SpendBody(
                day: report.periods.day, month: report.periods.month,
                spend: report.spend.map {
                    WireSpend(
                        scope: $0.scope, todayUsd: "\($0.today)", callsToday: $0.callsToday, thisMonthUsd: "\($0.month)",
                        callsThisMonth: $0.callsThisMonth)
                }))
    }

    struct PromptExperimentMessage: Decodable {
        struct Version: Decodable {
            var version: WireText?
            var weight: Double?
        }
        struct Judge: Decodable {
            var model: String?
            var rubric: String?
            var samplePercent: Double?
            var maxTokens: Int64?
        }
        var versions: [Version]?
        var primaryMetric: String?
        var judge: Judge?
    }

    struct WirePromptExperiment: Encodable {
        struct Version: Encodable {
            let version: String
            let weight: Double
            let calls: Int
            let failures: Int
            let units: Int
            let costUsd: Double
            let errorRate: Double?
            let latencyP50Ms: Double?
            let latencyP95Ms: Double?
            let feedback: Int
            let conversion: Double?
            let labeled: Int
            let accuracy: Double?
            let mae: Double?
            let judged: Int
            let judgeScore: Double?
            let difference: Double?
            let pValue: Double?
        }
        struct Judge: Encodable {
            let model: String
            let rubric: String
            let samplePercent: Double
            let maxTokens: Int64
        }
        let id: String
        let prompt: String
        let primaryMetric: String
        let judge: Judge?
        let createdBy: String
        let createdAt: Int64
        let versions: [Version]
        let verdict: String

        init(_ report: GatewayService.PromptExperimentReport) {
            id = report.experiment.id
            prompt = report.experiment.prompt
            primaryMetric = report.experiment.primaryMetric.rawValue
            judge = report.experiment.judge.map {
                Judge(model: $0.model, rubric: $0.rubric, samplePercent: $0.samplePercent, maxTokens: $0.maximumTokens)
            }
            createdBy = report.experiment.createdBy
            createdAt = report.experiment.createdAt
            verdict = report.verdict
            versions = report.versions.map {
                Version(
                    version: $0.version, weight: $0.weight, calls: $0.calls, failures: $0.failures, units: $0.units, costUsd: $0.costUSD,
                    errorRate: $0.errorRate, latencyP50Ms: $0.latencyP50, latencyP95Ms: $0.latencyP95, feedback: $0.feedback,
                    conversion: $0.conversion, labeled: $0.labeled, accuracy: $0.accuracy, mae: $0.mae, judged: $0.judged,
                    judgeScore: $0.judgeScore, difference: $0.difference, pValue: $0.pValue)
            }
        }
    }

    struct PromptExperimentsBody: Encodable { let experiments: [WirePromptExperiment] }

    /// The system's prompt experiments, each version measured from its calls' events and compared with the control.
    @Sendable func listPromptExperiments(_ request: Request, context: Context) async throws -> Response {
        let reports = try await gateway.promptExperiments(systemID: try NativeMessage.parameter("id", context))
        return try NativeMessage.json(PromptExperimentsBody(experiments: reports.map(WirePromptExperiment.init)))
    }

    /// Starts, or changes the split of, an A/B test of a registered prompt's versions.
    @Sendable func setPromptExperiment(_ request: Request, context: Context) async throws -> Response {
        // `"judge": null` takes the judge away; leaving judge out keeps the one set before.
        let (message, judgeIsNull) = try await NativeMessage.decode(PromptExperimentMessage.self, from: request, null: "judge")
        guard let versions = message.versions else {
            throw StewardError.invalidParameter("versions is required: a list of {version, weight}, the control first, weights summing to 100.")
        }
        var arms: [PromptExperiment.Arm] = []
        for (index, version) in versions.enumerated() {
            guard let weight = version.weight else { throw StewardError.invalidParameter("versions[\(index)].weight is required: a percentage.") }
            arms.append(
                PromptExperiment.Arm(version: try NativeMessage.required(version.version?.text, "versions[\(index)].version"), weight: weight))
        }
        let systemID = try NativeMessage.parameter("id", context)
        var metric: RolloutAnalysis.Metric?
        if let text = message.primaryMetric { metric = try RolloutAnalysis.Metric(parsing: text) }
        var judge: PromptExperiment.OnlineJudge?
        if let wanted = message.judge {
            judge = PromptExperiment.OnlineJudge(
                model: try NativeMessage.required(wanted.model, "judge.model"), rubric: try NativeMessage.required(wanted.rubric, "judge.rubric"),
                samplePercent: wanted.samplePercent ?? PromptExperiment.OnlineJudge.defaultSamplePercent,
                maximumTokens: wanted.maxTokens ?? PromptExperiment.OnlineJudge.defaultMaximumTokens)
        }
        let report = try await gateway.setPromptExperiment(
            systemID: systemID, prompt: try NativeMessage.parameter("prompt", context), arms: arms, primaryMetric: metric, judge: judge,
            removingJudge: judgeIsNull, actor: context.principal)
        return try NativeMessage.json(WirePromptExperiment(report))
    }

    @Sendable func endPromptExperiment(_ request: Request, context: Context) async throws -> Response {
        try await gateway.endPromptExperiment(
            systemID: try NativeMessage.parameter("id", context), prompt: try NativeMessage.parameter("prompt", context), actor: context.principal)
        return try NativeMessage.json(EmptyObject())
    }

    @Sendable func setSystemBudget(_ request: Request, context: Context) async throws -> Response {
        let message = try await NativeMessage.decode(BudgetMessage.self, from: request)
        try await gateway.setBudget(message.budget, systemID: try NativeMessage.parameter("id", context), actor: context.principal)
        return try await showBudgets(request, context: context)
    }

    @Sendable func setKeyBudget(_ request: Request, context: Context) async throws -> Response {
        let message = try await NativeMessage.decode(BudgetMessage.self, from: request)
        try await gateway.setBudget(
            message.budget, systemID: try NativeMessage.parameter("id", context), keyID: try NativeMessage.parameter("key", context),
            actor: context.principal)
        return try await showBudgets(request, context: context)
    }
}
