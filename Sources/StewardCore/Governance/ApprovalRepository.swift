/// Persistence of approval requests with their decisions, and of evidence records; each change audited in its
/// transaction.
public protocol ApprovalRepository: Sendable {
    func addEvidence(_ evidence: Evidence, audit: AuditEntry) async throws
    func evidence(systemID: String) async throws -> [Evidence]
    func createApprovalRequest(_ request: ApprovalRequest, audit: AuditEntry) async throws
    func approvalRequest(id: String) async throws -> ApprovalRequest
    /// Requests of a system, optionally for one model version only.
    func approvalRequests(systemID: String?, model: String?, version: Int64?) async throws -> [ApprovalRequest]
    /// Adds a decision; `resourceConflict` when this approver already decided on the request.
    func addDecision(_ decision: ApprovalDecision, to requestID: String, audit: AuditEntry) async throws
}
