/// Persistence of the governance policy: every version kept, each change audited in its transaction.
public protocol PolicyRepository: Sendable {
    /// The newest stored policy, or nil when none was ever stored (the default applies).
    func currentPolicy() async throws -> PolicyVersion?
    /// Stores a new policy version after the current one and returns its number.
    func storePolicy(document: String, author: String, now: Int64, audit: AuditEntry) async throws -> Int64
}
