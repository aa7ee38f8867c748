/// A governance action about to be recorded: who did what to which target, and whether it was allowed.
/// The store gives it its sequence number, time and place in the hash chain when it appends it.
public struct AuditEntry: Sendable, Equatable {
    public enum Outcome: String, Sendable, Codable {
        case allowed
        case refused
    }

    public var actor: String
    /// A dotted verb such as `promotion.allow` or `system.create`.
    public var action: String
    public var outcome: Outcome
    /// What was acted on, as `kind:identifier` (`system:sys-…`, `model:credit/3`, `user:alice`).
    public var target: String
    /// The AI system the action concerns, when there is one, for filtering.
    public var systemID: String?
    public var details: [String: String]
    /// For a governance decision that allowed a change: the sequence of the last audit event before the decision
    /// read its facts. The store appends the entry (and commits the change it comes with) only if no event that
    /// could change those facts (about the same system, or the policy) was appended since; otherwise the write
    /// fails as a conflict and nothing is written, so a decision never lands on facts that changed under it.
    public var decidedAfter: Int64?

    /// The start of the conflict's message.
    public static let factsChanged = "What the decision rested on changed while it was made"

    /// Actions whose events can change a promotion decision's facts.
    public static let decisionActions = [
        "approval.", "evidence.", "evaluation", "gate.", "system.", "policy.", "model.", "model_version.", "model_card.", "promotion", "rollback",
        "monitoring.reference", "alerts.rules",
    ]

    public init(
        actor: String, action: String, outcome: Outcome = .allowed, target: String, systemID: String? = nil, details: [String: String] = [:]
    ) {
        self.actor = actor
        self.action = action
        self.outcome = outcome
        self.target = target
        self.systemID = systemID
        self.details = details
    }

    /// An entry by a principal; one that is not a verified user is marked `"authenticated": "false"`, so that a
    /// declared name never reads as a verified one.
    public init(
        actor: Principal, action: String, outcome: Outcome = .allowed, target: String, systemID: String? = nil, details: [String: String] = [:]
    ) {
        var details = details
        if !actor.isAuthenticated { details["authenticated"] = "false" }
        self.init(actor: actor.name, action: action, outcome: outcome, target: target, systemID: systemID, details: details)
    }
}
