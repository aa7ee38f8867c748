import Logging
import SQLKit
import StewardCore

/// Brings a database to the newest schema by applying, in order and each in its own transaction, the
/// migrations it has not yet recorded in `schema_migrations`.
public struct Migrator: Sendable {
    public let migrations: [Migration]

    public init(migrations: [Migration] = Migrator.steward) {
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// Steward's schema history.
    public static let steward: [Migration] = [
        TrackingSchema.v1, LoggedModelSchema.v2, ModelRegistrySchema.v3, GovernanceSchema.v4, EvaluationSchema.v5, MonitoringSchema.v6,
        MonitoringSchema.v7, MonitoringSchema.v8, MonitoringSchema.v9, MonitoringSchema.v10, GovernanceSchema.v11, MonitoringSchema.v12,
        ModelRegistrySchema.v13, ModelRegistrySchema.v14, DeploymentSchema.v15, DeploymentSchema.v16, DeploymentSchema.v17, DeploymentSchema.v18,
        GatewaySchema.v19, GatewaySchema.v20, GatewaySchema.v21, GatewaySchema.v22, GatewaySchema.v23, GovernanceSchema.v24,
        DeploymentSchema.v25, GovernanceSchema.v26, MonitoringSchema.v27,
    ]

    /// Applies every pending migration; returns the versions applied now.
    @discardableResult
    public func migrate(_ database: any StoreDatabase, logger: Logger) async throws -> [Int] {
        let engine = database.engine
        try await database.write { db in
            if engine == .postgres {
                // Replicas starting together take turns, from the very first statement.
                try await db.raw("SELECT pg_advisory_xact_lock(7361012)").run()
            }
            try await db.raw(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)
                """
            ).run()
        }
        var applied: [Int] = []
        for migration in migrations {
            let checksum = migration.checksum(for: engine)
            let didApply = try await database.write { db -> Bool in
                if engine == .postgres {
                    // Replicas starting together take turns; the later one finds the migration applied.
                    try await db.raw("SELECT pg_advisory_xact_lock(7361012)").run()
                }
                let rows = try await db.raw("SELECT checksum FROM schema_migrations WHERE version = \(bind: migration.version)").all()
                if let row = rows.first {
                    let recorded = try row.decode(column: "checksum", as: String.self)
                    guard recorded == checksum else {
                        throw StewardError(
                            .internalError,
                            "Migration \(migration.version) (\(migration.name)) was applied with checksum \(recorded) but the "
                                + "shipped migration has \(checksum); a shipped migration must never be edited.")
                    }
                    return false
                }
                for statement in migration.statements(engine) {
                    try await db.raw("\(unsafeRaw: statement)").run()
                }
                try await db.raw(
                    """
                    INSERT INTO schema_migrations (version, name, checksum, applied_at)
                    VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: checksum), \(bind: EpochClock.now()))
                    """
                ).run()
                return true
            }
            if didApply {
                logger.info("Applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                applied.append(migration.version)
            }
        }
        return applied
    }
}
