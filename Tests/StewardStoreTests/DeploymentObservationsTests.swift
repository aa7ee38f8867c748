import Foundation
import StewardStore
import StewardTestSupport
import Testing

@testable import StewardCore

/// What a deployment's analysis reads of its arms, counted by the database on every available engine.
@Suite("Deployment observations")
struct DeploymentObservationsTests {
    static func deployment(system: String, stepStartedAt: Int64) -> Deployment {
        Deployment(
            id: "dep-1", systemID: system, mode: .canary,
            arms: [
                .init(name: "champion", model: "m", version: 1, endpoint: "http://127.0.0.1:1/invocations", weight: 90),
                .init(name: "challenger", model: "m", version: 2, endpoint: "http://127.0.0.1:2/invocations", weight: 10),
            ], salt: "s", unitField: nil, analysis: .default, state: .active, stepStartedAt: stepStartedAt, reason: "", createdBy: "ada",
            createdAt: 0, updatedAt: 0, revision: 1)
    }

    static func event(_ id: String, arm: String?, unit: String?, time: Int64, failed: Bool = false, latency: Double? = nil, prediction: Double = 1)
        -> InferenceEvent
    {
        InferenceEvent(
            requestID: id, time: time, model: "m", version: arm == "challenger" ? 2 : 1, prediction: .number(prediction),
            latencyMilliseconds: latency, failed: failed, deploymentID: arm == nil ? nil : "dep-1", arm: arm, unit: unit)
    }

    @Test("Requests, failures, distinct units in all and in the step, latencies newest first, labeled rows", arguments: TestEngine.available)
    func counts(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            try await GovernanceStoreTests.registeredModel(services)
            let system = try await GovernanceStoreTests.lowRiskSystem(services).id
            // Recent times, so that the retention purge leaves them.
            let start = EpochClock.now() - 60_000
            try await services.events.record(
                systemID: system,
                events: [
                    // Two requests of unit u1 before the step, one after; u2 only in the step; two without a unit.
                    Self.event("r1", arm: "champion", unit: "u1", time: start + 1_000, latency: 5),
                    Self.event("r2", arm: "champion", unit: "u1", time: start + 2_000, failed: true, latency: 7),
                    Self.event("r3", arm: "champion", unit: "u1", time: start + 5_000, latency: 9),
                    Self.event("r4", arm: "champion", unit: "u2", time: start + 6_000, latency: 11),
                    Self.event("r5", arm: "champion", unit: nil, time: start + 6_500),
                    Self.event("r6", arm: "champion", unit: nil, time: start + 7_000, latency: 3),
                    Self.event("c1", arm: "challenger", unit: "u3", time: start + 4_000, failed: true, latency: 20, prediction: 0),
                    Self.event("c2", arm: "challenger", unit: "u3", time: start + 8_000, latency: 30, prediction: 1),
                    // Served outside the deployment: not counted.
                    Self.event("x1", arm: nil, unit: "u9", time: start + 6_000, latency: 1),
                ])
            _ = try await services.events.label(
                systemID: system, body: Data(#"[{"request_id": "c1", "label": 1}, {"request_id": "c2", "label": 1, "feedback": 1}]"#.utf8))
            let observed = try await SQLDeploymentRepository(database: storage.database).observations(
                deployment: Self.deployment(system: system, stepStartedAt: start + 5_000))
            #expect(observed.map(\.arm) == ["challenger", "champion"])
            let champion = try #require(observed.last), challenger = try #require(observed.first)
            #expect(champion.requests == 6 && champion.failures == 1)
            #expect(champion.units == 4)  // u1, u2 and two requests without a unit
            #expect(champion.stepUnits == 4)  // u1 (r3), u2, r5, r6
            #expect(champion.latencies == [3, 11, 9, 7, 5])
            #expect(champion.labeled.isEmpty && champion.feedback.isEmpty)
            #expect(challenger.requests == 2 && challenger.failures == 1 && challenger.units == 1 && challenger.stepUnits == 1)
            #expect(challenger.latencies == [30, 20])
            #expect(challenger.labeled.count == 2 && challenger.labeled.filter { $0.prediction?.cell == $0.label }.count == 1)
            #expect(challenger.feedback == [1])
        }
    }
}
