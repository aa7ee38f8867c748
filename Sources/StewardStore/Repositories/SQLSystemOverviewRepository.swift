import SQLKit
import StewardCore

/// Systems' overviews in SQL: one read transaction, one statement per aggregate for all the systems asked, each
/// aggregate's statement kept with its own repository.
public struct SQLSystemOverviewRepository: SystemOverviewRepository {
    let database: any StoreDatabase

    public init(database: any StoreDatabase) {
        self.database = database
    }

    public func overviews(systemIDs: [String]) async throws -> [String: SystemOverview] {
        guard !systemIDs.isEmpty else { return [:] }
        return try await database.read { db in
            let existing = try await db.raw("SELECT id FROM ai_systems WHERE id IN \(SQLBind.group(systemIDs))").all().map { try $0.string("id") }
            guard !existing.isEmpty else { return [:] }
            let rules = try await SQLAlertRepository.rules(systemIDs: existing, on: db)
            let references = try await SQLReferenceRepository.currentVersions(systemIDs: existing, on: db)
            let evaluations = try await SQLEvaluationRepository.latest(systemIDs: existing, on: db)
            let gated = try await SQLEvaluationRepository.gated(systemIDs: existing, on: db)
            let deployments = Dictionary(
                grouping: try await SQLDeploymentRepository.fetch(where: "system_id IN \(SQLBind.group(existing))", on: db), by: \.systemID)
            let incidents = Dictionary(
                grouping: try await SQLIncidentRepository.fetchIncidents(where: "system_id IN \(SQLBind.group(existing))", on: db), by: \.systemID)
            let evidence = Dictionary(
                grouping: try await SQLApprovalRepository.fetchEvidence(where: "system_id IN \(SQLBind.group(existing))", on: db), by: \.systemID)
            let unlisted = try await SQLGatewayRepository.unlistedModelCalls(systemIDs: existing, on: db)
            var overviews: [String: SystemOverview] = [:]
            for id in existing {
                overviews[id] = SystemOverview(
                    alertRules: rules[id], reference: references[id], lastEvaluation: evaluations[id], gateEvaluated: gated.contains(id),
                    deployments: deployments[id] ?? [], incidents: incidents[id] ?? [], evidence: evidence[id] ?? [],
                    unlistedModelCalls: unlisted[id] ?? 0)
            }
            return overviews
        }
    }
}
