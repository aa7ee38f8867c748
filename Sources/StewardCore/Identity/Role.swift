/// What a user may do. Roles are personas, not a ladder: each governance action names the roles that may take it.
public enum Role: String, Sendable, Codable, CaseIterable, NamedChoice {
    /// Reads everything except users and the audit log.
    case viewer
    /// A data scientist: tracks runs, registers models and systems, adds evidence, asks for approvals.
    case contributor
    /// Approves (or rejects) a model version for production, besides what a contributor does.
    case reviewer
    /// Approves regulatory reviews, overrides risk tiers and changes the policy, besides what a reviewer does.
    case compliance
    /// Everything, including users and tokens.
    case admin

    public static let choiceName = "role"

    /// Whether this role may change tracking and registry data at all.
    public var canWrite: Bool { self != .viewer }
}
