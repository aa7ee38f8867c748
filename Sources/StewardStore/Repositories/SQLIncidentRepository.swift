import Foundation
import SQLKit
import StewardCore

/// Incidents and their timelines in SQL; each change appends its audit event.
public struct SQLIncidentRepository: IncidentRepository {
    let database: any StoreDatabase

    public init(database: any StoreDatabase) {
        self.database = database
    }

    public func createIncident(_ incident: Incident, audit: AuditEntry) async throws {
        let engine = database.engine
        try await database.write { db in try await Self.insert(incident, audit: audit, engine: engine, on: db) }
    }

    /// Writes a new incident, its timeline and its audit entry in the caller's transaction.
    static func insert(_ incident: Incident, audit: AuditEntry, engine: SQLEngine, on db: any SQLDatabase) async throws {
        try await SQLSystemRepository.requireSystem(incident.systemID, on: db)
        try await db.raw(
            """
            INSERT INTO incidents (id, system_id, model_name, version, severity, title, description, status, opened_by, opened_at,
                                   resolved_at, resolution)
            VALUES (\(bind: incident.id), \(bind: incident.systemID), \(bind: incident.model), \(bind: incident.version),
                    \(bind: incident.severity.rawValue), \(bind: incident.title), \(bind: incident.description), \(bind: incident.status.rawValue),
                    \(bind: incident.openedBy), \(bind: incident.openedAt), \(bind: incident.resolvedAt), \(bind: incident.resolution))
            """
        ).run()
        try await insertEntries(incident.timeline, incidentID: incident.id, after: 0, on: db)
        try await SQLAuditLog.append(audit, now: incident.openedAt, engine: engine, on: db)
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
        // A few thousand ids a statement, well under both engines' limits on bound parameters however many match.
        for chunk in ids.chunked(2_000) {
            for row in try await db.raw(
                """
                SELECT incident_id, entry_time, actor, kind, text FROM incident_entries
                WHERE incident_id IN \(SQLBind.group(Array(chunk))) ORDER BY incident_id, position
                """
            ).all() {
                timelines[try row.string("incident_id"), default: []].append(
                    Incident.Entry(
                        time: try row.int64("entry_time"), actor: try row.string("actor"), kind: try row.string("kind"),
                        text: try row.string("text")))
            }
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
