import StewardStore
import StewardTestSupport
import Testing

@testable import StewardCore

/// Systems' overviews read for many systems at once, on every available engine: each system's equals what the
/// single-system reads of its aggregates answer, nothing of one system reaches another, and an unknown id is left
/// out.
@Suite("System overviews")
struct SystemOverviewStoreTests {
    static func evaluation(_ id: String, system: String, version: Int64, gated: Bool, at time: Int64) -> Evaluation {
        Evaluation(
            id: id, systemID: system, model: "m", version: version, task: .binary, datasetName: "holdout", datasetDigest: "d", rows: 10, runID: "",
            report: MetricReport(values: ["accuracy": 0.9]), gateVersion: gated ? 1 : nil,
            gate: gated ? GateResult(gate: "accuracy >= 0.8", conditions: []) : nil, createdBy: "ada", createdAt: time)
    }

    static func incident(_ id: String, system: String, at time: Int64) -> Incident {
        Incident(
            id: id, systemID: system, model: nil, version: nil, severity: .high, title: "Drift", description: "", status: .open, openedBy: "ada",
            openedAt: time, resolvedAt: nil, resolution: "", timeline: [.init(time: time, actor: "ada", kind: "opened", text: "Drift")])
    }

    @Test("Overviews of several systems match their single reads", arguments: TestEngine.available)
    func overviewsMatchSingleReads(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            try await GovernanceStoreTests.registeredModel(services)
            var ids: [String] = []
            for name in ["alpha", "beta", "gamma"] {
                var draft = SystemDraft()
                draft.name = name
                ids.append(try await services.services.register.createSystem(draft, actor: GovernanceStoreTests.contributor).id)
            }
            let (alpha, beta, gamma) = (ids[0], ids[1], ids[2])
            let database = storage.database
            let evaluations = SQLEvaluationRepository(database: database)
            let incidents = SQLIncidentRepository(database: database)
            let deployments = SQLDeploymentRepository(database: database)
            let audit = AuditEntry(actor: "ada", action: "test", target: "test")

            // alpha: monitored, a gated evaluation and a later ungated one, two incidents.
            try await services.monitor(systemID: alpha, actor: GovernanceStoreTests.compliance)
            try await evaluations.recordEvaluation(Self.evaluation("ev-a1", system: alpha, version: 1, gated: true, at: 1_000), audit: audit)
            try await evaluations.recordEvaluation(Self.evaluation("ev-a2", system: alpha, version: 2, gated: false, at: 2_000), audit: audit)
            try await incidents.createIncident(Self.incident("inc-a1", system: alpha, at: 1_000), audit: audit)
            try await incidents.createIncident(Self.incident("inc-a2", system: alpha, at: 3_000), audit: audit)
            try await SQLApprovalRepository(database: database).addEvidence(
                Evidence(
                    id: "evd-a1", systemID: alpha, type: "dpia", reference: "https://wiki.example/dpia", digest: "", model: nil, version: nil,
                    author: "cora", createdAt: 1_500),
                audit: audit)
            // beta: two reference versions, an ungated evaluation newer than alpha's, two deployments (the second ends the first).
            try await services.monitor(systemID: beta, actor: GovernanceStoreTests.compliance)
            _ = try await services.services.references.setReference(
                systemID: beta, source: "training@v2", features: ["x": .reference(.numbers([1, 2, 3]))], actor: GovernanceStoreTests.compliance)
            try await evaluations.recordEvaluation(Self.evaluation("ev-b1", system: beta, version: 1, gated: false, at: 5_000), audit: audit)
            for (index, time) in [(1, Int64(1_000)), (2, 2_000)] {
                var deployment = DeploymentObservationsTests.deployment(system: beta, stepStartedAt: time)
                deployment.id = "dep-b\(index)"
                deployment.createdAt = time
                deployment.updatedAt = time
                try await deployments.createDeployment(deployment, audit: audit)
            }
            // gamma: nothing.

            let overviews = try await SQLSystemOverviewRepository(database: database).overviews(systemIDs: [alpha, beta, gamma, "sys-missing"])
            #expect(Set(overviews.keys) == [alpha, beta, gamma])
            for id in [alpha, beta, gamma] {
                let all = try await evaluations.evaluations(systemID: id, model: nil, version: nil)
                let single = SystemOverview(
                    alertRules: try await SQLAlertRepository(database: database).alertRules(systemID: id),
                    reference: try await SQLReferenceRepository(database: database).currentReferenceVersion(systemID: id),
                    lastEvaluation: all.first, gateEvaluated: all.contains { $0.gate != nil },
                    deployments: try await deployments.deployments(systemID: id), incidents: try await incidents.incidents(systemID: id),
                    evidence: try await SQLApprovalRepository(database: database).evidence(systemID: id))
                #expect(overviews[id] == single, "system \(id)")
            }
            let a = try #require(overviews[alpha]), b = try #require(overviews[beta])
            #expect(a.lastEvaluation?.id == "ev-a2" && a.gateEvaluated && a.monitoring.isMonitored)
            #expect(a.incidents.map(\.id) == ["inc-a1", "inc-a2"] && a.deployments.isEmpty && a.evidence.map(\.id) == ["evd-a1"])
            #expect(b.lastEvaluation?.id == "ev-b1" && !b.gateEvaluated)
            #expect(b.reference == MonitoringFacts.Reference(version: 2, source: "training@v2"))
            #expect(b.deployments.map(\.id) == ["dep-b2", "dep-b1"] && b.incidents.isEmpty && b.evidence.isEmpty)
            #expect(overviews[gamma] == SystemOverview())
            #expect(try await SQLSystemOverviewRepository(database: database).overviews(systemIDs: ["sys-missing"]).isEmpty)
        }
    }
}
