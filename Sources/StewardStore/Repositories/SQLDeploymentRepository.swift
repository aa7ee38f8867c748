import Foundation
import SQLKit
import StewardCore

/// Deployments in SQL, and what their arms served read from the inference events; each change appends its audit
/// event in its transaction.
public struct SQLDeploymentRepository: DeploymentRepository {
    let database: any StoreDatabase

    public init(database: any StoreDatabase) {
        self.database = database
    }

    static let columns = """
        id, system_id, mode, arms, salt, unit_field, analysis, state, step_started_at, p_value, reason, created_by, created_at, updated_at,
        revision, won_arm
        """

    public func createDeployment(_ deployment: Deployment, audit: AuditEntry) async throws {
        let engine = database.engine
        let arms = try Self.text(deployment.arms)
        let analysis = try Self.text(deployment.analysis)
        try await database.write { db in
            try await SQLSystemRepository.requireSystem(deployment.systemID, on: db)
            try await db.raw(
                """
                UPDATE deployments SET state = 'ended', updated_at = \(bind: deployment.createdAt), revision = revision + 1
                WHERE system_id = \(bind: deployment.systemID) AND state <> 'ended'
                """
            ).run()
            try await db.raw(
                """
                INSERT INTO deployments (\(unsafeRaw: Self.columns))
                VALUES (\(bind: deployment.id), \(bind: deployment.systemID), \(bind: deployment.mode.rawValue), \(bind: arms), \(bind: deployment.salt),
                        \(bind: deployment.unitField), \(bind: analysis), \(bind: deployment.state.rawValue), \(bind: deployment.stepStartedAt),
                        \(bind: deployment.pValue), \(bind: deployment.reason), \(bind: deployment.createdBy), \(bind: deployment.createdAt),
                        \(bind: deployment.updatedAt), \(bind: deployment.revision), \(bind: deployment.wonArm))
                """
            ).run()
            try await SQLAuditLog.append(audit, now: deployment.createdAt, engine: engine, on: db)
        }
    }

    public func updateDeployment(
        _ deployment: Deployment, audit: AuditEntry?, notifications: [WebhookMessage], opening incident: (Incident, AuditEntry)?
    ) async throws {
        let engine = database.engine
        let arms = try Self.text(deployment.arms)
        try await database.write { db in
            let rows = try await db.raw(
                """
                UPDATE deployments SET mode = \(bind: deployment.mode.rawValue), arms = \(bind: arms), state = \(bind: deployment.state.rawValue),
                    step_started_at = \(bind: deployment.stepStartedAt), p_value = \(bind: deployment.pValue), reason = \(bind: deployment.reason),
                    updated_at = \(bind: deployment.updatedAt), revision = \(bind: deployment.revision), won_arm = \(bind: deployment.wonArm)
                WHERE id = \(bind: deployment.id) AND revision = \(bind: deployment.revision - 1)
                RETURNING id
                """
            ).all()
            guard !rows.isEmpty else {
                throw StewardError(.resourceConflict, "Deployment \(deployment.id) changed while this change was prepared; read it again and retry.")
            }
            // The incident was drafted (and its time read) before the change: its entry goes first, so the chain's times rise.
            if let pValue = deployment.pValue, pValue.isFinite {
                try await db.raw(
                    """
                    INSERT INTO deployment_p_values (deployment_id, revision, recorded_at, p_value, challenger_weight)
                    VALUES (\(bind: deployment.id), \(bind: deployment.revision), \(bind: deployment.updatedAt), \(bind: pValue),
                        \(bind: deployment.arms.count > 1 ? deployment.arms[1].weight : 0))
                    """
                ).run()
            }
            if let (incident, opening) = incident { try await SQLIncidentRepository.insert(incident, audit: opening, engine: engine, on: db) }
            if let audit { try await SQLAuditLog.append(audit, now: deployment.updatedAt, engine: engine, on: db) }
            for message in notifications {
                try await SQLWebhookOutbox.enqueue(message, claimedUntil: 0, on: db)
            }
        }
    }

    public func pValues(deployment id: String) async throws -> [(time: Int64, pValue: Double, challengerWeight: Double)] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT recorded_at, p_value, challenger_weight FROM deployment_p_values WHERE deployment_id = \(bind: id)
                ORDER BY revision
                """
            ).all().map { row in
                (
                    try row.decode(column: "recorded_at", as: Int64.self), try row.decode(column: "p_value", as: Double.self),
                    try row.decode(column: "challenger_weight", as: Double.self)
                )
            }
        }
    }

    public func deployment(id: String) async throws -> Deployment {
        try await database.read { db in
            guard let row = try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM deployments WHERE id = \(bind: id)").first() else {
                throw GovernanceErrors.deploymentNotFound(id)
            }
            return try Self.deployment(row)
        }
    }

    public func deployments(systemID: String) async throws -> [Deployment] {
        try await database.read { db in try await Self.fetch(where: "system_id = \(bind: systemID)", on: db) }
    }

    /// Deployments matching `condition`, newest first.
    static func fetch(where condition: SQLQueryString, on db: any SQLDatabase) async throws -> [Deployment] {
        try await db.raw("SELECT \(unsafeRaw: columns) FROM deployments WHERE \(condition) ORDER BY created_at DESC, id DESC").all().map(deployment)
    }

    public func liveRevision(system: String) async throws -> (id: String, revision: Int64)? {
        try await database.read { db in
            let rows = try await db.raw(
                """
                SELECT d.id, d.revision FROM deployments d JOIN ai_systems s ON s.id = d.system_id
                WHERE (s.id = \(bind: system) OR s.name = \(bind: system)) AND d.state <> 'ended'
                ORDER BY d.created_at DESC LIMIT 1
                """
            ).all()
            if let row = rows.first { return (try row.string("id"), try row.int64("revision")) }
            guard try await db.raw("SELECT id FROM ai_systems WHERE id = \(bind: system) OR name = \(bind: system)").first() != nil else {
                throw GovernanceErrors.systemNotFound(system)
            }
            return nil
        }
    }

    public func changeStamp() -> Int64? { database.changeStamp(.serving) }

    public func deciding() async throws -> [Deployment] {
        try await database.read { db in
            try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM deployments WHERE state = 'active' AND mode IN ('canary', 'ab')").all()
                .map(Self.deployment)
        }
    }

    /// Counts in SQL, one row per arm; latencies of each arm's latest `ArmObservations.latencyWindow` requests
    /// (by the deployment index, newest first); labeled rows only. The analysis asks every few seconds for each
    /// deployment, so nothing here reads every event of a long-running deployment into the process.
    public func observations(deployment: Deployment) async throws -> [ArmObservations] {
        try await Self.observations(of: deployment.id, systemID: deployment.systemID, stepStartedAt: deployment.stepStartedAt, in: database)
    }

    /// What each arm of the events tagged with `source` as their deployment (a deployment, or a prompt experiment
    /// of the gateway) served: counts, units (in all and since `stepStartedAt`), its latest latencies, cost, and
    /// its joined labels, feedback and judge scores.
    static func observations(of source: String, systemID: String, stepStartedAt: Int64, in database: any StoreDatabase) async throws
        -> [ArmObservations]
    {
        try await database.read { db in
            let unit = "COALESCE(unit_key, 'request:' || request_id)"
            var byArm: [String: ArmObservations] = [:]
            for row in try await db.raw(
                """
                SELECT arm, COUNT(*) AS requests, SUM(failed) AS failures, COUNT(DISTINCT \(unsafeRaw: unit)) AS units,
                    COUNT(DISTINCT CASE WHEN time_ms >= \(bind: stepStartedAt) THEN \(unsafeRaw: unit) END) AS step_units,
                    SUM(cost_usd) AS cost
                FROM inference_events
                WHERE deployment_id = \(bind: source) AND system_id = \(bind: systemID) AND arm IS NOT NULL
                GROUP BY arm
                """
            ).all() {
                let arm = try row.string("arm")
                byArm[arm] = ArmObservations(
                    arm: arm, requests: Int(try row.int64("requests")), failures: Int(try row.optionalInt64("failures") ?? 0),
                    units: Int(try row.int64("units")), stepUnits: Int(try row.int64("step_units")), costUSD: try row.optionalDouble("cost") ?? 0)
            }
            for arm in byArm.keys {
                byArm[arm]?.latencies = try await db.raw(
                    """
                    SELECT latency_ms FROM inference_events
                    WHERE deployment_id = \(bind: source) AND arm = \(bind: arm) AND system_id = \(bind: systemID)
                    ORDER BY time_ms DESC LIMIT \(unsafeRaw: String(ArmObservations.latencyWindow))
                    """
                ).all().compactMap { try $0.optionalDouble("latency_ms") }
            }
            for row in try await db.raw(
                """
                SELECT arm, prediction, label, feedback, judge_score FROM inference_events
                WHERE deployment_id = \(bind: source) AND system_id = \(bind: systemID) AND arm IS NOT NULL
                    AND labeled_at IS NOT NULL
                """
            ).all() {
                let arm = try row.string("arm")
                if let label = try row.optionalString("label") {
                    let prediction = try row.optionalString("prediction").map(SQLEventRepository.value)
                    byArm[arm]?.labeled.append((prediction, try SQLEventRepository.value(label).cell))
                }
                if let feedback = try row.optionalDouble("feedback") { byArm[arm]?.feedback.append(feedback) }
                if let score = try row.optionalDouble("judge_score") { byArm[arm]?.judgeScores.append(score) }
            }
            return byArm.values.sorted { $0.arm < $1.arm }
        }
    }

    static func text(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func deployment(_ row: any SQLRow) throws -> Deployment {
        let decoder = JSONDecoder()
        return Deployment(
            id: try row.string("id"), systemID: try row.string("system_id"), mode: try Deployment.Mode(parsing: try row.string("mode")),
            arms: try decoder.decode([Deployment.Arm].self, from: Data(try row.string("arms").utf8)), salt: try row.string("salt"),
            unitField: try row.optionalString("unit_field"),
            analysis: try decoder.decode(RolloutAnalysis.self, from: Data(try row.string("analysis").utf8)),
            state: Deployment.State(rawValue: try row.string("state")) ?? .ended, stepStartedAt: try row.int64("step_started_at"),
            pValue: try row.optionalDouble("p_value"), reason: try row.string("reason"), createdBy: try row.string("created_by"),
            createdAt: try row.int64("created_at"), updatedAt: try row.int64("updated_at"), revision: try row.int64("revision"),
            wonArm: try row.optionalString("won_arm"))
    }
}
