/// Where a promotion points a model version: a registry alias or a stage.
public enum PromotionTarget: Sendable, Equatable, CustomStringConvertible {
    case alias(String)
    case stage(ModelStage)

    public var description: String {
        switch self {
        case .alias(let alias): "alias '\(alias)'"
        case .stage(let stage): "stage \(stage.rawValue)"
        }
    }
}

/// The one decision on whether a model version may reach production, consulted by every path that moves an
/// alias or a stage (MLflow routes, Steward's promote route, the command line).
public protocol PromotionGate: Sendable {
    /// Allows the move and returns the audit entry to record with it, or returns nil when the target is not
    /// protected; refuses with `permissionDenied` listing every missing control, after auditing the refusal.
    func authorize(model: String, version: Int64, target: PromotionTarget, actor: Principal) async throws -> AuditEntry?
    /// The audit entry for taking a version out of a protected target (deleting the alias, leaving Production),
    /// or nil when the target is not protected.
    func release(model: String, target: PromotionTarget, actor: Principal) async throws -> AuditEntry?
}
