import Hummingbird
import StewardCore

/// Deployments: created on a system (`/api/v1/systems/{id}/deployments`), read with each arm's numbers and the
/// analysis's decision, re-weighted, promoted, rolled back and analysed on demand (`/api/v1/deployments/{id}`).
struct DeploymentsController<Context: IdentifiedRequestContext>: Sendable {
    let deployments: DeploymentService
    let traffic: ServingTraffic

    func addRoutes(to group: RouterGroup<Context>) {
        group.native(.post, "systems/:id/deployments", use: create)
        group.native(.get, "systems/:id/deployments", use: list)
        group.native(.get, "deployments/:id", use: show)
        group.native(.patch, "deployments/:id", use: setWeights)
        group.native(.post, "deployments/:id/promote", use: promote)
        group.native(.post, "deployments/:id/rollback", use: rollBack)
        group.native(.post, "deployments/:id/analysis", use: analyse)
    }

    struct DeploymentBody: Encodable { let deployment: WireDeployment }
    struct ListBody: Encodable { let deployments: [WireDeployment] }

    struct ArmMessage: Decodable {
        var name: String?
        var model: String?
        var version: WireText?
        var endpoint: String?
        var weight: Double?
    }

    struct AnalysisMessage: Decodable {
        var steps: [Double]?
        var minimumUnits: Int?
        var maxErrorRateIncrease: Double?
        var maxLatencyRatio: Double?
        var primaryMetric: String?
        var alpha: Double?
        var effectScale: Double?
        var guardrailMetrics: [String]?
    }

    struct CreateMessage: Decodable {
        var mode: String?
        var arms: [ArmMessage]?
        var unitField: String?
        var analysis: AnalysisMessage?
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let message = try await NativeMessage.decode(CreateMessage.self, from: request)
        guard let arms = message.arms, !arms.isEmpty else {
            throw StewardError.invalidParameter("arms is required: a list of {model, version, endpoint, weight}.")
        }
        let draft = DeploymentDraft(
            mode: try NativeMessage.required(message.mode, "mode"),
            arms: try arms.enumerated().map { index, arm in
                DeploymentDraft.Arm(
                    name: arm.name, model: try NativeMessage.required(arm.model, "arms[\(index)].model"),
                    version: try NativeMessage.required(arm.version?.text, "arms[\(index)].version"),
                    endpoint: try NativeMessage.required(arm.endpoint, "arms[\(index)].endpoint"),
                    weight: try arm.weight ?? { throw StewardError.invalidParameter("arms[\(index)].weight is required: a percentage.") }())
            }, unitField: message.unitField,
            analysis: message.analysis.map {
                DeploymentDraft.Analysis(
                    steps: $0.steps, minimumUnits: $0.minimumUnits, maximumErrorRateIncrease: $0.maxErrorRateIncrease,
                    maximumLatencyRatio: $0.maxLatencyRatio, primaryMetric: $0.primaryMetric, alpha: $0.alpha, effectScale: $0.effectScale,
                    guardrailMetrics: $0.guardrailMetrics)
            })
        let deployment = try await deployments.create(systemID: try NativeMessage.parameter("id", context), draft, actor: context.principal)
        return try NativeMessage.json(DeploymentBody(deployment: WireDeployment(deployment, analysis: nil, shed: 0)), status: .created)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let list = try await deployments.deployments(systemID: try NativeMessage.parameter("id", context))
        return try NativeMessage.json(ListBody(deployments: list.map { WireDeployment($0, analysis: nil, shed: 0) }))
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        // Events this replica served but has not written yet count too.
        await traffic.recorder.flush()
        let (deployment, analysis) = try await deployments.report(id: try NativeMessage.parameter("id", context))
        return try await body(deployment, analysis)
    }

    struct WeightsMessage: Decodable {
        var weights: [Double]?
    }

    @Sendable func setWeights(_ request: Request, context: Context) async throws -> Response {
        let message = try await NativeMessage.decode(WeightsMessage.self, from: request)
        guard let weights = message.weights else { throw StewardError.invalidParameter("weights is required: one percentage per arm, in order.") }
        let deployment = try await deployments.setWeights(id: try NativeMessage.parameter("id", context), weights: weights, actor: context.principal)
        return try NativeMessage.json(DeploymentBody(deployment: WireDeployment(deployment, analysis: nil, shed: 0)))
    }

    struct PromoteMessage: Decodable {
        var arm: String?
    }

    @Sendable func promote(_ request: Request, context: Context) async throws -> Response {
        let message = try await NativeMessage.decode(PromoteMessage.self, from: request)
        let deployment = try await deployments.promote(id: try NativeMessage.parameter("id", context), arm: message.arm, actor: context.principal)
        return try NativeMessage.json(DeploymentBody(deployment: WireDeployment(deployment, analysis: nil, shed: 0)))
    }

    struct RollbackMessage: Decodable {
        var reason: String?
        var arm: String?
    }

    @Sendable func rollBack(_ request: Request, context: Context) async throws -> Response {
        let message = try await NativeMessage.decode(RollbackMessage.self, from: request)
        let deployment = try await deployments.rollBack(
            id: try NativeMessage.parameter("id", context), reason: try NativeMessage.required(message.reason, "reason"), actor: context.principal,
            arm: message.arm)
        return try NativeMessage.json(DeploymentBody(deployment: WireDeployment(deployment, analysis: nil, shed: 0)))
    }

    /// The analysis takes no options; a body, if sent, must be an empty object.
    struct DecideMessage: Decodable {}

    @Sendable func analyse(_ request: Request, context: Context) async throws -> Response {
        _ = try await NativeMessage.decode(DecideMessage.self, from: request)
        await traffic.recorder.flush()
        let (deployment, analysis) = try await deployments.decide(id: try NativeMessage.parameter("id", context))
        return try await body(deployment, analysis)
    }

    private func body(_ deployment: Deployment, _ analysis: DeploymentAnalysis) async throws -> Response {
        try NativeMessage.json(
            DeploymentBody(deployment: WireDeployment(deployment, analysis: analysis, shed: traffic.recorder.shed(of: deployment.id))))
    }
}
