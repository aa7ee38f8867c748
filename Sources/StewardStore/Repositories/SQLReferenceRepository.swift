import Foundation
import SQLKit
import StewardCore
import StewardStatistics

/// Reference profiles in SQL, every version kept.
public struct SQLReferenceRepository: ReferenceRepository {
    let database: any StoreDatabase

    public init(database: any StoreDatabase) {
        self.database = database
    }

    public func storeReference(_ profile: ReferenceProfile, audit: AuditEntry, profile profileEvents: @escaping WindowProfiler) async throws -> Int64
    {
        let engine = database.engine
        let document = String(decoding: try JSONEncoder().encode(profile.features), as: UTF8.self)
        return try await database.write { db in
            try await SQLSystemRepository.requireSystem(profile.systemID, on: db)
            try await SQLSystemRepository.lockSystem(profile.systemID, engine: engine, on: db)
            let last =
                try await db.raw("SELECT MAX(version) AS version FROM reference_profiles WHERE system_id = \(bind: profile.systemID)").first()?
                .optionalInt64("version") ?? 0
            try await db.raw(
                """
                INSERT INTO reference_profiles (system_id, version, source, profile, created_by, created_at, model_name, model_version)
                VALUES (\(bind: profile.systemID), \(bind: last + 1), \(bind: profile.source), \(bind: document), \(bind: profile.createdBy),
                        \(bind: profile.createdAt), \(bind: profile.model?.name), \(bind: profile.model?.version))
                """
            ).run()
            var audit = audit
            audit.details["version"] = "\(last + 1)"
            try await SQLAuditLog.append(audit, now: profile.createdAt, engine: engine, on: db)
            var stored = profile
            stored.version = last + 1
            try await SQLEventRepository.reprofileEvents(stored.systemID, over: stored, on: db, profileEvents)
            return last + 1
        }
    }

    public func currentReference(systemID: String) async throws -> ReferenceProfile? {
        try await database.read { db in
            try await SQLSystemRepository.requireSystem(systemID, on: db)
            return try await Self.reference(systemID, version: nil, on: db)
        }
    }

    public func currentReferenceVersion(systemID: String) async throws -> MonitoringFacts.Reference? {
        try await database.read { db in try await Self.currentVersions(systemIDs: [systemID], on: db)[systemID] }
    }

    /// The version and source of each system's latest reference profile, by system id, for the systems that have one.
    static func currentVersions(systemIDs: [String], on db: any SQLDatabase) async throws -> [String: MonitoringFacts.Reference] {
        var references: [String: MonitoringFacts.Reference] = [:]
        for row in try await db.raw(
            """
            SELECT system_id, version, source FROM reference_profiles AS profile
            WHERE system_id IN \(SQLBind.group(systemIDs))
              AND version = (SELECT MAX(version) FROM reference_profiles AS later WHERE later.system_id = profile.system_id)
            """
        ).all() {
            references[try row.string("system_id")] = MonitoringFacts.Reference(version: try row.int64("version"), source: try row.string("source"))
        }
        return references
    }

    /// A reference profile version of a system, or its latest.
    static func reference(_ systemID: String, version: Int64?, on db: any SQLDatabase) async throws -> ReferenceProfile? {
        let filter: SQLQueryString = version.map { " AND version = \(bind: $0)" } ?? ""
        guard
            let row = try await db.raw(
                """
                SELECT version, source, profile, created_by, created_at, model_name, model_version FROM reference_profiles
                WHERE system_id = \(bind: systemID)\(filter) ORDER BY version DESC LIMIT 1
                """
            ).first()
        else { return nil }
        let model = try row.optionalString("model_name").map { name in
            ReferenceProfile.ModelVersionKey(name: name, version: try row.optionalInt64("model_version") ?? 0)
        }
        return ReferenceProfile(
            systemID: systemID, version: try row.int64("version"), source: try row.string("source"),
            features: try JSONDecoder().decode([String: FeatureProfile].self, from: Data(try row.string("profile").utf8)),
            createdBy: try row.string("created_by"), createdAt: try row.int64("created_at"), model: model)
    }

    static func referenceVersion(_ systemID: String, on db: any SQLDatabase) async throws -> Int64? {
        try await db.raw("SELECT MAX(version) AS version FROM reference_profiles WHERE system_id = \(bind: systemID)").first()?.optionalInt64(
            "version")
    }
}
