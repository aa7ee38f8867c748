import StewardStatistics
import Testing

@testable import StewardCore

/// Drift of events from a reference profile, in the service's own terms.
@Suite("Monitoring drift")
struct MonitoringDriftTests {
    @Test("a reference column named prediction is compared with the events' predictions")
    func predictionDrift() throws {
        let reference = ReferenceProfile(
            systemID: "s", version: 1, source: "train@v1",
            features: [
                "prediction": .reference(.numbers((0..<1000).map { Double($0 % 100) })),
                "store": .reference(.categories(counts: ["north": 50, "south": 50], missing: 0)),
            ], createdBy: "t", createdAt: 0)
        let stable = (0..<500).map {
            InferenceEvent(
                requestID: "a\($0)", time: 0, features: ["store": .text($0 % 2 == 0 ? "north" : "south")], prediction: .number(Double($0 % 100)))
        }
        let shifted = (0..<500).map {
            InferenceEvent(requestID: "b\($0)", time: 0, features: ["store": .text("north")], prediction: .number(Double($0 % 100) + 70))
        }
        let calm = MonitoringService.drift(of: stable, from: reference, method: .psi)
        #expect(calm.driftedFeatures.isEmpty && calm.features.count == 2)
        let moved = MonitoringService.drift(of: shifted, from: reference, method: .psi)
        #expect(moved.driftedFeatures.sorted() == ["prediction", "store"])
        let missing = MonitoringService.drift(of: [InferenceEvent(requestID: "x", time: 0)], from: reference, method: .psi)
        #expect(missing.features.isEmpty && missing.undefined.keys.sorted() == ["prediction", "store"])
    }
}
