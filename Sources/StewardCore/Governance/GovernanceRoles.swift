import Foundation

/// Who may do what in governance. Approvals, policy changes and tier overrides always need a verified identity.
public enum GovernanceRoles {
    /// Roles that may change the register, add evidence, ask for approvals, promote and roll back.
    public static let contributors: Set<Role> = [.contributor, .reviewer, .compliance, .admin]
    /// Roles that may decide approvals.
    public static let approvers: Set<Role> = [.reviewer, .compliance, .admin]
    /// Roles that may change the policy, override tiers, unlink models and rename or delete governed ones.
    public static let governors: Set<Role> = [.compliance, .admin]
}

extension AuditRepository {
    /// Refuses, auditing the refusal, unless `actor` is unauthenticated on an open server or may contribute to the
    /// register (a viewer is refused).
    func requireContributor(_ actor: Principal, _ action: String, target: String, systemID: String?, now: Int64) async throws {
        guard let role = actor.role, !GovernanceRoles.contributors.contains(role) else { return }
        try await refuse(
            AuditEntry(actor: actor, action: action, target: target, systemID: systemID),
            StewardError(.permissionDenied, "User '\(actor.name)' (\(role.rawValue)) may not change governance records."), now: now)
    }
}

/// Identifiers of governance and monitoring records: a prefix and twelve random hex digits (`sys-3f9c0a61b2d4`).
public enum RecordID {
    public static func make(_ prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        // Twelve hex digits of one random number, written directly (String(format:) per byte showed in the LLM
        // gateway's profile, which makes one per call).
        let random = UInt64.random(in: 0..<(1 << 48), using: &generator)
        let hex = String(random, radix: 16)
        return prefix + "-" + String(repeating: "0", count: 12 - hex.count) + hex
    }
}
