import Foundation
import Synchronization

/// The LLM gateway's rules: its configuration (administrators and compliance officers change it, every version
/// audited), the systems' keys, and which models a call may use. A call may use only the models its system's
/// register entry lists (as an external model, or a linked model of the same name); any other is refused,
/// audited as a shadow-AI attempt and counted on the entry.
public struct GatewayService: Sendable {
    /// Who is calling: a key and the system it belongs to, or the system itself (no key: the system's budgets
    /// alone apply) in a prompt evaluation or as a prompt experiment's judge.
    public struct Caller: Sendable {
        public let key: GatewayKey?
        public let system: AISystem
        /// Who the audit log names: `gateway_key:<id>`, the user who ordered the evaluation, or the experiment.
        public let actor: String
        /// What the call's event names as its key: the key's id, `evaluation` or `judge`.
        public let keyName: String

        init(key: GatewayKey?, system: AISystem, actor: String, keyName: String = "evaluation") {
            self.key = key
            self.system = system
            self.actor = actor
            self.keyName = key?.id ?? keyName
        }

        /// The system's own calls that `experiment`'s judge makes to grade answers.
        public func judge(of experiment: PromptExperiment) -> Caller {
            Caller(key: nil, system: system, actor: "prompt_experiment:\(experiment.id)", keyName: "judge")
        }
    }

    /// Where a call for a model goes: the model and its provider, then its fallbacks in order.
    public struct Route: Sendable {
        public let targets: [(model: GatewayConfiguration.Model, provider: GatewayConfiguration.Provider)]
    }

    let repository: any GatewayRepository
    let systems: any SystemRepository
    let audit: any AuditRepository
    let allowList: EndpointAllowList
    let prompts: ModelRegistryService
    /// Prompt experiments serve versions to real users: the promotion decision says which may.
    let promotion: PromotionDecision
    let now: @Sendable () -> Int64
    private let cached: CachedConfiguration
    private let cachedPrompts = ShortLivedCache<ModelVersion>()
    private let cachedExperiments = ShortLivedCache<[PromptExperiment]>()
    private let cachedSafety = ShortLivedCache<SafetyPolicy>()
    private let cachedCallers = ShortLivedCache<Caller>()
    /// What this server holds of the budgets, and the costs it has not written yet.
    let ledger: GatewayBudgetLedger
    private let spendWrites: CallCoalescer<Bool, Void>

    /// How long a configuration read from the store is used before it is read again: a change made through another
    /// replica reaches this one within this time (one made here, at once).
    static let configurationLifetimeMilliseconds: Int64 = 1000

    public init(
        repository: any GatewayRepository, systems: any SystemRepository, audit: any AuditRepository, allowList: EndpointAllowList,
        prompts: ModelRegistryService, promotion: PromotionDecision, now: @escaping @Sendable () -> Int64 = EpochClock.now
    ) {
        self.repository = repository
        self.systems = systems
        self.audit = audit
        self.allowList = allowList
        self.prompts = prompts
        self.promotion = promotion
        self.now = now
        cached = CachedConfiguration()
        let ledger = GatewayBudgetLedger()
        self.ledger = ledger
        spendWrites = CallCoalescer { releasing in
            let flush = ledger.takeFlush(now: now(), releasingAll: releasing.contains(true))
            if !flush.isEmpty {
                do { try await repository.write(flush) } catch {
                    ledger.finished(flush, written: false)
                    throw error
                }
            }
            ledger.finished(flush, written: true)
            return releasing.map { _ in .success(()) }
        }
    }

    /// The configuration in force: the newest stored version, or an empty one as version 0.
    public func configuration() async throws -> GatewayConfigurationVersion {
        let time = now()
        if let known = cached.current(at: time) { return known }
        let stored =
            try await repository.currentConfiguration()
            ?? GatewayConfigurationVersion(version: 0, configuration: .empty, author: "steward", createdAt: 0)
        cached.keep(stored, at: time)
        return stored
    }

    /// Validates and stores a new configuration version: compliance or admin only. Every provider's host must be
    /// one the server may call.
    public func setConfiguration(document: String, actor: Principal) async throws -> GatewayConfigurationVersion {
        let entry = AuditEntry(actor: actor, action: "gateway.configure", target: "gateway")
        try await audit.require(actor, GovernanceRoles.governors, to: "change the gateway configuration", entry, now: now())
        let configuration = try GatewayConfiguration(yaml: document)
        for provider in configuration.providers {
            do { _ = try allowList.check(provider.baseURL) } catch {
                throw StewardError(error.code, "providers '\(provider.name)': \(error.message)")
            }
        }
        var stored = entry
        stored.details = ["digest": SHA256Digest.hex(of: Data(document.utf8))]
        let time = now()
        let version = try await repository.storeConfiguration(document: document, author: actor.name, now: time, audit: stored)
        let made = GatewayConfigurationVersion(version: version, configuration: configuration, author: actor.name, createdAt: time)
        cached.keep(made, at: time)
        return made
    }

    /// Makes a key for a system (contributors and up; audited) and returns it with the key's one showing.
    public func createKey(systemID: String, label: String, actor: Principal) async throws -> (GatewayKey, key: String) {
        let time = now()
        try await audit.requireContributor(actor, "gateway.key.create", target: "system:\(systemID)", systemID: systemID, now: time)
        guard label.count <= 200, !label.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw StewardError.invalidParameter("label must be at most 200 characters without control characters.")
        }
        _ = try await systems.system(id: systemID)
        let secret = GatewayKey.generate()
        let digest = AccessToken.digest(secret)
        let key = GatewayKey(id: AccessToken.id(ofDigest: digest), systemID: systemID, label: label, createdBy: actor.name, createdAt: time)
        try await repository.addKey(
            key, digest: digest,
            audit: AuditEntry(
                actor: actor, action: "gateway.key.create", target: "gateway_key:\(key.id)", systemID: systemID, details: ["label": label]))
        return (key, secret)
    }

    public func keys(systemID: String) async throws -> [GatewayKey] {
        _ = try await systems.system(id: systemID)
        return try await repository.keys(systemID: systemID)
    }

    /// Revokes a system's key (contributors and up; audited); calls with it are refused from then on.
    public func revokeKey(systemID: String, id: String, actor: Principal) async throws {
        let time = now()
        try await audit.requireContributor(actor, "gateway.key.revoke", target: "gateway_key:\(id)", systemID: systemID, now: time)
        guard AccessToken.isValidID(id) else { throw StewardError.invalidParameter("A key id is 16 lowercase hex digits.") }
        let entry = AuditEntry(actor: actor, action: "gateway.key.revoke", target: "gateway_key:\(id)", systemID: systemID)
        guard try await repository.revokeKey(systemID: systemID, id: id, now: time, audit: entry) else {
            throw StewardError.notFound("System '\(systemID)' has no gateway key '\(id)'.")
        }
        cachedCallers.forget { $0.key?.id == id }
    }

    /// The system calling with `key`; 401 for a key that is not (or no longer) valid. What a key resolves to is
    /// kept for a second (two reads a call showed in the gateway's profile): a key revoked here is refused at
    /// once, through another replica within that second, and a change of the system's register entry (the models
    /// it lists) applies within it too.
    public func caller(key: String) async throws -> Caller {
        guard key.hasPrefix(GatewayKey.prefix), key.utf8.count <= 100 else {
            throw StewardError(.unauthenticated, "Incorrect API key provided: the gateway takes the key a system was given (sgw_…).")
        }
        let digest = AccessToken.digest(key)
        let time = now()
        if let known = cachedCallers.current(digest, at: time) { return known }
        guard let stored = try await repository.key(digest: digest) else {
            throw StewardError(.unauthenticated, "Incorrect API key provided: the gateway takes the key a system was given (sgw_…).")
        }
        let caller = Caller(key: stored, system: try await systems.system(id: stored.systemID), actor: "gateway_key:\(stored.id)")
        cachedCallers.keep(caller, for: digest, at: time)
        return caller
    }

    /// A prompt evaluation of a system ordered by `actor`, calling as the system without a key.
    public func evaluationCaller(systemID: String, actor: Principal) async throws -> Caller {
        Caller(key: nil, system: try await systems.system(id: systemID), actor: actor.name)
    }

    /// The stored version a prompt reference names (its version, or the one its alias points to, or the latest).
    public func promptVersion(_ reference: PromptReference) async throws -> String {
        String(try await prompts.promptVersion(name: reference.name, version: reference.version, alias: reference.alias).version)
    }

    /// The configured models `caller`'s system may use.
    public func models(for caller: Caller) async throws -> [GatewayConfiguration.Model] {
        try await models(of: caller.system)
    }

    /// The configured models `system` may use.
    func models(of system: AISystem) async throws -> [GatewayConfiguration.Model] {
        let listed = Self.listedModels(system)
        return try await configuration().configuration.models.filter { listed.contains($0.name) }
    }

    /// Where a call for `model` goes. A model the system does not list is refused (403, audited and counted as a
    /// shadow-AI attempt) with the models it may use; a listed one the configuration lacks is 404. Fallbacks the
    /// system does not list are skipped.
    public func route(_ caller: Caller, model name: String) async throws -> Route {
        let configuration = try await configuration().configuration
        let listed = Self.listedModels(caller.system)
        guard listed.contains(name) else {
            let time = now()
            let usable = configuration.models.map(\.name).filter { listed.contains($0) }
            let error = StewardError(
                .permissionDenied,
                "System '\(caller.system.id)' may not use model '\(name)': it is not listed in the system's register entry. "
                    + (usable.isEmpty ? "The system may use no configured model." : "Models it may use: \(usable.joined(separator: ", ")).")
            )
            try await repository.recordUnlistedModel(
                systemID: caller.system.id, now: time,
                audit: AuditEntry(
                    actor: caller.actor, action: "gateway.unlisted_model", outcome: .refused, target: "model:\(name)",
                    systemID: caller.system.id, details: ["reason": error.message]))
            throw error
        }
        guard let model = configuration.model(named: name) else {
            throw StewardError.notFound("The model '\(name)' does not exist: the gateway's configuration does not define it.")
        }
        var targets: [(model: GatewayConfiguration.Model, provider: GatewayConfiguration.Provider)] = []
        for candidate in [model] + model.fallbacks.compactMap(configuration.model(named:))
        where candidate.name == name || listed.contains(candidate.name) {
            if let provider = configuration.provider(named: candidate.provider) { targets.append((candidate, provider)) }
        }
        return Route(targets: targets)
    }

    /// How many calls for unlisted models the system's keys made.
    public func unlistedModelCalls(systemID: String) async throws -> Int64 {
        try await repository.unlistedModelCalls(systemID: systemID)
    }

    /// Sets the budget of a system (`keyID` nil) or of one of its keys: contributors and up, audited. Both limits
    /// nil removes it.
    public func setBudget(_ budget: GatewayBudget, systemID: String, keyID: String? = nil, actor: Principal) async throws {
        let time = now()
        let scope: GatewayBudget.Scope = keyID.map(GatewayBudget.Scope.key) ?? .system(systemID)
        try await audit.requireContributor(actor, "gateway.budget.set", target: scope.text, systemID: systemID, now: time)
        for (name, limit) in [("daily_usd", budget.dailyUSD), ("monthly_usd", budget.monthlyUSD)] {
            if let limit, limit < 0 || limit > 1_000_000 {
                throw StewardError.invalidParameter("\(name) must be from 0 to 1000000 dollars, or null for no limit.")
            }
        }
        var details: [String: String] = [:]
        if let daily = budget.dailyUSD { details["daily_usd"] = "\(daily)" }
        if let monthly = budget.monthlyUSD { details["monthly_usd"] = "\(monthly)" }
        try await repository.setBudget(
            budget, scope: scope, systemID: systemID, now: time,
            audit: AuditEntry(actor: actor, action: "gateway.budget.set", target: scope.text, systemID: systemID, details: details))
        ledger.forget(scope: scope.text)
    }

    /// A system's budget and its keys' budgets, with what each spent today and this month (UTC).
    public func budgets(systemID: String) async throws -> [(scope: GatewayBudget.Scope, budget: GatewayBudget?, today: Decimal, month: Decimal)] {
        _ = try await systems.system(id: systemID)
        try await writeSpend()
        let periods = GatewayBudget.Periods(at: now())
        let budgets = try await repository.budgets(systemID: systemID)
        var scopes: [GatewayBudget.Scope] = [.system(systemID)]
        scopes += try await repository.keys(systemID: systemID).map { .key($0.id) }
        var report: [(scope: GatewayBudget.Scope, budget: GatewayBudget?, today: Decimal, month: Decimal)] = []
        for scope in scopes {
            let today = try await repository.spend(scope: scope, period: periods.day).amount
            let month = try await repository.spend(scope: scope, period: periods.month).amount
            report.append((scope, budgets[scope], Picodollars.dollars(today), Picodollars.dollars(month)))
        }
        return report
    }

    /// Holds what a call to `model` may cost, against the budgets of the caller's system and key: its worst case
    /// (`promptTokenBound` prompt tokens, which must not be fewer than the provider will count, and
    /// `requestedCompletionTokens` for each of `choices`), capped by what is left. The call must then ask the
    /// provider for no more than the reservation's `maximumCompletionTokens`, so that no number of concurrent
    /// calls spends past a budget. Refused (429 `budget_exceeded`, naming the budget) when not even the prompt
    /// and one completion token fit.
    public func reserve(
        _ caller: Caller, model: GatewayConfiguration.Model, promptTokenBound: Int64, requestedCompletionTokens: Int64?, choices: Int64
    ) async throws -> GatewayReservation {
        let time = now()
        let periods = GatewayBudget.Periods(at: time)
        let scopes: [GatewayBudget.Scope] = [.system(caller.system.id)] + (caller.key.map { [.key($0.id)] } ?? [])
        let promptCost = TokenUsage(promptTokens: promptTokenBound, completionTokens: 0).picodollars(at: model)
        // Saturating arithmetic throughout: the token counts come from the request.
        let perToken = Picodollars.product(model.outputPicodollarsPerToken, max(choices, 1))
        // A call that sets no limit is held to the model's max_output_tokens while a budget applies.
        let limit = requestedCompletionTokens ?? model.maximumOutputTokens
        let worstCase = Picodollars.sum(promptCost, Picodollars.product(limit, perToken))
        let texts = scopes.map(\.text)
        let minimum = Picodollars.sum(promptCost, perToken)
        var decision = ledger.hold(scopes: texts, periods: periods, worstCase: worstCase, minimum: minimum, now: time)
        // Concurrent calls may take what was granted for this one: it asks again, up to three times, then holds what
        // is free or is refused.
        var rounds = 0
        while case .short(let requests) = decision {
            rounds += 1
            let grants = try await repository.grant(requests, now: time)
            decision = ledger.hold(
                scopes: texts, periods: periods, worstCase: worstCase, minimum: minimum, now: time, final: rounds == 3,
                applying: Array(zip(requests, grants)))
        }
        guard case .held(let amount, let held) = decision else {
            let tightest = if case .refused(let tightest) = decision { tightest } else { "its budgets" }
            throw StewardError(
                .requestLimitExceeded, "budget_exceeded: this call may cost up to \(Picodollars.dollars(minimum)) $, more than \(tightest) allows.")
        }
        var maximum = requestedCompletionTokens
        if amount > 0 {
            let affordable = perToken > 0 ? (amount - promptCost) / perToken : limit
            maximum = min(limit, affordable)
        }
        return GatewayReservation(scopes: scopes, held: held, periods: periods, amount: amount, maximumCompletionTokens: maximum)
    }

    /// Releases a call's reservation and counts what it cost against its budgets' scopes and the `tallies` (its
    /// model, its prompt version) that spend is also reported by; `cost` in picodollars. In memory: the cost
    /// reaches the store with the next `writeSpend`.
    public func settle(_ reservation: GatewayReservation, cost: Int64, tallies: [GatewayBudget.Scope] = []) {
        ledger.settle(
            held: reservation.held, amount: reservation.amount, scopes: (reservation.scopes + tallies).map(\.text), periods: reservation.periods,
            cost: cost)
    }

    /// Writes the costs settled since the last time to the store, and gives back what idle leases hold (every
    /// lease's free part with `releasingAll`, as the server stops). Concurrent callers share one write that starts
    /// after each of them asked, so what a caller settled before is in the store when this returns.
    public func writeSpend(releasingAll: Bool = false) async throws {
        try await spendWrites.submit(releasingAll)
    }

    /// What a system spent on `day` (`YYYY-MM-DD`, UTC; today when nil) and in its month, per scope: the system,
    /// each key, each model and each prompt version, each with its number of calls.
    public func spend(systemID: String, day: String?) async throws -> (periods: GatewayBudget.Periods, spend: [GatewayBudget.Spend]) {
        let periods: GatewayBudget.Periods
        if let day {
            guard let given = GatewayBudget.Periods(day: day) else { throw StewardError.invalidParameter("day must be a date as YYYY-MM-DD.") }
            periods = given
        } else {
            periods = GatewayBudget.Periods(at: now())
        }
        _ = try await systems.system(id: systemID)
        try await writeSpend()
        var byScope: [String: GatewayBudget.Spend] = [:]
        for row in try await repository.spend(systemID: systemID, periods: periods) {
            let scope = GatewayBudget.Scope.reported(row.scope, system: systemID)
            var entry = byScope[scope] ?? GatewayBudget.Spend(scope: scope)
            if row.period == periods.day {
                entry.today = Picodollars.dollars(row.amount)
                entry.callsToday = row.calls
            } else {
                entry.month = Picodollars.dollars(row.amount)
                entry.callsThisMonth = row.calls
            }
            byScope[scope] = entry
        }
        byScope["system"] = byScope["system"] ?? GatewayBudget.Spend(scope: "system")
        let order = ["system": 0, "key": 1, "model": 2, "prompt": 3]
        return (
            periods,
            byScope.values.sorted {
                let left = order[String($0.scope.prefix { $0 != ":" }), default: 4]
                let right = order[String($1.scope.prefix { $0 != ":" }), default: 4]
                return left != right ? left < right : $0.scope < $1.scope
            }
        )
    }

    /// The registered prompt a call of `caller` names, rendered with its variables as chat messages (a text prompt
    /// is one user message), its version, and the experiment that chose the version, if one did: a call that names
    /// the prompt by alias (or latest) while its system runs an experiment on the prompt gets the version the
    /// experiment gives `unit`. Which version an alias points to, and a system's experiments, are read at most once
    /// a second, so a promotion or a new split reaches every replica within a second.
    public func renderPrompt(_ reference: PromptReference, for caller: Caller, unit: String?) async throws -> (
        version: String, messages: [PromptTemplate.ChatMessage], experiment: PromptExperiment?
    ) {
        let time = now()
        var reference = reference
        var experiment: PromptExperiment?
        if reference.version == nil {
            let experiments: [PromptExperiment]
            if let known = cachedExperiments.current(caller.system.id, at: time) {
                experiments = known
            } else {
                experiments = try await repository.promptExperiments(systemID: caller.system.id)
                cachedExperiments.keep(experiments, for: caller.system.id, at: time)
            }
            if let running = experiments.first(where: { $0.prompt == reference.name }) {
                experiment = running
                reference = PromptReference(name: reference.name, version: running.version(unit: unit), alias: nil, variables: reference.variables)
            }
        }
        let key = [reference.name, reference.version ?? "", reference.alias ?? ""].joined(separator: "\u{0}")
        let version: ModelVersion
        if let known = cachedPrompts.current(key, at: time) {
            version = known
        } else {
            version = try await prompts.promptVersion(name: reference.name, version: reference.version, alias: reference.alias)
            cachedPrompts.keep(version, for: key, at: time)
        }
        switch try PromptTemplate.render(version, with: reference.variables) {
        case .text(let text): return (String(version.version), [PromptTemplate.ChatMessage(role: "user", content: text)], experiment)
        case .chat(let messages): return (String(version.version), messages, experiment)
        }
    }

    /// Starts, or replaces the split of, a system's A/B test of `prompt`'s versions: contributors and up, audited.
    /// Every version must be registered; the first is the control. A replaced split keeps the experiment's salt, so
    /// a unit stays with its version wherever the weights allow, and its primary metric and judge unless new ones
    /// are given (`removingJudge` takes the judge away).
    public func setPromptExperiment(
        systemID: String, prompt: String, arms: [PromptExperiment.Arm], primaryMetric: RolloutAnalysis.Metric?,
        judge given: PromptExperiment.OnlineJudge? = nil, removingJudge: Bool = false, actor: Principal
    ) async throws -> PromptExperimentReport {
        let time = now()
        try await audit.requireContributor(actor, "gateway.prompt_experiment.set", target: "prompt:\(prompt)", systemID: systemID, now: time)
        _ = try PromptExperiment.validate(arms)
        let system = try await systems.system(id: systemID)
        let existing = try await repository.promptExperiments(systemID: systemID).first { $0.prompt == prompt }
        let judge = removingJudge ? nil : given ?? existing?.judge
        if let judge {
            try judge.validate()
            let usable = try await models(of: system).map(\.name)
            guard usable.contains(judge.model) else {
                throw StewardError.invalidParameter(
                    "judge.model '\(judge.model)' is not a gateway model system '\(system.id)' may use"
                        + (usable.isEmpty ? "; it may use none." : "; it may use \(usable.joined(separator: ", ")).")
                )
            }
        }
        var refusals: [String] = []
        for arm in arms {
            let version = try await prompts.promptVersion(name: prompt, version: arm.version, alias: nil)
            let missing = try await promotion.trafficRefusals(
                system: system, version: version, weight: arm.weight, role: .challenger,
                promote: "promote it (steward systems promote \(system.id) --model \(prompt) --version \(arm.version))")
            refusals += missing.map { "version \(arm.version)\(arm.weight >= 100 ? "" : " as a challenger"): \($0)" }
        }
        guard refusals.isEmpty else {
            try await promotion.refuse(
                AuditEntry(
                    actor: actor, action: "gateway.prompt_experiment.set", target: "prompt:\(prompt)", systemID: systemID,
                    details: ["refused": refusals.joined(separator: "; ")]),
                StewardError(
                    .permissionDenied,
                    "Prompt experiment refused: system '\(system.name)' is \(system.riskTier.rawValue) risk and \(refusals.count) version"
                        + " condition\(refusals.count == 1 ? " is" : "s are") not met: \(refusals.joined(separator: "; "))."))
        }
        let experiment = PromptExperiment(
            id: existing?.id ?? RecordID.make("pex"), systemID: systemID, prompt: prompt, arms: arms, salt: existing?.salt ?? RecordID.make("salt"),
            primaryMetric: primaryMetric ?? existing?.primaryMetric ?? .conversion, judge: judge, createdBy: actor.name, createdAt: time)
        try await repository.storePromptExperiment(
            experiment,
            audit: AuditEntry(
                actor: actor, action: "gateway.prompt_experiment.set", target: "prompt:\(prompt)", systemID: systemID,
                details: [
                    "experiment": experiment.id, "versions": arms.map { "\($0.version): \($0.weight)%" }.joined(separator: ", "),
                    "primary_metric": experiment.primaryMetric.rawValue,
                    "judge": judge.map { "\($0.model), \($0.samplePercent)% of answers" } ?? "none",
                ]))
        cachedExperiments.forget(systemID)
        return try await report(experiment)
    }

    /// An experiment with each version measured from its calls' events and compared with the control.
    public typealias PromptExperimentReport = (experiment: PromptExperiment, versions: [PromptExperiment.VersionReport], verdict: String)

    func report(_ experiment: PromptExperiment) async throws -> PromptExperimentReport {
        let report = experiment.report(try await repository.observations(of: experiment))
        return (experiment, report.versions, report.verdict)
    }

    /// A system's prompt experiments, each measured from its calls' events and compared with its control.
    public func promptExperiments(systemID: String) async throws -> [PromptExperimentReport] {
        _ = try await systems.system(id: systemID)
        var reports: [PromptExperimentReport] = []
        for experiment in try await repository.promptExperiments(systemID: systemID) { reports.append(try await report(experiment)) }
        return reports
    }

    /// Ends a system's experiment on `prompt` (contributors and up, audited): calls get the version their alias
    /// names again. Its events keep their versions. Promoting the winner is setting the alias, through the
    /// promotion decision.
    public func endPromptExperiment(systemID: String, prompt: String, actor: Principal) async throws {
        let time = now()
        try await audit.requireContributor(actor, "gateway.prompt_experiment.end", target: "prompt:\(prompt)", systemID: systemID, now: time)
        let ended = try await repository.endPromptExperiment(
            systemID: systemID, prompt: prompt, now: time,
            audit: AuditEntry(actor: actor, action: "gateway.prompt_experiment.end", target: "prompt:\(prompt)", systemID: systemID))
        guard ended else { throw StewardError.notFound("System '\(systemID)' runs no experiment on prompt '\(prompt)'.") }
        cachedExperiments.forget(systemID)
    }

    /// A system's safety checks (none until some are stored); read at most once a second per system.
    public func safetyPolicy(systemID: String) async throws -> SafetyPolicy {
        let time = now()
        if let known = cachedSafety.current(systemID, at: time) { return known }
        let stored = try await repository.safetyPolicy(systemID: systemID) ?? .none
        cachedSafety.keep(stored, for: systemID, at: time)
        return stored
    }

    /// Replaces a system's safety checks with the YAML `document`: contributors and up, audited.
    public func setSafetyPolicy(document: String, systemID: String, actor: Principal) async throws -> SafetyPolicy {
        let time = now()
        try await audit.requireContributor(actor, "gateway.safety.set", target: "system:\(systemID)", systemID: systemID, now: time)
        let policy = try SafetyPolicy(yaml: document)
        try await repository.storeSafetyPolicy(
            policy, systemID: systemID, author: actor.name, now: time,
            audit: AuditEntry(
                actor: actor, action: "gateway.safety.set", target: "system:\(systemID)", systemID: systemID,
                details: ["digest": SHA256Digest.hex(of: Data(document.utf8)), "checks": "\(policy.checks.count)"]))
        cachedSafety.keep(policy, for: systemID, at: time)
        return policy
    }

    /// The model names a register entry lists: its external models and its linked models.
    static func listedModels(_ system: AISystem) -> Set<String> {
        Set(system.profile.externalModels.map(\.model)).union(system.components.filter { $0.kind == .model }.map(\.name))
    }
}

/// The configuration last read, shared by the copies of the service.
final class CachedConfiguration: Sendable {
    private let state = Mutex<(version: GatewayConfigurationVersion, readAt: Int64)?>(nil)

    func current(at time: Int64) -> GatewayConfigurationVersion? {
        state.withLock { known in
            guard let known, time - known.readAt < GatewayService.configurationLifetimeMilliseconds, time >= known.readAt else { return nil }
            return known.version
        }
    }

    func keep(_ version: GatewayConfigurationVersion, at time: Int64) {
        state.withLock { known in
            if let known, known.version.version > version.version, time - known.readAt < GatewayService.configurationLifetimeMilliseconds { return }
            known = (version, time)
        }
    }
}

/// Values read from the store and kept for `GatewayService.configurationLifetimeMilliseconds` by name (a system's
/// safety checks by its id, what a key resolves to by its digest), shared by the copies of the service; at most
/// 10,000 names, all forgotten when full.
final class ShortLivedCache<Value: Sendable>: Sendable {
    private let state = Mutex<[String: (value: Value, readAt: Int64)]>([:])

    func current(_ name: String, at time: Int64) -> Value? {
        state.withLock { known in
            guard let entry = known[name], time >= entry.readAt, time - entry.readAt < GatewayService.configurationLifetimeMilliseconds else {
                return nil
            }
            return entry.value
        }
    }

    func keep(_ value: Value, for name: String, at time: Int64) {
        state.withLock { known in
            if known.count >= 10_000 { known.removeAll(keepingCapacity: true) }
            known[name] = (value, time)
        }
    }

    /// Forgets the value kept for `name`.
    func forget(_ name: String) {
        _ = state.withLock { known in known.removeValue(forKey: name) }
    }

    /// Forgets every value `matches` picks.
    func forget(where matches: (Value) -> Bool) {
        state.withLock { known in known = known.filter { !matches($0.value.value) } }
    }
}
