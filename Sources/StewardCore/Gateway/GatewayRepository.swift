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

    /// Sets (or, with both limits nil, removes) the budget of `scope`, which belongs to `systemID`, recording
    /// `audit` in the same transaction.
    func setBudget(_ budget: GatewayBudget, scope: GatewayBudget.Scope, systemID: String, now: Int64, audit: AuditEntry) async throws
    /// The budgets of a system and its keys, by scope.
    func budgets(systemID: String) async throws -> [GatewayBudget.Scope: GatewayBudget]
    /// In one transaction that no other grant or flush on the same budgets interleaves with, for each request (in
    /// order): the limits of its scope's budget (none: nothing granted), what is left of it for the day and the
    /// month (each limit less what was spent and what every lease and unexpired hold counts), and a grant of
    /// `GatewayBudgetLedger.grantSize` of the least left added to the request's lease.
    func grant(_ requests: [GatewayBudgetLedger.Request], now: Int64) async throws -> [GatewayBudgetLedger.Grant]
    /// In one durable transaction: adds each cost to its scope's spend for its period (and its calls), and takes
    /// each lease's decrease off its row (a row left at 0 is deleted).
    func write(_ flush: GatewayBudgetLedger.Flush) async throws
    /// The safety checks stored for a system, nil when none were.
    func safetyPolicy(systemID: String) async throws -> SafetyPolicy?
    /// Stores a system's safety checks, recording `audit` in the same transaction.
    func storeSafetyPolicy(_ policy: SafetyPolicy, systemID: String, author: String, now: Int64, audit: AuditEntry) async throws
    /// What `scope` spent in `period` (a day or a month as `Periods` writes them), and in how many calls.
    func spend(scope: GatewayBudget.Scope, period: String) async throws -> (amount: Int64, calls: Int64)
    /// Starts, or replaces, a system's experiment on a prompt, recording `audit` in the same transaction.
    func storePromptExperiment(_ experiment: PromptExperiment, audit: AuditEntry) async throws
    /// A system's prompt experiments, by prompt name.
    func promptExperiments(systemID: String) async throws -> [PromptExperiment]
    /// Ends a system's experiment on `prompt`, recording `audit` in the same transaction; false when there is none
    /// (nothing is written then).
    func endPromptExperiment(systemID: String, prompt: String, now: Int64, audit: AuditEntry) async throws -> Bool
    /// What each version of an experiment served, from its calls' events (the version as the arm).
    func observations(of experiment: PromptExperiment) async throws -> [ArmObservations]
    /// Every spend row of a system in `periods`: the system's, its keys', its models' and its prompt versions', by
    /// stored scope text (`GatewayBudget.Scope.text`) and period.
    func spend(systemID: String, periods: GatewayBudget.Periods) async throws -> [(scope: String, period: String, amount: Int64, calls: Int64)]
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
