import SQLKit
import StewardCore
import StewardServer
import StewardStatistics
import StewardStore

/// The service graph over a test's storage, built by the server's own composition root, with what tests add:
/// counting rows and configuring monitoring.
@dynamicMemberLookup
public struct TrackingServices: Sendable {
    public let services: StewardServices
    public let storage: StewardStorage

    public init(
        _ storage: StewardStorage, notifications: AlertNotifications? = nil, now: @escaping @Sendable () -> Int64 = EpochClock.now
    ) {
        services = StewardServices(storage: storage, notifications: notifications, now: now)
        self.storage = storage
    }

    public subscript<Service>(dynamicMember keyPath: KeyPath<StewardServices, Service>) -> Service {
        services[keyPath: keyPath]
    }

    /// Counts the rows of `table`, to prove a refused request wrote nothing.
    public func count(_ table: String) async throws -> Int {
        try await storage.database.read { db in
            let row = try await db.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()
            return Int(try row?.decode(column: "n", as: Int64.self) ?? 0)
        }
    }

    /// Monitors a system as the monitoring control observes it: a reference profile and one alert rule, set by
    /// `actor` (a reviewer or above, since alert rules need one).
    public func monitor(systemID: String, actor: Principal) async throws {
        _ = try await services.references.setReference(
            systemID: systemID, source: "training@v1", features: ["x": .reference(.numbers((0..<100).map(Double.init)))], actor: actor)
        _ = try await services.alerts.setAlertRules(systemID: systemID, document: "conditions: ['error_rate <= 0.1']", actor: actor)
    }
}

/// Tests name unverified actors by string, as a request without a token would.
extension Principal: ExpressibleByStringLiteral {
    public init(stringLiteral name: String) {
        self = .declared(name)
    }
}
