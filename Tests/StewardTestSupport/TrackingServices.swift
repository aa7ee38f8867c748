import SQLKit
import StewardCore
import StewardStatistics
import StewardStore

/// The tracking and registry services over a test's storage, wired as the server wires them.
public struct TrackingServices: Sendable {
    public let experiments: ExperimentService
    public let runs: RunService
    public let models: LoggedModelService
    public let registry: ModelRegistryService
    public let governance: GovernanceService
    public let identity: IdentityService
    public let audit: AuditService
    public let evaluations: EvaluationService
    public let monitoring: MonitoringService
    public let storage: StewardStorage

    public init(_ storage: StewardStorage) {
        let services = StewardServices(storage: storage)
        experiments = services.experiments
        runs = services.runs
        models = services.loggedModels
        registry = services.registry
        governance = services.governance
        identity = services.identity
        audit = services.audit
        evaluations = services.evaluations
        monitoring = services.monitoring
        self.storage = storage
    }

    /// Monitors a system as the monitoring control observes it: a reference profile and one alert rule, set by
    /// `actor` (a reviewer or above, since alert rules need one).
    public func monitor(systemID: String, actor: Principal) async throws {
        _ = try await monitoring.setReference(
            systemID: systemID, source: "training@v1", features: ["x": .reference(.numbers((0..<100).map(Double.init)))], actor: actor)
        _ = try await monitoring.setAlertRules(systemID: systemID, document: "conditions: ['error_rate <= 0.1']", actor: actor)
    }

    /// Counts the rows of `table`, to prove a refused request wrote nothing.
    public func count(_ table: String) async throws -> Int {
        try await storage.database.read { db in
            let row = try await db.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()
            return Int(try row?.decode(column: "n", as: Int64.self) ?? 0)
        }
    }
}

/// Tests name unverified actors by string, as a request without a token would.
extension Principal: ExpressibleByStringLiteral {
    public init(stringLiteral name: String) {
        self = .declared(name)
    }
}
