/// Persistence of gate specs and evaluations; each write appends its audit event in the same transaction.
public protocol EvaluationRepository: Sendable {
    /// Stores a new gate spec version for a system and returns its number.
    func storeGate(systemID: String, document: String, author: String, now: Int64, audit: AuditEntry) async throws -> Int64
    /// The gate spec in force for a system, if any.
    func currentGate(systemID: String) async throws -> StoredGate?
    func recordEvaluation(_ evaluation: Evaluation, audit: AuditEntry) async throws
    func evaluation(id: String) async throws -> Evaluation
    /// Evaluations newest first, of one system (or any) and optionally of one model version only.
    func evaluations(systemID: String?, model: String?, version: Int64?) async throws -> [Evaluation]
}
