import StewardCore
import StewardStore
import StewardTestSupport
import Testing

/// Gates and evaluations over the SQL store, on every available engine.
@Suite("Evaluations")
struct EvaluationStoreTests {
    static let reviewer = Principal.user("rita", role: .reviewer)
    static let contributor = Principal.user("carl", role: .contributor)

    static func columns(_ scores: [Double]) -> EvaluationTask.Columns {
        EvaluationTask.Columns(truth: ["1", "0", "1", "0", "1", "0"], prediction: nil, score: scores.map { String($0) })
    }

    static func request(_ system: String, version: String, scores: [Double]) -> EvaluationService.Request {
        EvaluationService.Request(
            systemID: system, model: "m", version: version, task: .binary, columns: columns(scores), threshold: 0.5, datasetName: "holdout",
            datasetDigest: String(repeating: "a", count: 64), parameters: [:])
    }

    @Test("Gates are versioned and governed; evaluations log a run, compare with the champion and are audited", arguments: TestEngine.available)
    func gatesAndEvaluations(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            try await GovernanceStoreTests.registeredModel(services)
            let system = try await GovernanceStoreTests.lowRiskSystem(services).id
            let evaluations = services.evaluations
            let spec = "name: ranker\nconditions:\n  - roc_auc >= 0.7\n  - roc_auc >= champion.roc_auc * 0.99\n"
            await #expect(throws: StewardError.self) { try await evaluations.setGate(systemID: system, document: spec, actor: Self.contributor) }
            await #expect(throws: StewardError.self) {
                try await evaluations.setGate(systemID: system, document: "conditions: []", actor: Self.reviewer)
            }
            #expect(try await evaluations.setGate(systemID: system, document: spec, actor: Self.reviewer).version == 1)

            let first = try await evaluations.evaluate(
                Self.request(system, version: "1", scores: [0.9, 0.1, 0.8, 0.3, 0.7, 0.2]), actor: Self.contributor)
            #expect(first.report.values["roc_auc"] == 1 && first.gatePassed && first.gateVersion == 1)
            #expect(first.gate?.conditions[1].outcome == .skipped, "no champion yet")
            let run = try await services.runs.run(id: first.runID)
            #expect(run.data.metrics.first { $0.key == "roc_auc" }?.value == 1)
            #expect(run.datasetInputs.first?.dataset.name == "holdout" && run.info.status == .finished)

            try await services.registry.setCardNotes(name: "m", version: "1", notes: ["intended_use": "ranking"], actor: "tester")
            try await services.monitor(systemID: system, actor: .user("rita", role: .reviewer))
            try await services.registry.setAlias(name: "m", alias: "production", version: "1", actor: Self.contributor)

            let weaker = try await evaluations.evaluate(
                Self.request(system, version: "2", scores: [0.9, 0.8, 0.7, 0.3, 0.6, 0.2]), actor: Self.contributor)
            #expect(weaker.gate?.conditions.map(\.outcome) == [.passed, .failed], "0.78 is above 0.7 but below the champion's 1.0")
            #expect(weaker.gate?.conditions[1].threshold == 0.99)
            #expect(!weaker.gatePassed)
            #expect(try await evaluations.evaluations(systemID: system).map(\.id) == [weaker.id, first.id])
            let card = try await services.registry.modelCard(name: "m", version: "2")
            #expect(card.evaluation?.id == weaker.id)
            // The register reads evaluations, not evidence about them: the last one, and the maturity they give.
            let entry = try await services.register.entry(systemID: system)
            #expect(entry.lastEvaluation?.id == weaker.id)
            #expect(!entry.maturity.missing.contains("an evaluation checked against the system's gate") && entry.maturity.level >= 1)
            #expect(entry.monitoring.isMonitored && entry.monitoring.alertConditions == 1)
            let documentation = try await services.register.documentation(systemID: system)
            #expect(documentation.evaluations.map(\.id) == [first.id], "the latest evaluation of each version the register assesses")

            let actions = try await services.audit.events(AuditQuery(systemID: system), actor: .user("cora", role: .compliance)).map(\.action)
            #expect(actions.filter { $0 == "evaluation" }.count == 2 && actions.contains("gate.update"))
            #expect(actions.filter { $0 == "gate.update" }.count == 2, "the refused change is audited too")
            await #expect(throws: StewardError.self, "a model outside the system") {
                var request = Self.request(system, version: "1", scores: [0.9, 0.1, 0.8, 0.3, 0.7, 0.2])
                request.model = "other"
                _ = try await evaluations.evaluate(request, actor: Self.contributor)
            }
        }
    }
}
