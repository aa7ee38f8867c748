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

    /// The alias, or the stage's name: how listings name the target.
    public var name: String {
        switch self {
        case .alias(let alias): alias
        case .stage(let stage): stage.rawValue
        }
    }

    /// What an approval names to count for this target: the alias in any spelling (`AliasName.key`), or the
    /// stage's name (so an approval for `production` covers the `production` alias and the Production stage alike).
    public var approvalKey: String {
        switch self {
        case .alias(let alias): AliasName.key(alias)
        case .stage(let stage): AliasName.key(stage.rawValue)
        }
    }
}

/// The one decision on whether a model version may reach production, consulted by every path that moves an
/// alias or a stage (MLflow routes, Steward's promote and rollback routes, the command line), and the auditor
/// of registry changes to governed models.
public protocol PromotionGate: Sendable {
    /// Whether the policy in force protects the target.
    func isProtected(_ target: PromotionTarget) async throws -> Bool
    /// Allows the move and returns the audit entry to record with it (`action` names it: promotion, rollback),
    /// or returns nil when the target is not protected; refuses with `permissionDenied` listing every missing
    /// control, after auditing the refusal.
    func authorize(model: String, version: Int64, target: PromotionTarget, actor: Principal, action: String) async throws -> AuditEntry?
    /// The audit entry for taking a version out of a protected target (deleting the alias, leaving Production),
    /// or nil when the target is not protected; refused (audited) unless a reviewer or above asks.
    func release(model: String, target: PromotionTarget, actor: Principal) async throws -> AuditEntry?
    /// Appends a refusal the store made inside a write (a guard that caught what changed since the decision) to
    /// the audit log, and throws it.
    func refuse(_ entry: AuditEntry, _ error: StewardError) async throws -> Never
    /// Decides a rename, a deletion or a new model. Refused (and audited) for everyone: renaming or deleting a
    /// model that holds a protected alias or a Production version, which would change what that alias resolves to
    /// without a promotion. Refused unless compliance or an admin asks: renaming or deleting a model of an AI
    /// system, and taking a name such a model held.
    func authorize(_ change: NameChange, actor: Principal) async throws -> NameDecision
    /// Decides deleting one version: refused (and audited) while it holds a protected alias or the Production
    /// stage; otherwise the audit entry when the model belongs to a system.
    func authorizeVersionDeletion(model: String, version: Int64, actor: Principal) async throws -> AuditEntry?
    /// The id of the AI system a registered model or prompt belongs to, if any.
    func systemID(owning model: String) async throws -> String?
    /// What a model card shows of the governance of a version: its system and tier, the controls for the protected
    /// target it holds (else the policy's first) and its approval requests; nil for a model of no system.
    func cardGovernance(model: String, version: Int64) async throws -> ModelCard.Governance?
    /// Refuses unless the system exists, the model is part of it and the actor may act on the register.
    func requireComponent(systemID: String, model: String, actor: Principal, action: String) async throws
}
