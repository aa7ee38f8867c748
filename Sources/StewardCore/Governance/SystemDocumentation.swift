/// What a system's technical documentation (EU AI Act Annex IV) is written from.
public struct SystemDocumentation: Sendable {
    public let entry: RegisterEntry
    public let policy: PolicyVersion
    public let evidence: [Evidence]
    /// The latest evaluation of each model version the register assesses, newest first.
    public let evaluations: [Evaluation]

    public init(entry: RegisterEntry, policy: PolicyVersion, evidence: [Evidence], evaluations: [Evaluation]) {
        self.entry = entry
        self.policy = policy
        self.evidence = evidence
        self.evaluations = evaluations
    }
}
