/// Persistence of gate specs and evaluations; each write appends its audit event in the same transaction.
public protocol EvaluationRepository: Sendable {
    /// Stores a new gate spec version for a system and returns its number.
    func storeGate(systemID: String, document: String, author: String, now: Int64, audit: AuditEntry) async throws -> Int64
    /// The gate spec in force for a system, if any.
    func currentGate(systemID: String) async throws -> StoredGate?
    /// Registers a test set as the next version of its name, unless the latest version has the same digest, in
    /// which case that version is returned and nothing is written.
    func registerDataset(_ dataset: EvaluationDataset, audit: AuditEntry) async throws -> EvaluationDataset
    /// A version of a named test set (the latest when `version` is nil).
    func dataset(systemID: String, name: String, version: Int64?) async throws -> EvaluationDataset
    func datasets(systemID: String) async throws -> [EvaluationDataset]
    func recordEvaluation(_ evaluation: Evaluation, audit: AuditEntry) async throws
    func evaluation(id: String) async throws -> Evaluation
    /// Evaluations newest first, of one system (or any) and optionally of one model version only.
    func evaluations(systemID: String?, model: String?, version: Int64?) async throws -> [Evaluation]
}
