/// Persistence of the AI Register, policies, evidence, approvals and incidents. Every change takes the audit
/// entry that describes it and appends it to the audit chain in the same transaction.
public protocol GovernanceRepository: Sendable {
    /// Inserts a system and links its components; `resourceConflict` when a component belongs to another system,
    /// `resourceDoesNotExist` when one is not registered.
    func createSystem(_ system: AISystem, audit: AuditEntry) async throws
    /// Replaces a system's descriptive fields, status and tier (not its components), provided nobody changed it
    /// since it was read at `expectedUpdatedAt` (`resourceConflict` otherwise).
    func updateSystem(_ system: AISystem, expectedUpdatedAt: Int64, audit: AuditEntry) async throws
    func system(id: String) async throws -> AISystem
    func systems() async throws -> [AISystem]
    /// The system a registered model or prompt belongs to, if any.
    func system(owning model: String) async throws -> AISystem?
    func link(_ component: SystemComponent, to systemID: String, now: Int64, audit: AuditEntry) async throws
    func unlink(_ name: String, from systemID: String, now: Int64, audit: AuditEntry) async throws

    /// The newest stored policy, or nil when none was ever stored (the default applies).
    func currentPolicy() async throws -> PolicyVersion?
    /// Stores a new policy version after the current one and returns its number.
    func storePolicy(document: String, author: String, now: Int64, audit: AuditEntry) async throws -> Int64

    func addEvidence(_ evidence: Evidence, audit: AuditEntry) async throws
    func evidence(systemID: String) async throws -> [Evidence]

    func createApprovalRequest(_ request: ApprovalRequest, audit: AuditEntry) async throws
    func approvalRequest(id: String) async throws -> ApprovalRequest
    /// Requests of a system, optionally for one model version only.
    func approvalRequests(systemID: String, model: String?, version: Int64?) async throws -> [ApprovalRequest]
    /// Adds a decision; `resourceConflict` when this approver already decided on the request.
    func addDecision(_ decision: ApprovalDecision, to requestID: String, audit: AuditEntry) async throws

    func createIncident(_ incident: Incident, audit: AuditEntry) async throws
    /// Stores an incident's new status, resolution and the timeline entries added since it was read, provided
    /// nobody added any in between (`resourceConflict` otherwise).
    func updateIncident(_ incident: Incident, newEntries: [Incident.Entry], audit: AuditEntry) async throws
    func incident(id: String) async throws -> Incident
    func incidents(systemID: String?) async throws -> [Incident]
}
