import SQLKit
import StewardCore
import StewardStore
import StewardTestSupport
import Testing

/// The governance services over the SQL store, on every available engine: the promotion gate, approvals,
/// rollback, transactions, and the audit chain against tampering and concurrency.
@Suite("Governance store")
struct GovernanceStoreTests {
    static let compliance = Principal.user("cora", role: .compliance)
    static let reviewer = Principal.user("rita", role: .reviewer)
    static let contributor = Principal.user("carl", role: .contributor)

    /// A run logged by `runUser`, and version 1 of model `m` registered from it by `contributor`.
    /// `creator` creates the model.
    public static func registeredModel(
        _ services: TrackingServices, runUser: String = "trainer", experiment name: String = "e", creator: Principal = contributor
    ) async throws {
        let experiment = try await services.experiments.createExperiment(name: name, artifactLocation: nil, tags: [])
        let run = try await services.runs.createRun(experimentID: experiment, userID: runUser, runName: nil, startTime: nil, tags: []).info.runID
        _ = try await services.registry.createRegisteredModel(name: "m", description: nil, tags: [], actor: creator)
        for _ in 1...2 {
            _ = try await services.registry.createModelVersion(
                name: "m", source: "runs:/\(run)/model", runID: run, modelID: nil, runLink: nil, description: nil, tags: [],
                actor: contributor.name)
        }
    }

    public static func lowRiskSystem(_ services: TrackingServices) async throws -> AISystem {
        var draft = SystemDraft()
        draft.name = "ranker"
        draft.models = ["m"]
        return try await services.register.createSystem(draft, actor: contributor)
    }

    @Test("Protected targets need a registered system and every control; refusals are audited and change nothing", arguments: TestEngine.available)
    func promotionGate(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            try await Self.registeredModel(services)
            let registry = services.registry
            for target in ["production", "Champion"] {
                await #expect(throws: StewardError.self) {
                    try await registry.setAlias(name: "m", alias: target, version: "1", actor: Self.contributor)
                }
            }
            let noSystem = await #expect(throws: StewardError.self) {
                try await registry.transitionStage(name: "m", version: "1", stage: "production", archiveExisting: false, actor: Self.contributor)
            }
            #expect(noSystem?.code == .permissionDenied && noSystem?.message.contains("belongs to no AI system") == true)
            try await registry.setAlias(name: "m", alias: "candidate", version: "1", actor: Self.contributor)

            let system = try await Self.lowRiskSystem(services)
            #expect(system.riskTier == .low)
            let missing = await #expect(throws: StewardError.self) {
                try await registry.setAlias(name: "m", alias: "production", version: "1", actor: Self.contributor)
            }
            #expect(missing?.message.contains("model_card") == true && missing?.message.contains("monitoring_configured") == true)
            #expect(try await registry.registeredModel(name: "m").aliases.map(\.alias) == ["candidate"])

            try await registry.setCardNotes(name: "m", version: "1", notes: ["intended_use": "ranking"], actor: Self.contributor)
            try await services.monitor(systemID: system.id, actor: Self.reviewer)
            try await registry.setAlias(name: "m", alias: "production", version: "1", actor: Self.contributor)
            #expect(try await registry.version(name: "m", alias: "production").version == 1)
            await #expect(throws: StewardError.self) {
                try await registry.setAlias(name: "m", alias: "production", version: "2", actor: Self.contributor)
            }

            let events = try await services.audit.events(AuditQuery(systemID: system.id), actor: Self.compliance)
            #expect(
                events.map { "\($0.action) \($0.outcome.rawValue)" } == [
                    "system.create allowed", "promotion refused", "model_card.update allowed", "monitoring.reference allowed",
                    "alerts.rules allowed", "promotion allowed", "promotion refused",
                ])
            #expect(events[1].details["missing"] == "model_card,monitoring_configured")
            #expect(events[5].details["content_digest"]?.hasPrefix("sha256:") == true)
            let unowned = try await services.audit.events(AuditQuery(), actor: Self.compliance).filter { $0.systemID == nil }
            #expect(unowned.map(\.outcome) == [.refused, .refused, .refused], "refusals for a model in no system are audited too")
            #expect(try await services.audit.verify().map(\.count) == .success(10))
        }
    }

    @Test("Authors cannot approve; approvals count for their version only; rollback returns the earlier version", arguments: TestEngine.available)
    func approvalsAndRollback(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            try await Self.registeredModel(services, runUser: "rita")
            let system = try await Self.lowRiskSystem(services)
            _ = try await services.register.overrideTier(systemID: system.id, tier: .medium, rationale: "customer impact", actor: Self.compliance)
            await #expect(throws: StewardError.self) {
                try await services.register.overrideTier(systemID: system.id, tier: .low, rationale: "no", actor: Self.contributor)
            }
            await #expect(throws: StewardError.self) {
                try await services.register.overrideTier(systemID: system.id, tier: .low, rationale: "no", actor: "anonymous")
            }

            let request = try await services.approvals.requestApproval(
                systemID: system.id, model: "m", version: "1", alias: "production", actor: Self.contributor)
            let author = await #expect(throws: StewardError.self) {
                try await services.approvals.decide(requestID: request.id, verdict: .approve, comment: "mine", actor: Self.reviewer)
            }
            #expect(author?.code == .permissionDenied && author?.message.contains("may not approve it") == true)
            let registrant = await #expect(throws: StewardError.self) {
                try await services.approvals.decide(requestID: request.id, verdict: .approve, comment: "", actor: .user("carl", role: .admin))
            }
            #expect(registrant?.code == .permissionDenied)
            let approved = try await services.approvals.decide(
                requestID: request.id, verdict: .approve, comment: "ok", actor: .user("rob", role: .reviewer))
            #expect(approved.decisions.map(\.approver) == ["rob"])
            await #expect(throws: StewardError.self) {
                try await services.approvals.decide(requestID: request.id, verdict: .reject, comment: "again", actor: .user("rob", role: .reviewer))
            }

            #expect(
                try await services.promotion.controls(systemID: system.id, model: "m", version: "1").controls.first { $0.name == "human_review" }?
                    .satisfied
                    == true)
            #expect(
                try await services.promotion.controls(systemID: system.id, model: "m", version: "2").controls.first { $0.name == "human_review" }?
                    .satisfied
                    == false)

            let open = try await Self.openPolicy(services)
            #expect(open.version == 1)
            for version in ["1", "2"] {
                _ = try await services.registry.promote(
                    systemID: system.id, name: "m", version: version, target: .alias("production"), archiveExisting: false, actor: Self.contributor)
            }
            let (from, to) = try await services.registry.rollback(systemID: system.id, name: "m", alias: "production", actor: Self.contributor)
            #expect((from, to) == (2, 1))
            #expect(try await services.registry.version(name: "m", alias: "production").version == 1)
            let actions = try await services.audit.events(AuditQuery(systemID: system.id), actor: Self.compliance).map(\.action)
            #expect(actions.suffix(3) == ["promotion", "promotion", "rollback"])
            await #expect(throws: StewardError.self, "promote is for protected targets only") {
                try await services.registry.promote(
                    systemID: system.id, name: "m", version: "1", target: .stage(.archived), archiveExisting: false, actor: Self.contributor)
            }
            let entry = try await services.register.entry(systemID: system.id)
            #expect(entry.maturity.level == 1 && entry.maturity.missing == ["an evaluation checked against the system's gate"])
        }
    }

    /// Replaces the policy with one whose every tier needs only a model card, and writes that card.
    static func openPolicy(_ services: TrackingServices) async throws -> PolicyVersion {
        let document = """
            protected_aliases: [production]
            controls:
              card: {check: model_card}
            tiers: {low: [card], medium: [card], high: [card], critical: [card]}
            """
        await #expect(throws: StewardError.self) { try await services.policies.setPolicy(document: document, actor: Self.reviewer) }
        await #expect(throws: StewardError.self) { try await services.policies.setPolicy(document: "tiers: [", actor: Self.compliance) }
        for version in ["1", "2"] {
            try await services.registry.setCardNotes(name: "m", version: version, notes: ["intended_use": "ranking"], actor: "tester")
        }
        return try await services.policies.setPolicy(document: document, actor: Self.compliance)
    }

    @Test("A promotion decided before its facts changed is not written; one after an unrelated event is", arguments: TestEngine.available)
    func decisionsRestOnTheirFacts(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            try await Self.registeredModel(services)
            let system = try await Self.lowRiskSystem(services)
            try await services.registry.setCardNotes(name: "m", version: "1", notes: ["intended_use": "ranking"], actor: Self.contributor)
            try await services.monitor(systemID: system.id, actor: Self.reviewer)
            let repository = SQLModelRegistryRepository(database: storage.database)

            // Decided, then a fact of the system changes before the decision is written (evidence, the card the
            // model_card control read, the alert rules the monitoring control read): a conflict, and neither the
            // alias nor the promotion's audit event is written.
            let changes: [@Sendable () async throws -> Void] = [
                {
                    _ = try await services.approvals.addEvidence(
                        systemID: system.id, type: "explainability", reference: "reports/shap", digest: "", model: nil, version: nil,
                        actor: Self.contributor)
                },
                {
                    try await services.registry.setCardNotes(name: "m", version: "1", notes: ["intended_use": "ranking, v2"], actor: Self.contributor)
                },
                {
                    _ = try await services.alerts.setAlertRules(
                        systemID: system.id, document: "conditions: ['error_rate <= 0.2']", actor: Self.reviewer)
                },
            ]
            for change in changes {
                let stale = try #require(
                    try await services.promotion.authorize(
                        model: "m", version: 1, target: .alias("production"), actor: Self.contributor, action: "promotion"))
                try await change()
                let events = try await services.count("audit_events")
                let conflict = await #expect(throws: StewardError.self) {
                    try await repository.setAlias(name: "m", alias: "production", version: 1, actor: "carl", now: 1, audit: stale)
                }
                #expect(conflict?.code == .resourceConflict && conflict?.message.hasPrefix(AuditEntry.factsChanged) == true)
                #expect(try await services.registry.registeredModel(name: "m").aliases.isEmpty)
                #expect(try await services.count("audit_events") == events)
            }

            // Decided afresh, with only another system's event in between: written.
            let fresh = try #require(
                try await services.promotion.authorize(
                    model: "m", version: 1, target: .alias("production"), actor: Self.contributor, action: "promotion"))
            var other = SystemDraft()
            other.name = "elsewhere"
            _ = try await services.register.createSystem(other, actor: Self.contributor)
            try await repository.setAlias(name: "m", alias: "production", version: 1, actor: "carl", now: 2, audit: fresh)
            #expect(try await services.registry.version(name: "m", alias: "production").version == 1)
        }
    }

    @Test("A system whose model belongs elsewhere is not created, and nothing of it is written", arguments: TestEngine.available)
    func transactions(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            try await Self.registeredModel(services)
            _ = try await Self.lowRiskSystem(services)
            let before = (try await services.count("ai_systems"), try await services.count("audit_events"))
            var draft = SystemDraft()
            draft.name = "second"
            draft.models = ["m"]
            let taken = await #expect(throws: StewardError.self) { try await services.register.createSystem(draft, actor: Self.contributor) }
            #expect(taken?.code == .resourceConflict)
            draft.models = ["ghost"]
            let ghost = await #expect(throws: StewardError.self) { try await services.register.createSystem(draft, actor: Self.contributor) }
            #expect(ghost?.code == .resourceDoesNotExist)
            #expect((try await services.count("ai_systems"), try await services.count("audit_events")) == before)
            #expect(try await services.count("system_components") == 1)
        }
    }

    @Test(
        "Evidence and approvals die with their version, tiers go down only with compliance, approvals name their target",
        arguments: TestEngine.available)
    func bindingAndSeparation(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            try await Self.registeredModel(services)
            var draft = SystemDraft()
            draft.name = "scoring"
            draft.models = ["m"]
            draft.questionnaire = RiskQuestionnaire(domain: .credit)
            let system = try await services.register.createSystem(draft, actor: Self.contributor)
            #expect(system.riskTier == .high)

            var lower = SystemDraft()
            lower.questionnaire = RiskQuestionnaire()
            await #expect(throws: StewardError.self) { try await services.register.updateSystem(id: system.id, lower, actor: Self.contributor) }
            await #expect(throws: StewardError.self) { try await services.register.unlink(systemID: system.id, name: "m", actor: Self.contributor) }
            #expect(try await services.register.system(id: system.id).riskTier == .high)
            var raise = SystemDraft()
            raise.questionnaire = RiskQuestionnaire(domain: .medical, safetyCritical: true)
            #expect(try await services.register.updateSystem(id: system.id, raise, actor: Self.contributor).riskTier == .critical)

            let request = try await services.approvals.requestApproval(
                systemID: system.id, model: "m", version: "1", alias: "production", actor: Self.contributor)
            await #expect(throws: StewardError.self, "only protected targets take approvals") {
                try await services.approvals.requestApproval(systemID: system.id, model: "m", version: "1", alias: "staging", actor: Self.contributor)
            }
            _ = try await services.approvals.decide(requestID: request.id, verdict: .approve, comment: "", actor: Self.reviewer)
            func reviewed(_ target: PromotionTarget) async throws -> Bool {
                try await services.promotion.controls(systemID: system.id, model: "m", version: "1", target: target).controls
                    .first { $0.name == "human_review" }?.satisfied == true
            }
            let forProduction = try await reviewed(.alias("production"))
            let forStage = try await reviewed(.stage(.production))
            let forChampion = try await reviewed(.alias("champion"))
            #expect(forProduction && forStage && !forChampion)
            _ = try await services.approvals.addEvidence(
                systemID: system.id, type: "explainability", reference: "report", digest: "", model: "m", version: "1", actor: Self.contributor)
            await #expect(throws: StewardError.self) {
                try await services.approvals.addEvidence(
                    systemID: system.id, type: "explainability", reference: "report", digest: "", model: nil, version: "1", actor: Self.contributor)
            }

            let contributorDeletes = await #expect(throws: StewardError.self, "a model of a system is deleted by compliance or an admin") {
                try await services.registry.deleteRegisteredModel(name: "m", actor: Self.contributor)
            }
            #expect(contributorDeletes?.code == .permissionDenied)
            try await services.registry.deleteRegisteredModel(name: "m", actor: Self.compliance)
            for table in ["evidence", "approval_requests", "system_components"] { #expect(try await services.count(table) == 0, "\(table)") }
            await #expect(throws: StewardError.self, "the name stays reserved for the system that held it") {
                try await Self.registeredModel(services, experiment: "again")
            }
            try await Self.registeredModel(services, experiment: "again2", creator: Self.compliance)
            #expect(try await services.register.systems().allSatisfy { $0.components.isEmpty }, "a new model with an old name is in no system")
            let deletions = try await services.audit.events(AuditQuery(systemID: system.id), actor: Self.compliance).filter {
                $0.action.hasPrefix("model.")
            }
            #expect(
                deletions.map { "\($0.action) \($0.outcome.rawValue) \($0.actor)" } == [
                    "model.delete refused carl", "model.delete allowed cora", "model.create refused carl", "model.create allowed cora",
                ])

            _ = try await services.register.link(systemID: system.id, name: "m", kind: .model, actor: Self.contributor)
            await #expect(throws: StewardError.self, "a version registered without a user cannot be approved") {
                _ = try await services.registry.createModelVersion(
                    name: "m", source: "models:/m/1", runID: nil, modelID: nil, runLink: nil, description: nil, tags: [], actor: "anonymous")
                let anonymous = try await services.approvals.requestApproval(
                    systemID: system.id, model: "m", version: "3", alias: "production", actor: Self.contributor)
                _ = try await services.approvals.decide(requestID: anonymous.id, verdict: .approve, comment: "", actor: Self.reviewer)
            }
        }
    }

    @Test("A system changed since it was read is not overwritten", arguments: TestEngine.available)
    func lostUpdates(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            try await Self.registeredModel(services)
            let system = try await Self.lowRiskSystem(services)
            let repository = SQLSystemRepository(database: storage.database)
            var stale = system
            stale.profile.purpose = "stale"
            _ = try await services.register.overrideTier(systemID: system.id, tier: .high, rationale: "board", actor: Self.compliance)
            let conflict = await #expect(throws: StewardError.self) {
                try await repository.updateSystem(stale, expectedUpdatedAt: system.updatedAt, audit: AuditEntry(actor: "x", action: "t", target: "t"))
            }
            #expect(conflict?.code == .resourceConflict)
            #expect(try await services.register.system(id: system.id).riskTier == .high)
        }
    }

    @Test("Editing, deleting or truncating audit rows in the database is named by verification", arguments: TestEngine.available)
    func tampering(engine: TestEngine) async throws {
        for tamper in [
            "UPDATE audit_events SET details = '{\"type\":\"forged\"}' WHERE sequence = 3",
            "DELETE FROM audit_events WHERE sequence = 3",
            "UPDATE audit_events SET outcome = 'allowed' WHERE sequence = 3",
            "DELETE FROM audit_events WHERE sequence >= 5",
        ] {
            try await TestStorage.with(engine) { storage async throws in
                let services = TrackingServices(storage)
                try await Self.registeredModel(services)
                let system = try await Self.lowRiskSystem(services)
                for index in 1...5 {
                    _ = try? await services.approvals.addEvidence(
                        systemID: system.id, type: index == 2 ? "bad type!" : "continuous_audit", reference: "r\(index)", digest: "", model: nil,
                        version: nil, actor: index == 3 ? .user("vic", role: .viewer) : Self.contributor)
                }
                guard case .success(let intact) = try await services.audit.verify() else {
                    Issue.record("an untouched chain must verify")
                    return
                }
                #expect(intact.count == 5)
                #expect(try await services.audit.verify(anchors: [5: intact.headHash]).map(\.count) == .success(5))
                // An anchor past the end of the chain means events were cut off the end.
                guard case .failure(let truncated) = try await services.audit.verify(anchors: [6: intact.headHash]) else {
                    Issue.record("a chain shorter than an anchor must not verify")
                    return
                }
                #expect(truncated.sequence == 6 && truncated.reason == "event 6 is anchored but the chain ends at 5")
                #expect(try await services.audit.verify(anchors: [4: intact.headHash]).map(\.count) != .success(5), "a wrong anchor fails")
                try await storage.database.write { db in try await db.raw("\(unsafeRaw: tamper)").run() }
                guard case .failure(let broken) = try await services.audit.verify() else {
                    Issue.record("verification passed after: \(tamper)")
                    return
                }
                #expect(broken.sequence == (tamper.contains(">= 5") ? 5 : 3), "\(tamper): \(broken.reason)")
                // Continuing from a head verified before reads only what came after it: a change at or before that
                // head waits for the next whole verification (the UI runs one at least every five minutes).
                #expect(try await services.audit.verify(continuing: intact).map(\.count) == .success(5), "\(tamper)")
            }
        }
    }

    @Test("Verifying the chain from a head verified before checks each event appended since", arguments: TestEngine.available)
    func continuedVerification(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            try await Self.registeredModel(services)
            let system = try await Self.lowRiskSystem(services)
            func append(_ count: Int) async throws {
                for index in 0..<count {
                    _ = try await services.approvals.addEvidence(
                        systemID: system.id, type: "continuous_audit", reference: "r\(index)", digest: "", model: nil, version: nil,
                        actor: Self.contributor)
                }
            }
            try await append(3)
            guard case .success(let first) = try await services.audit.verify() else {
                Issue.record("an untouched chain must verify")
                return
            }
            try await append(4)
            let continued = try await services.audit.verify(continuing: first)
            #expect(continued == (try await services.audit.verify()), "the same as verifying the whole chain")
            #expect(continued.map(\.count) == .success(first.count + 4))
            try await append(2)
            let last = try await services.audit.events(AuditQuery(), actor: Self.compliance).last?.sequence ?? 0
            try await storage.database.write { db in
                try await db.raw("UPDATE audit_events SET details = '{\"forged\":\"yes\"}' WHERE sequence = \(bind: last)").run()
            }
            guard case .success(let second) = continued, case .failure(let broken) = try await services.audit.verify(continuing: second) else {
                Issue.record("an edited event after the verified head must not verify")
                return
            }
            #expect(broken.sequence == last)
        }
    }

    @Test("Concurrent audited writes keep one unbroken chain", arguments: TestEngine.available)
    func concurrentAppends(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            try await Self.registeredModel(services)
            let system = try await Self.lowRiskSystem(services)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        _ = try await services.approvals.addEvidence(
                            systemID: system.id, type: "continuous_audit", reference: "r\(index)", digest: "", model: nil, version: nil,
                            actor: Self.contributor)
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await services.audit.verify().map(\.count) == .success(41))
            #expect(try await services.count("evidence") == 40)
        }
    }
}
