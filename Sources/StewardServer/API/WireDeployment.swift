import StewardCore

/// A deployment as `/api/v1` shows it: its arms, each with its counts and metrics when measured, the analysis
/// rules, and the decision the analysis takes now.
struct WireDeployment: Encodable {
    struct Arm: Encodable {
        let name: String
        let model: String
        let version: String
        let endpoint: String
        let weight: Double
        let counts: [String: Int]?
        let metrics: [String: Double]?
    }

    struct Analysis: Encodable {
        let steps: [Double]
        let minimumUnits: Int
        let maxErrorRateIncrease: Double
        let maxLatencyRatio: Double
        let primaryMetric: String
        let alpha: Double
        let effectScale: Double
        let guardrailMetrics: [String]
    }

    struct Decision: Encodable {
        let action: String
        let reason: String
        let nextWeight: Double?
        let pValue: Double?
        let sampleRatioPValue: Double?
        let sampleRatioMismatch: Bool
    }

    let id: String
    let systemId: String
    let mode: String
    let state: String
    let arms: [Arm]
    /// The arm that won the staged rollout, once the analysis found one: what the `rollout` control reads.
    let wonArm: String?
    let unitField: String?
    let analysis: Analysis
    let reason: String
    let pValue: Double?
    let decision: Decision?
    let shadowCopiesShed: Int?
    let createdBy: String
    let createdAt: Int64
    let updatedAt: Int64
    let stepStartedAt: Int64
    let revision: Int64

    init(_ deployment: Deployment, analysis: DeploymentAnalysis?, shed: Int) {
        id = deployment.id
        systemId = deployment.systemID
        mode = deployment.mode.rawValue
        state = deployment.state.rawValue
        arms = deployment.arms.enumerated().map { index, arm in
            let report = analysis?.arms[index]
            var metrics: [String: Double] = [:]
            if let report {
                metrics["error_rate"] = report.errorRate
                metrics["latency_p50_ms"] = report.latencyP50
                metrics["latency_p95_ms"] = report.latencyP95
                metrics["latency_p99_ms"] = report.latencyP99
                metrics["accuracy"] = report.accuracy
                metrics["mae"] = report.mae
                metrics["wape"] = report.wape
                metrics["conversion"] = report.conversion
                metrics["judge_score"] = report.judgeScore
            }
            return Arm(
                name: arm.name, model: arm.model, version: String(arm.version), endpoint: arm.endpoint, weight: arm.weight,
                counts: report.map {
                    ["requests": $0.requests, "failures": $0.failures, "units": $0.units, "step_units": $0.stepUnits, "labeled": $0.labeled]
                }, metrics: report == nil ? nil : metrics)
        }
        unitField = deployment.unitField
        wonArm = deployment.wonArm
        let rules = deployment.analysis
        self.analysis = Analysis(
            steps: rules.steps, minimumUnits: rules.minimumUnits, maxErrorRateIncrease: rules.maximumErrorRateIncrease,
            maxLatencyRatio: rules.maximumLatencyRatio, primaryMetric: rules.primaryMetric.rawValue, alpha: rules.alpha,
            effectScale: rules.effectScale, guardrailMetrics: rules.guardrailMetrics.map(\.rawValue))
        reason = deployment.reason
        pValue = deployment.pValue
        decision = analysis.map {
            Decision(
                action: $0.action.rawValue, reason: $0.reason, nextWeight: $0.nextWeight, pValue: $0.pValue, sampleRatioPValue: $0.sampleRatioPValue,
                sampleRatioMismatch: $0.sampleRatioMismatch)
        }
        shadowCopiesShed = analysis == nil ? nil : shed
        createdBy = deployment.createdBy
        createdAt = deployment.createdAt
        updatedAt = deployment.updatedAt
        stepStartedAt = deployment.stepStartedAt
        revision = deployment.revision
    }
}
