/// Persistence of incidents and their timelines; each change audited in its transaction.
public protocol IncidentRepository: Sendable {
    func createIncident(_ incident: Incident, audit: AuditEntry) async throws
    /// Stores an incident's new status, resolution and the timeline entries added since it was read, provided
    /// nobody added any in between (`resourceConflict` otherwise).
    func updateIncident(_ incident: Incident, newEntries: [Incident.Entry], audit: AuditEntry) async throws
    func incident(id: String) async throws -> Incident
    func incidents(systemID: String?) async throws -> [Incident]
}
