import Foundation
import SQLKit
import StewardCore

/// The AI Register, policies, evidence, approvals and incidents in SQL; each change appends its audit event
/// in the same transaction.
public struct SQLGovernanceRepository: GovernanceRepository {
    let database: any StoreDatabase

    public init(database: any StoreDatabase) {
        self.database = database
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(type, from: Data(text.utf8))
    }

    // MARK: Systems

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
                    VALUES (\(bind: system.id), \(bind: system.name), \(bind: system.status.rawValue), \(bind: try Self.json(system.profile)),
                            \(bind: try Self.json(system.questionnaire)), \(bind: system.riskTier.rawValue), \(bind: system.tierRationale),
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
                        profile = \(bind: try Self.json(system.profile)), questionnaire = \(bind: try Self.json(system.questionnaire)),
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
                profile: try decode(SystemProfile.self, try row.string("profile")),
                questionnaire: try decode(RiskQuestionnaire.self, try row.string("questionnaire")),
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

    // MARK: Policy

    public func currentPolicy() async throws -> PolicyVersion? {
        try await database.read { db in
            guard
                let row = try await db.raw("SELECT version, document, author, created_at FROM governance_policies ORDER BY version DESC LIMIT 1")
                    .first()
            else { return nil }
            return PolicyVersion(
                version: try row.int64("version"), policy: try GovernancePolicy(yaml: try row.string("document")), author: try row.string("author"),
                createdAt: try row.int64("created_at"))
        }
    }

    public func storePolicy(document: String, author: String, now: Int64, audit: AuditEntry) async throws -> Int64 {
        let engine = database.engine
        return try await database.write { db in
            if engine == .postgres { try await db.raw("SELECT pg_advisory_xact_lock(7361013)").run() }
            let last = try await db.raw("SELECT MAX(version) AS version FROM governance_policies").first()?.optionalInt64("version") ?? 0
            let version = last + 1
            try await db.raw(
                """
                INSERT INTO governance_policies (version, document, author, created_at)
                VALUES (\(bind: version), \(bind: document), \(bind: author), \(bind: now))
                """
            ).run()
            var audit = audit
            audit.details["version"] = "\(version)"
            try await SQLAuditLog.append(audit, now: now, engine: engine, on: db)
            return version
        }
    }

    // MARK: Evidence

    public func addEvidence(_ evidence: Evidence, audit: AuditEntry) async throws {
        let engine = database.engine
        try await database.write { db in
            try await Self.requireSystem(evidence.systemID, on: db)
            try await db.raw(
                """
                INSERT INTO evidence (id, system_id, type, reference, digest, model_name, version, author, created_at)
                VALUES (\(bind: evidence.id), \(bind: evidence.systemID), \(bind: evidence.type), \(bind: evidence.reference),
                        \(bind: evidence.digest), \(bind: evidence.model), \(bind: evidence.version), \(bind: evidence.author),
                        \(bind: evidence.createdAt))
                """
            ).run()
            try await SQLAuditLog.append(audit, now: evidence.createdAt, engine: engine, on: db)
        }
    }

    public func evidence(systemID: String) async throws -> [Evidence] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT id, system_id, type, reference, digest, model_name, version, author, created_at FROM evidence
                WHERE system_id = \(bind: systemID) ORDER BY created_at, id
                """
            ).all().map { row in
                Evidence(
                    id: try row.string("id"), systemID: try row.string("system_id"), type: try row.string("type"),
                    reference: try row.string("reference"), digest: try row.string("digest"), model: try row.optionalString("model_name"),
                    version: try row.optionalInt64("version"), author: try row.string("author"), createdAt: try row.int64("created_at"))
            }
        }
    }

    // MARK: Approvals

    public func createApprovalRequest(_ request: ApprovalRequest, audit: AuditEntry) async throws {
        let engine = database.engine
        try await database.write { db in
            try await Self.requireSystem(request.systemID, on: db)
            try await db.raw(
                """
                INSERT INTO approval_requests (id, system_id, model_name, version, alias, requested_by, created_at)
                VALUES (\(bind: request.id), \(bind: request.systemID), \(bind: request.model), \(bind: request.version), \(bind: request.alias),
                        \(bind: request.requestedBy), \(bind: request.createdAt))
                """
            ).run()
            try await SQLAuditLog.append(audit, now: request.createdAt, engine: engine, on: db)
        }
    }

    public func approvalRequest(id: String) async throws -> ApprovalRequest {
        try await database.read { db in
            guard let request = try await Self.fetchRequests(where: "id = \(bind: id)", on: db).first else {
                throw GovernanceErrors.approvalNotFound(id)
            }
            return request
        }
    }

    public func approvalRequests(systemID: String, model: String?, version: Int64?) async throws -> [ApprovalRequest] {
        try await database.read { db in
            var conditions: [SQLQueryString] = ["system_id = \(bind: systemID)"]
            if let model { conditions.append("model_name = \(bind: model)") }
            if let version { conditions.append("version = \(bind: version)") }
            return try await Self.fetchRequests(where: conditions.joined(separator: " AND "), on: db)
        }
    }

    static func fetchRequests(where condition: SQLQueryString, on db: any SQLDatabase) async throws -> [ApprovalRequest] {
        let rows = try await db.raw(
            """
            SELECT id, system_id, model_name, version, alias, requested_by, created_at FROM approval_requests
            WHERE \(condition) ORDER BY created_at, id
            """
        ).all()
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.string("id") }
        var decisions: [String: [ApprovalDecision]] = [:]
        for row in try await db.raw(
            """
            SELECT request_id, approver, role, verdict, comment, decided_at FROM approval_decisions
            WHERE request_id IN \(SQLBind.group(ids)) ORDER BY decided_at, approver
            """
        ).all() {
            decisions[try row.string("request_id"), default: []].append(
                ApprovalDecision(
                    approver: try row.string("approver"), role: Role(rawValue: try row.string("role")) ?? .viewer,
                    verdict: ApprovalDecision.Verdict(rawValue: try row.string("verdict")) ?? .reject, comment: try row.string("comment"),
                    decidedAt: try row.int64("decided_at")))
        }
        return try rows.map { row in
            let id = try row.string("id")
            return ApprovalRequest(
                id: id, systemID: try row.string("system_id"), model: try row.string("model_name"), version: try row.int64("version"),
                alias: try row.string("alias"), requestedBy: try row.string("requested_by"), createdAt: try row.int64("created_at"),
                decisions: decisions[id] ?? [])
        }
    }

    public func addDecision(_ decision: ApprovalDecision, to requestID: String, audit: AuditEntry) async throws {
        let engine = database.engine
        do {
            try await database.write { db in
                guard try await db.raw("SELECT id FROM approval_requests WHERE id = \(bind: requestID)").first() != nil else {
                    throw GovernanceErrors.approvalNotFound(requestID)
                }
                if try await db.raw(
                    "SELECT approver FROM approval_decisions WHERE request_id = \(bind: requestID) AND approver = \(bind: decision.approver)"
                ).first() != nil {
                    throw GovernanceErrors.alreadyDecided(decision.approver, request: requestID)
                }
                try await db.raw(
                    """
                    INSERT INTO approval_decisions (request_id, approver, role, verdict, comment, decided_at)
                    VALUES (\(bind: requestID), \(bind: decision.approver), \(bind: decision.role.rawValue), \(bind: decision.verdict.rawValue),
                            \(bind: decision.comment), \(bind: decision.decidedAt))
                    """
                ).run()
                try await SQLAuditLog.append(audit, now: decision.decidedAt, engine: engine, on: db)
            }
        } catch  where DatabaseConstraint.isUniqueViolation(error) {
            throw GovernanceErrors.alreadyDecided(decision.approver, request: requestID)
        }
    }

    // MARK: Incidents

    public func createIncident(_ incident: Incident, audit: AuditEntry) async throws {
        let engine = database.engine
        try await database.write { db in
            try await Self.requireSystem(incident.systemID, on: db)
            try await db.raw(
                """
                INSERT INTO incidents (id, system_id, model_name, version, severity, title, description, status, opened_by, opened_at,
                                       resolved_at, resolution)
                VALUES (\(bind: incident.id), \(bind: incident.systemID), \(bind: incident.model), \(bind: incident.version),
                        \(bind: incident.severity.rawValue), \(bind: incident.title), \(bind: incident.description), \(bind: incident.status.rawValue),
                        \(bind: incident.openedBy), \(bind: incident.openedAt), \(bind: incident.resolvedAt), \(bind: incident.resolution))
                """
            ).run()
            try await Self.insertEntries(incident.timeline, incidentID: incident.id, after: 0, on: db)
            try await SQLAuditLog.append(audit, now: incident.openedAt, engine: engine, on: db)
        }
    }

    static func insertEntries(_ entries: [Incident.Entry], incidentID: String, after position: Int64, on db: any SQLDatabase) async throws {
        for (offset, entry) in entries.enumerated() {
            try await db.raw(
                """
                INSERT INTO incident_entries (incident_id, position, entry_time, actor, kind, text)
                VALUES (\(bind: incidentID), \(bind: position + Int64(offset) + 1), \(bind: entry.time), \(bind: entry.actor), \(bind: entry.kind),
                        \(bind: entry.text))
                """
            ).run()
        }
    }

    public func updateIncident(_ incident: Incident, newEntries: [Incident.Entry], audit: AuditEntry) async throws {
        let engine = database.engine
        try await database.write { db in
            guard
                let row = try await db.raw(
                    "SELECT COALESCE(MAX(position), 0) AS position FROM incident_entries WHERE incident_id = \(bind: incident.id)"
                ).first()
            else { throw GovernanceErrors.incidentNotFound(incident.id) }
            guard try row.int64("position") == Int64(incident.timeline.count - newEntries.count) else {
                throw StewardError(.resourceConflict, "Incident \(incident.id) changed while this update was prepared; read it again and retry.")
            }
            try await db.raw(
                """
                UPDATE incidents SET status = \(bind: incident.status.rawValue), resolved_at = \(bind: incident.resolvedAt),
                    resolution = \(bind: incident.resolution), severity = \(bind: incident.severity.rawValue)
                WHERE id = \(bind: incident.id)
                """
            ).run()
            try await Self.insertEntries(newEntries, incidentID: incident.id, after: try row.int64("position"), on: db)
            try await SQLAuditLog.append(audit, now: newEntries.last?.time ?? incident.openedAt, engine: engine, on: db)
        }
    }

    public func incident(id: String) async throws -> Incident {
        try await database.read { db in
            guard let incident = try await Self.fetchIncidents(where: "id = \(bind: id)", on: db).first else {
                throw GovernanceErrors.incidentNotFound(id)
            }
            return incident
        }
    }

    public func incidents(systemID: String?) async throws -> [Incident] {
        try await database.read { db in
            try await Self.fetchIncidents(where: systemID.map { "system_id = \(bind: $0)" } ?? "1 = 1", on: db)
        }
    }

    static func fetchIncidents(where condition: SQLQueryString, on db: any SQLDatabase) async throws -> [Incident] {
        let rows = try await db.raw(
            """
            SELECT id, system_id, model_name, version, severity, title, description, status, opened_by, opened_at, resolved_at, resolution
            FROM incidents WHERE \(condition) ORDER BY opened_at, id
            """
        ).all()
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.string("id") }
        var timelines: [String: [Incident.Entry]] = [:]
        for row in try await db.raw(
            """
            SELECT incident_id, entry_time, actor, kind, text FROM incident_entries
            WHERE incident_id IN \(SQLBind.group(ids)) ORDER BY incident_id, position
            """
        ).all() {
            timelines[try row.string("incident_id"), default: []].append(
                Incident.Entry(
                    time: try row.int64("entry_time"), actor: try row.string("actor"), kind: try row.string("kind"), text: try row.string("text")))
        }
        return try rows.map { row in
            let id = try row.string("id")
            return Incident(
                id: id, systemID: try row.string("system_id"), model: try row.optionalString("model_name"), version: try row.optionalInt64("version"),
                severity: Incident.Severity(rawValue: try row.string("severity")) ?? .high, title: try row.string("title"),
                description: try row.string("description"), status: Incident.Status(rawValue: try row.string("status")) ?? .open,
                openedBy: try row.string("opened_by"), openedAt: try row.int64("opened_at"), resolvedAt: try row.optionalInt64("resolved_at"),
                resolution: try row.string("resolution"), timeline: timelines[id] ?? [])
        }
    }
}
