/// Persistence of the gateway: its configuration (every version kept) and the systems' keys (stored by digest).
/// Every change is audited in its transaction.
public protocol GatewayRepository: Sendable {
    /// The newest stored configuration, or nil when none was ever stored.
    func currentConfiguration() async throws -> GatewayConfigurationVersion?
    /// Stores a new configuration version after the current one and returns its number.
    func storeConfiguration(document: String, author: String, now: Int64, audit: AuditEntry) async throws -> Int64
    /// Adds a key (stored by digest), recording `audit` in the same transaction.
    func addKey(_ key: GatewayKey, digest: String, audit: AuditEntry) async throws
    /// The key a digest belongs to, if any.
    func key(digest: String) async throws -> GatewayKey?
    /// A system's keys, oldest first.
    func keys(systemID: String) async throws -> [GatewayKey]
    /// Deletes one of a system's keys, recording `audit` in the same transaction; false when the system holds no
    /// key with that id (nothing is written then).
    func revokeKey(systemID: String, id: String, now: Int64, audit: AuditEntry) async throws -> Bool
    /// Counts a call for a model the system does not list, recording `audit` in the same transaction.
    func recordUnlistedModel(systemID: String, now: Int64, audit: AuditEntry) async throws
    /// How many calls for unlisted models the system's keys made.
    func unlistedModelCalls(systemID: String) async throws -> Int64
}

/// A stored version of the gateway configuration.
public struct GatewayConfigurationVersion: Sendable, Equatable {
    public let version: Int64
    public let configuration: GatewayConfiguration
    public let author: String
    public let createdAt: Int64

    public init(version: Int64, configuration: GatewayConfiguration, author: String, createdAt: Int64) {
        self.version = version
        self.configuration = configuration
        self.author = author
        self.createdAt = createdAt
    }
}
