/// Persistence of the AI Register: systems and the registered models and prompts linked to them. Every change
/// takes the audit entry that describes it and appends it to the audit chain in the same transaction.
public protocol SystemRepository: Sendable {
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
}
