import Foundation
import SQLKit
import StewardCore

/// The AI Register in SQL: systems and the models and prompts linked to them; each change appends its audit
/// event in the same transaction. Other aggregates check and lock a system through it.
public struct SQLSystemRepository: SystemRepository {
    let database: any StoreDatabase

    public init(database: any StoreDatabase) {
        self.database = database
    }

    public func createSystem(_ system: AISystem, audit: AuditEntry) async throws {
        let engine = database.engine
        do {
            try await database.write { db in
                if try await db.raw("SELECT id FROM ai_systems WHERE name = \(bind: system.name)").first() != nil {
                    throw GovernanceErrors.systemNameTaken(system.name)
                }
                try await db.raw(
                    """
                    INSERT INTO ai_systems (id, name, status, profile, questionnaire, risk_tier, tier_rationale, tier_source, created_at,
                                            updated_at, created_by)
                    VALUES (\(bind: system.id), \(bind: system.name), \(bind: system.status.rawValue), \(bind: try SQLJSON.encode(system.profile)),
                            \(bind: try SQLJSON.encode(system.questionnaire)), \(bind: system.riskTier.rawValue), \(bind: system.tierRationale),
                            \(bind: system.tierSource.rawValue), \(bind: system.createdAt), \(bind: system.updatedAt), \(bind: system.createdBy))
                    """
                ).run()
                for component in system.components {
                    try await Self.insertComponent(component, systemID: system.id, now: system.createdAt, on: db)
                }
                try await SQLAuditLog.append(audit, now: system.createdAt, engine: engine, on: db)
            }
        } catch  where DatabaseConstraint.isUniqueViolation(error) {
            throw GovernanceErrors.systemNameTaken(system.name)
        }
    }

    static func insertComponent(_ component: SystemComponent, systemID: String, now: Int64, on db: any SQLDatabase) async throws {
        if let owner = try await db.raw(
            "SELECT s.name FROM system_components c JOIN ai_systems s ON s.id = c.system_id WHERE c.name = \(bind: component.name)"
        ).first() {
            throw GovernanceErrors.componentTaken(component.name, system: try owner.string("name"))
        }
        guard try await db.raw("SELECT name FROM registered_models WHERE name = \(bind: component.name)").first() != nil else {
            throw GovernanceErrors.componentNotFound(component.name)
        }
        try await db.raw(
            """
            INSERT INTO system_components (name, system_id, kind, linked_at)
            VALUES (\(bind: component.name), \(bind: systemID), \(bind: component.kind.rawValue), \(bind: now))
            """
        ).run()
    }

    public func updateSystem(_ system: AISystem, expectedUpdatedAt: Int64, audit: AuditEntry) async throws {
        let engine = database.engine
        do {
            try await database.write { db in
                try await Self.requireSystem(system.id, on: db)
                guard
                    try await db.raw(
                        "SELECT id FROM ai_systems WHERE id = \(bind: system.id) AND updated_at = \(bind: expectedUpdatedAt)"
                    ).first() != nil
                else {
                    throw StewardError(.resourceConflict, "AI system '\(system.id)' changed while this update was prepared; read it again and retry.")
                }
                try await db.raw(
                    """
                    UPDATE ai_systems SET name = \(bind: system.name), status = \(bind: system.status.rawValue),
                        profile = \(bind: try SQLJSON.encode(system.profile)), questionnaire = \(bind: try SQLJSON.encode(system.questionnaire)),
                        risk_tier = \(bind: system.riskTier.rawValue), tier_rationale = \(bind: system.tierRationale),
                        tier_source = \(bind: system.tierSource.rawValue), updated_at = \(bind: system.updatedAt)
                    WHERE id = \(bind: system.id)
                    """
                ).run()
                try await SQLAuditLog.append(audit, now: system.updatedAt, engine: engine, on: db)
            }
        } catch  where DatabaseConstraint.isUniqueViolation(error) {
            throw GovernanceErrors.systemNameTaken(system.name)
        }
    }

    /// Makes writers that number things per system take turns on PostgreSQL by locking the system's row;
    /// SQLite has one writer already.
    static func lockSystem(_ id: String, engine: SQLEngine, on db: any SQLDatabase) async throws {
        if engine == .postgres { try await db.raw("SELECT id FROM ai_systems WHERE id = \(bind: id) FOR UPDATE").run() }
    }

    /// A shared lock on the system's row (PostgreSQL; SQLite has one writer): writes that take it run side by
    /// side, and wait for one that takes `lockSystem`.
    static func shareLockSystem(_ id: String, engine: SQLEngine, on db: any SQLDatabase) async throws {
        if engine == .postgres { try await db.raw("SELECT id FROM ai_systems WHERE id = \(bind: id) FOR SHARE").run() }
    }

    static func requireSystem(_ id: String, on db: any SQLDatabase) async throws {
        guard try await db.raw("SELECT id FROM ai_systems WHERE id = \(bind: id)").first() != nil else { throw GovernanceErrors.systemNotFound(id) }
    }

    public func system(id: String) async throws -> AISystem {
        try await database.read { db in
            guard let system = try await Self.fetchSystems(where: "id = \(bind: id)", on: db).first else { throw GovernanceErrors.systemNotFound(id) }
            return system
        }
    }

    public func systems() async throws -> [AISystem] {
        try await database.read { db in try await Self.fetchSystems(where: "1 = 1", on: db) }
    }

    public func system(owning model: String) async throws -> AISystem? {
        try await database.read { db in
            try await Self.fetchSystems(where: "id IN (SELECT system_id FROM system_components WHERE name = \(bind: model))", on: db).first
        }
    }

    /// Profiles and questionnaires decoded before: every listing of the register reads them all.
    private static let profiles = DecodedJSONCache<SystemProfile>()
    private static let questionnaires = DecodedJSONCache<RiskQuestionnaire>()

    static func fetchSystems(where condition: SQLQueryString, on db: any SQLDatabase) async throws -> [AISystem] {
        let rows = try await db.raw(
            """
            SELECT id, name, status, profile, questionnaire, risk_tier, tier_rationale, tier_source, created_at, updated_at, created_by
            FROM ai_systems WHERE \(condition) ORDER BY name
            """
        ).all()
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.string("id") }
        var components: [String: [SystemComponent]] = [:]
        for row in try await db.raw(
            "SELECT name, system_id, kind FROM system_components WHERE system_id IN \(SQLBind.group(ids)) ORDER BY name"
        ).all() {
            components[try row.string("system_id"), default: []].append(
                SystemComponent(name: try row.string("name"), kind: SystemComponent.Kind(rawValue: try row.string("kind")) ?? .model))
        }
        return try rows.map { row in
            let id = try row.string("id")
            return AISystem(
                id: id, name: try row.string("name"), status: AISystem.Status(rawValue: try row.string("status")) ?? .proposed,
                profile: try profiles.decode(try row.string("profile")), questionnaire: try questionnaires.decode(try row.string("questionnaire")),
                riskTier: RiskTier(rawValue: try row.string("risk_tier")) ?? .critical, tierRationale: try row.string("tier_rationale"),
                tierSource: AISystem.TierSource(rawValue: try row.string("tier_source")) ?? .questionnaire, components: components[id] ?? [],
                createdAt: try row.int64("created_at"), updatedAt: try row.int64("updated_at"), createdBy: try row.string("created_by"))
        }
    }

    public func link(_ component: SystemComponent, to systemID: String, now: Int64, audit: AuditEntry) async throws {
        let engine = database.engine
        try await database.write { db in
            try await Self.requireSystem(systemID, on: db)
            try await Self.insertComponent(component, systemID: systemID, now: now, on: db)
            try await db.raw("UPDATE ai_systems SET updated_at = \(bind: now) WHERE id = \(bind: systemID)").run()
            try await SQLAuditLog.append(audit, now: now, engine: engine, on: db)
        }
    }

    public func unlink(_ name: String, from systemID: String, now: Int64, audit: AuditEntry) async throws {
        let engine = database.engine
        try await database.write { db in
            try await Self.requireSystem(systemID, on: db)
            guard
                try await db.raw("DELETE FROM system_components WHERE name = \(bind: name) AND system_id = \(bind: systemID) RETURNING name").first()
                    != nil
            else { throw StewardError.notFound("'\(name)' is not part of AI system '\(systemID)'.") }
            try await db.raw("UPDATE ai_systems SET updated_at = \(bind: now) WHERE id = \(bind: systemID)").run()
            try await SQLAuditLog.append(audit, now: now, engine: engine, on: db)
        }
    }
}
