import Foundation

/// The governance policy in force: which controls each risk tier requires and how each is checked. Every version
/// is kept; changing it is for compliance officers and admins, and audited.
public struct PolicyService: Sendable {
    let repository: any PolicyRepository
    let audit: any AuditRepository
    let now: @Sendable () -> Int64

    public init(repository: any PolicyRepository, audit: any AuditRepository, now: @escaping @Sendable () -> Int64 = EpochClock.now) {
        self.repository = repository
        self.audit = audit
        self.now = now
    }

    /// The policy in force: the newest stored version, or the shipped default as version 0.
    public func policy() async throws -> PolicyVersion {
        try await repository.currentPolicy() ?? PolicyVersion(version: 0, policy: .default, author: "steward", createdAt: 0)
    }

    /// Validates and stores a new policy version: compliance or admin only.
    public func setPolicy(document: String, actor: Principal) async throws -> PolicyVersion {
        let entry = AuditEntry(actor: actor, action: "policy.update", target: "policy")
        try await audit.require(actor, GovernanceRoles.governors, to: "change the governance policy", entry, now: now())
        let policy = try GovernancePolicy(yaml: document)
        var stored = entry
        stored.details = ["digest": SHA256Digest.hex(of: Data(document.utf8))]
        let time = now()
        let version = try await repository.storePolicy(document: document, author: actor.name, now: time, audit: stored)
        return PolicyVersion(version: version, policy: policy, author: actor.name, createdAt: time)
    }
}
