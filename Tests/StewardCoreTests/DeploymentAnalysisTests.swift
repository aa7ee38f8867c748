import Foundation
import Testing

@testable import StewardCore

/// The analysis's decisions on observations written out by hand: each rule of the rollout, and no decision
/// without the data for one.
@Suite("Deployment analysis decides from what the arms served")
struct DeploymentAnalysisTests {
    static func canary(
        challengerWeight: Double = 5, mode: Deployment.Mode = .canary, state: Deployment.State = .active, analysis: RolloutAnalysis = .default
    )
        -> Deployment
    {
        Deployment(
            id: "dep-1", systemID: "sys-1", mode: mode,
            arms: [
                Deployment.Arm(name: "champion", model: "m", version: 1, endpoint: "http://a/invocations", weight: 100 - challengerWeight),
                Deployment.Arm(name: "challenger", model: "m", version: 2, endpoint: "http://b/invocations", weight: challengerWeight),
            ], salt: "s", unitField: nil, analysis: analysis, state: state, stepStartedAt: 0, reason: "", createdBy: "ada", createdAt: 0,
            updatedAt: 0, revision: 1)
    }

    static func arm(_ name: String, requests: Int, failures: Int = 0, stepUnits: Int? = nil, latency: Double = 10) -> ArmObservations {
        ArmObservations(
            arm: name, requests: requests, failures: failures, units: requests, stepUnits: stepUnits ?? requests,
            latencies: Array(repeating: latency, count: requests))
    }

    @Test("No data, too few units or an undefined metric holds, and never advances")
    func inconclusive() {
        let empty = DeploymentAnalysis(deployment: Self.canary(), observations: [])
        #expect(empty.action == .hold && empty.reason.hasPrefix("Inconclusive"), "\(empty.reason)")
        #expect(empty.arms.map(\.errorRate) == [nil, nil] && empty.arms.map(\.latencyP95) == [nil, nil])
        let few = DeploymentAnalysis(
            deployment: Self.canary(), observations: [Self.arm("champion", requests: 1900), Self.arm("challenger", requests: 100)])
        #expect(few.action == .hold && few.reason.contains("100 of the 200 units"), "\(few.reason)")
        var accuracy = RolloutAnalysis.default
        accuracy.primaryMetric = .accuracy
        let unlabeled = DeploymentAnalysis(
            deployment: Self.canary(analysis: accuracy), observations: [Self.arm("champion", requests: 3800), Self.arm("challenger", requests: 200)])
        #expect(unlabeled.action == .hold && unlabeled.reason.contains("no labels, feedback or judge scores joined"), "\(unlabeled.reason)")
    }

    @Test("A step with its units and healthy guardrails advances; the last one graduates")
    func advances() {
        let healthy = [Self.arm("champion", requests: 3800, failures: 38), Self.arm("challenger", requests: 200, failures: 2)]
        let step = DeploymentAnalysis(deployment: Self.canary(), observations: healthy)
        #expect(step.action == .advance && step.nextWeight == 10, "\(step.reason)")
        #expect(step.arms[1].errorRate == 0.01 && step.arms[1].latencyP95 == 10)
        // At 50/50 the step's units are even (the champion's earlier requests came before the step).
        let atHalf = [Self.arm("champion", requests: 3800, failures: 38, stepUnits: 205), Self.arm("challenger", requests: 200, failures: 2)]
        let last = DeploymentAnalysis(deployment: Self.canary(challengerWeight: 50), observations: atHalf)
        #expect(last.action == .graduate && last.nextWeight == 100, "\(last.reason)")
        let done = DeploymentAnalysis(deployment: Self.canary(state: .graduated), observations: healthy)
        #expect(done.action == .hold)
    }

    @Test("A challenger whose requests fail, or that is much slower, is rolled back")
    func guardrails() {
        let failing = DeploymentAnalysis(
            deployment: Self.canary(), observations: [Self.arm("champion", requests: 400), Self.arm("challenger", requests: 20, failures: 20)])
        #expect(failing.action == .rollBack && failing.reason.contains("error rate"), "\(failing.reason)")
        // Two failures in twenty with a clean champion: above the allowed two points, yet not yet significant.
        let early = DeploymentAnalysis(
            deployment: Self.canary(), observations: [Self.arm("champion", requests: 40), Self.arm("challenger", requests: 3, failures: 1)])
        #expect(early.action == .hold, "\(early.reason)")
        let slow = DeploymentAnalysis(
            deployment: Self.canary(),
            observations: [Self.arm("champion", requests: 3800, latency: 10), Self.arm("challenger", requests: 200, latency: 16)])
        #expect(slow.action == .rollBack && slow.reason.contains("latency p95"), "\(slow.reason)")
        let jitter = DeploymentAnalysis(
            deployment: Self.canary(),
            observations: [Self.arm("champion", requests: 3800, latency: 0.3), Self.arm("challenger", requests: 200, latency: 0.6)])
        #expect(jitter.action == .advance, "sub-millisecond differences are noise: \(jitter.reason)")
    }

    @Test("A sample-ratio mismatch holds every decision while it fires")
    func sampleRatioMismatch() {
        // 50/50 weights, yet one arm got three times the units: the assignment path is broken.
        let skewed = DeploymentAnalysis(
            deployment: Self.canary(challengerWeight: 50),
            observations: [Self.arm("champion", requests: 3000), Self.arm("challenger", requests: 1000, failures: 1000)])
        #expect(skewed.action == .hold && skewed.sampleRatioMismatch && (skewed.sampleRatioPValue ?? 1) < 0.001, "\(skewed.reason)")
        let even = DeploymentAnalysis(
            deployment: Self.canary(challengerWeight: 50),
            observations: [Self.arm("champion", requests: 1010), Self.arm("challenger", requests: 990)])
        #expect(!even.sampleRatioMismatch && (even.sampleRatioPValue ?? 0) > 0.5)
    }

    @Test("An A/B challenger significantly better on the primary metric graduates; the p-value never rises between looks")
    func abWinner() {
        let observations = [Self.arm("a", requests: 2000, failures: 200), Self.arm("b", requests: 2000, failures: 100)]
        var deployment = Self.canary(challengerWeight: 50, mode: .ab)
        deployment.arms[0].name = "a"
        deployment.arms[1].name = "b"
        let decided = DeploymentAnalysis(deployment: deployment, observations: observations)
        #expect(decided.action == .graduate && (decided.pValue ?? 1) < 0.05, "\(decided.reason)")
        // However clear the difference, a win needs the units a step asks (what the policy's rollout floor reads).
        let early = DeploymentAnalysis(
            deployment: deployment,
            observations: [
                Self.arm("a", requests: 2000, failures: 200, stepUnits: 150), Self.arm("b", requests: 2000, failures: 100, stepUnits: 150),
            ])
        #expect(early.action == .hold && early.reason.contains("150 of the 200 units"), "\(early.reason)")
        let tied = [Self.arm("a", requests: 2000, failures: 100), Self.arm("b", requests: 2000, failures: 100)]
        let held = DeploymentAnalysis(deployment: deployment, observations: tied, previousPValue: 0.2)
        #expect(held.action == .hold && (held.pValue ?? 1) <= 0.2, "\(held.reason)")
    }

    @Test("An A/B test of three arms: the best significantly better arm graduates, a worse or breaching one rolls back, ties hold")
    func abAmongThree() throws {
        var deployment = Self.canary(challengerWeight: 34, mode: .ab)
        deployment.arms = ["a", "b", "c"].enumerated().map { index, name in
            Deployment.Arm(name: name, model: "m", version: Int64(index + 1), endpoint: "http://\(name)/invocations", weight: index == 0 ? 34 : 33)
        }
        func decide(_ failures: [Int], requests: Int = 3000) -> DeploymentAnalysis {
            DeploymentAnalysis(
                deployment: deployment,
                observations: zip(["a", "b", "c"], failures).map { Self.arm($0, requests: requests, failures: $1) })
        }
        // Both b and c beat a; c by more: c graduates, the comparison corrected for two challengers.
        let won = decide([300, 210, 120])
        #expect(won.action == .graduate && won.subject == 2, "\(won.reason)")
        #expect(won.reason.contains("Arm c") && won.reason.contains("Bonferroni over 2 arms"), "\(won.reason)")
        #expect((won.pValue ?? 1) < 0.05)
        let wonEarly = DeploymentAnalysis(
            deployment: deployment,
            observations: zip(["a", "b", "c"], [300, 210, 120]).map { Self.arm($0, requests: 3000, failures: $1, stepUnits: 120) })
        #expect(wonEarly.action == .hold && wonEarly.reason.contains("120 of the 200 units"), "\(wonEarly.reason)")
        // c fails far more often than a: the guardrail rolls the test back, naming c.
        let breached = decide([90, 90, 400])
        #expect(breached.action == .rollBack && breached.subject == 2 && breached.reason.hasPrefix("Arm c: Guardrail breached"), "\(breached.reason)")
        // No difference, enough units: hold, and say so.
        let tied = decide([90, 90, 90])
        #expect(tied.action == .hold && tied.reason.hasPrefix("No arm differs significantly"), "\(tied.reason)")
        // Too few units in the smallest arm: inconclusive.
        let early = decide([1, 1, 1], requests: 50)
        #expect(early.action == .hold && early.reason.contains("50 of the 200 units"), "\(early.reason)")
        // The smallest difference one comparison calls at α = 0.05 is not called among two challengers.
        let boundary = try #require(
            (200...300).reversed().first { failures in
                (DeploymentAnalysis(
                    deployment: Self.canary(challengerWeight: 50, mode: .ab),
                    observations: [Self.arm("champion", requests: 3000, failures: 300), Self.arm("challenger", requests: 3000, failures: failures)]
                ).pValue ?? 1) < 0.05
            })
        let corrected = decide([300, boundary, 300])
        #expect(corrected.action == .hold && (corrected.pValue ?? 0) >= 0.05, "\(boundary): \(corrected.reason)")
    }

    @Test("A guardrail metric significantly worse rolls back at once; undefined or not worse, it holds no one back")
    func guardrailMetrics() throws {
        var rules = RolloutAnalysis.default
        rules.guardrailMetrics = [.accuracy]
        /// Healthy on errors and latency; `right` of `labeled` predictions equal to their labels.
        func labeled(_ name: String, requests: Int, labeled: Int, right: Int) -> ArmObservations {
            var observed = Self.arm(name, requests: requests)
            observed.labeled = (0..<labeled).map { ($0 < right ? .number(1) : .number(0), "1") }
            return observed
        }
        let worse = [labeled("champion", requests: 3800, labeled: 400, right: 360), labeled("challenger", requests: 200, labeled: 200, right: 120)]
        let watched = DeploymentAnalysis(deployment: Self.canary(analysis: rules), observations: worse)
        #expect(watched.action == .rollBack && watched.reason.contains("accuracy 0.6 is significantly worse"), "\(watched.reason)")
        let unwatched = DeploymentAnalysis(deployment: Self.canary(), observations: worse)
        #expect(unwatched.action == .advance, "error rate is the primary metric, and no guardrail watches accuracy: \(unwatched.reason)")
        let better = [labeled("champion", requests: 3800, labeled: 400, right: 240), labeled("challenger", requests: 200, labeled: 200, right: 180)]
        #expect(DeploymentAnalysis(deployment: Self.canary(analysis: rules), observations: better).action == .advance)
        let unlabeled = [Self.arm("champion", requests: 3800), Self.arm("challenger", requests: 200)]
        #expect(DeploymentAnalysis(deployment: Self.canary(analysis: rules), observations: unlabeled).action == .advance)
        // Read from a client's rules; error_rate (its own guardrail) and repeats are refused.
        #expect(try DeploymentDraft.Analysis(guardrailMetrics: ["accuracy", "mae"]).rules().guardrailMetrics == [.accuracy, .mae])
        for wrong in [["error_rate"], ["mae", "mae"], ["recall"]] {
            #expect(throws: StewardError.self, "\(wrong)") { try DeploymentDraft.Analysis(guardrailMetrics: wrong).rules() }
        }
        // Rules stored before there were guardrail metrics read as none.
        var stored = RolloutAnalysis.default
        stored.guardrailMetrics = []
        let text = String(decoding: try JSONEncoder().encode(stored), as: UTF8.self)
        #expect(!text.contains("guardrails"))
        #expect(try JSONDecoder().decode(RolloutAnalysis.self, from: Data(text.utf8)).guardrailMetrics.isEmpty)
    }

    @Test("Metrics on joined labels: accuracy, MAE and WAPE")
    func labelMetrics() {
        var observed = ArmObservations(arm: "champion", requests: 3)
        observed.labeled = [(.number(1), "1"), (.number(3), "2"), (.number(0), "4")]
        let report = DeploymentAnalysis.report(Self.canary().arms[0], observed)
        #expect(report.accuracy == 1.0 / 3 && report.mae == 5.0 / 3 && report.wape == 5.0 / 7)
    }
}
