import Foundation
import SQLKit
import StewardCore

/// Governance policy versions in SQL, every version kept.
public struct SQLPolicyRepository: PolicyRepository {
    let database: any StoreDatabase

    public init(database: any StoreDatabase) {
        self.database = database
    }

    public func currentPolicy() async throws -> PolicyVersion? {
        guard let stored = try await SQLDocumentVersions.current(in: "governance_policies", of: database) else { return nil }
        return PolicyVersion(
            version: stored.version, policy: try GovernancePolicy(yaml: stored.document), author: stored.author, createdAt: stored.createdAt)
    }

    public func storePolicy(document: String, author: String, now: Int64, audit: AuditEntry) async throws -> Int64 {
        try await SQLDocumentVersions.store(
            document, author: author, now: now, audit: audit, in: "governance_policies", lock: 7_361_013, of: database)
    }
}
