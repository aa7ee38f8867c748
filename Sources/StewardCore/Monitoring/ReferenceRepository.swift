/// Persistence of a system's reference profiles, every version kept.
public protocol ReferenceRepository: Sendable {
    /// Stores a new reference profile version and returns its number; in the same transaction replaces the
    /// system's window profiles with ones `profile` makes of its stored events over the new reference.
    func storeReference(_ profile: ReferenceProfile, audit: AuditEntry, profile: @escaping WindowProfiler) async throws -> Int64
    /// The latest reference profile of a system, if any.
    func currentReference(systemID: String) async throws -> ReferenceProfile?
    /// The version and source of a system's latest reference profile, without the profile itself.
    func currentReferenceVersion(systemID: String) async throws -> MonitoringFacts.Reference?
}
