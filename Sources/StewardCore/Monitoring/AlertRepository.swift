/// Persistence of a system's alert rules and alerts; changes to alerts are written with their notifications.
public protocol AlertRepository: Sendable {
    /// Stores a system's alert rules (the document) with its audit event.
    func storeAlertRules(systemID: String, document: String, audit: AuditEntry, now: Int64) async throws
    /// Alert rule documents of every system that has some, by system id.
    func alertRules() async throws -> [String: String]
    func alertRules(systemID: String) async throws -> String?
    /// Alerts of a system, newest first; only firing ones if `firing`.
    func alerts(systemID: String, firing: Bool) async throws -> [Alert]
    /// Writes what one evaluation changed, in one transaction, and returns the changes that took: an alert
    /// opened (a `resourceConflict` when the rule already has a firing alert: another evaluation got there
    /// first, and nothing is written), or updated or resolved while still firing (one that another evaluation
    /// resolved meanwhile is skipped, with its audit event and notifications). Notifications go into the outbox
    /// claimed by the evaluation for `claimUntil`, so that no dispatcher takes them before it tries them.
    func saveAlertChanges(_ changes: [AlertChange], now: Int64, claimUntil: Int64) async throws -> [AlertChange]
    /// Claims the scheduled turn of a system's alert evaluation that fell due at `dueAt` for `claimant`: true for
    /// the first claim of that turn (or of a later one than any claimed), false once any replica has claimed it.
    func claimAlertTurn(systemID: String, dueAt: Int64, claimant: String, now: Int64) async throws -> Bool
}
