import Foundation
import SQLKit
import StewardCore

/// Approval requests with their decisions, and evidence records, in SQL; each change appends its audit event.
public struct SQLApprovalRepository: ApprovalRepository {
    let database: any StoreDatabase

    public init(database: any StoreDatabase) {
        self.database = database
    }

    public func addEvidence(_ evidence: Evidence, audit: AuditEntry) async throws {
        let engine = database.engine
        try await database.write { db in
            try await SQLSystemRepository.requireSystem(evidence.systemID, on: db)
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
        try await database.read { db in try await Self.fetchEvidence(where: "system_id = \(bind: systemID)", on: db) }
    }

    /// Evidence records matching `condition`, oldest first.
    static func fetchEvidence(where condition: SQLQueryString, on db: any SQLDatabase) async throws -> [Evidence] {
        try await db.raw(
            """
            SELECT id, system_id, type, reference, digest, model_name, version, author, created_at FROM evidence
            WHERE \(condition) ORDER BY created_at, id
            """
        ).all().map { row in
            Evidence(
                id: try row.string("id"), systemID: try row.string("system_id"), type: try row.string("type"),
                reference: try row.string("reference"), digest: try row.string("digest"), model: try row.optionalString("model_name"),
                version: try row.optionalInt64("version"), author: try row.string("author"), createdAt: try row.int64("created_at"))
        }
    }

    public func createApprovalRequest(_ request: ApprovalRequest, audit: AuditEntry) async throws {
        let engine = database.engine
        try await database.write { db in
            try await SQLSystemRepository.requireSystem(request.systemID, on: db)
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

    public func approvalRequests(systemID: String?, model: String?, version: Int64?) async throws -> [ApprovalRequest] {
        try await database.read { db in
            var conditions: [SQLQueryString] = ["1 = 1"]
            if let systemID { conditions.append("system_id = \(bind: systemID)") }
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
}
