/// A request that reviewers approve a model version of a system for an alias (or stage), with their decisions.
public struct ApprovalRequest: Sendable, Equatable, Codable {
    public let id: String
    public let systemID: String
    public let model: String
    public let version: Int64
    public let alias: String
    public let requestedBy: String
    public let createdAt: Int64
    public var decisions: [ApprovalDecision]

    /// Where a request stands: pending until someone decides, then as its latest decision says.
    public enum Status: String, Sendable, Codable {
        case pending
        case approved
        case rejected
    }

    public var status: Status {
        guard let latest = decisions.max(by: { $0.decidedAt < $1.decidedAt }) else { return .pending }
        return latest.verdict == .approve ? .approved : .rejected
    }

    public init(
        id: String, systemID: String, model: String, version: Int64, alias: String, requestedBy: String, createdAt: Int64,
        decisions: [ApprovalDecision]
    ) {
        self.id = id
        self.systemID = systemID
        self.model = model
        self.version = version
        self.alias = alias
        self.requestedBy = requestedBy
        self.createdAt = createdAt
        self.decisions = decisions
    }
}

/// One reviewer's decision, with the role they held when deciding.
public struct ApprovalDecision: Sendable, Equatable, Codable {
    public enum Verdict: String, Sendable, Codable {
        case approve
        case reject
    }

    public let approver: String
    public let role: Role
    public let verdict: Verdict
    public let comment: String
    public let decidedAt: Int64

    public init(approver: String, role: Role, verdict: Verdict, comment: String, decidedAt: Int64) {
        self.approver = approver
        self.role = role
        self.verdict = verdict
        self.comment = comment
        self.decidedAt = decidedAt
    }
}
