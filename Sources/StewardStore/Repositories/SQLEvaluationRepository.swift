import Foundation
import SQLKit
import StewardCore

/// Gate specs and evaluations in SQL.
public struct SQLEvaluationRepository: EvaluationRepository {
    let database: any StoreDatabase

    public init(database: any StoreDatabase) {
        self.database = database
    }

    public func storeGate(systemID: String, document: String, author: String, now: Int64, audit: AuditEntry) async throws -> Int64 {
        let engine = database.engine
        return try await database.write { db in
            try await SQLSystemRepository.requireSystem(systemID, on: db)
            try await SQLSystemRepository.lockSystem(systemID, engine: engine, on: db)
            let last =
                try await db.raw("SELECT MAX(version) AS version FROM gate_specs WHERE system_id = \(bind: systemID)").first()?.optionalInt64(
                    "version")
                ?? 0
            try await db.raw(
                """
                INSERT INTO gate_specs (system_id, version, document, author, created_at)
                VALUES (\(bind: systemID), \(bind: last + 1), \(bind: document), \(bind: author), \(bind: now))
                """
            ).run()
            var audit = audit
            audit.details["version"] = "\(last + 1)"
            try await SQLAuditLog.append(audit, now: now, engine: engine, on: db)
            return last + 1
        }
    }

    public func currentGate(systemID: String) async throws -> StoredGate? {
        try await database.read { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT system_id, version, document, author, created_at FROM gate_specs
                    WHERE system_id = \(bind: systemID) ORDER BY version DESC LIMIT 1
                    """
                ).first()
            else { return nil }
            return StoredGate(
                systemID: try row.string("system_id"), version: try row.int64("version"), spec: try GateSpec(yaml: try row.string("document")),
                author: try row.string("author"), createdAt: try row.int64("created_at"))
        }
    }

    public func registerDataset(_ dataset: EvaluationDataset, audit: AuditEntry) async throws -> EvaluationDataset {
        let engine = database.engine
        let columns = try SQLJSON.encode(dataset.columns)
        return try await database.write { db in
            try await SQLSystemRepository.requireSystem(dataset.systemID, on: db)
            try await SQLSystemRepository.lockSystem(dataset.systemID, engine: engine, on: db)
            if let latest = try await Self.fetchDatasets(
                where: "system_id = \(bind: dataset.systemID) AND name = \(bind: dataset.name)", on: db
            ).first, latest.digest == dataset.digest {
                return latest
            }
            let last =
                try await db.raw(
                    "SELECT MAX(version) AS version FROM evaluation_datasets WHERE system_id = \(bind: dataset.systemID) AND name = \(bind: dataset.name)"
                ).first()?.optionalInt64("version") ?? 0
            try await db.raw(
                """
                INSERT INTO evaluation_datasets (system_id, name, version, digest, format, row_count, columns, location, created_by, created_at)
                VALUES (\(bind: dataset.systemID), \(bind: dataset.name), \(bind: last + 1), \(bind: dataset.digest), \(bind: dataset.format),
                        \(bind: Int64(dataset.rows)), \(bind: columns), \(bind: dataset.location), \(bind: dataset.createdBy), \(bind: dataset.createdAt))
                """
            ).run()
            var audit = audit
            audit.details["version"] = "\(last + 1)"
            try await SQLAuditLog.append(audit, now: dataset.createdAt, engine: engine, on: db)
            return EvaluationDataset(
                systemID: dataset.systemID, name: dataset.name, version: last + 1, digest: dataset.digest, format: dataset.format,
                rows: dataset.rows, columns: dataset.columns, location: dataset.location, createdBy: dataset.createdBy, createdAt: dataset.createdAt)
        }
    }

    public func dataset(systemID: String, name: String, version: Int64?) async throws -> EvaluationDataset {
        try await database.read { db in
            var condition: SQLQueryString = "system_id = \(bind: systemID) AND name = \(bind: name)"
            if let version { condition = "\(condition) AND version = \(bind: version)" }
            guard let dataset = try await Self.fetchDatasets(where: condition, on: db).first else {
                throw StewardError.notFound("AI system '\(systemID)' has no dataset '\(name)'\(version.map { " version \($0)" } ?? "").")
            }
            return dataset
        }
    }

    public func datasets(systemID: String) async throws -> [EvaluationDataset] {
        try await database.read { db in try await Self.fetchDatasets(where: "system_id = \(bind: systemID)", on: db) }
    }

    static func fetchDatasets(where condition: SQLQueryString, on db: any SQLDatabase) async throws -> [EvaluationDataset] {
        try await db.raw(
            """
            SELECT system_id, name, version, digest, format, row_count, columns, location, created_by, created_at FROM evaluation_datasets
            WHERE \(condition) ORDER BY name, version DESC
            """
        ).all().map { row in
            EvaluationDataset(
                systemID: try row.string("system_id"), name: try row.string("name"), version: try row.int64("version"),
                digest: try row.string("digest"), format: try row.string("format"), rows: Int(try row.int64("row_count")),
                columns: try SQLJSON.decode([EvaluationDataset.Column].self, try row.string("columns")),
                location: try row.string("location"), createdBy: try row.string("created_by"), createdAt: try row.int64("created_at"))
        }
    }

    public func recordEvaluation(_ evaluation: Evaluation, audit: AuditEntry) async throws {
        let engine = database.engine
        let report = try SQLJSON.encode(evaluation.report)
        let gate = try evaluation.gate.map { try SQLJSON.encode($0) }
        try await database.write { db in
            try await SQLSystemRepository.requireSystem(evaluation.systemID, on: db)
            try await db.raw(
                """
                INSERT INTO evaluations (id, system_id, model_name, version, task, dataset_name, dataset_digest, row_count, run_id, report,
                                         gate_version, gate_result, created_by, created_at)
                VALUES (\(bind: evaluation.id), \(bind: evaluation.systemID), \(bind: evaluation.model), \(bind: evaluation.version),
                        \(bind: evaluation.task.rawValue), \(bind: evaluation.datasetName), \(bind: evaluation.datasetDigest),
                        \(bind: Int64(evaluation.rows)), \(bind: evaluation.runID), \(bind: report), \(bind: evaluation.gateVersion), \(bind: gate),
                        \(bind: evaluation.createdBy), \(bind: evaluation.createdAt))
                """
            ).run()
            try await SQLAuditLog.append(audit, now: evaluation.createdAt, engine: engine, on: db)
        }
    }

    public func evaluation(id: String) async throws -> Evaluation {
        try await database.read { db in
            guard let evaluation = try await Self.fetch(where: "id = \(bind: id)", on: db).first else {
                throw StewardError.notFound("Evaluation '\(id)' does not exist.")
            }
            return evaluation
        }
    }

    public func evaluations(systemID: String?, model: String?, version: Int64?) async throws -> [Evaluation] {
        try await database.read { db in
            var conditions: [SQLQueryString] = ["1 = 1"]
            if let systemID { conditions.append("system_id = \(bind: systemID)") }
            if let model { conditions.append("model_name = \(bind: model)") }
            if let version { conditions.append("version = \(bind: version)") }
            return try await Self.fetch(where: conditions.joined(separator: " AND "), on: db)
        }
    }

    /// Each system's latest evaluation, of any of its models, by system id, for those of `systemIDs` that have one.
    static func latest(systemIDs: [String], on db: any SQLDatabase) async throws -> [String: Evaluation] {
        let latest = try await fetch(
            where: """
                id IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY system_id ORDER BY created_at DESC, id DESC) AS position
                                       FROM evaluations WHERE system_id IN \(SQLBind.group(systemIDs))) AS ranked
                       WHERE position = 1)
                """, on: db)
        return Dictionary(latest.map { ($0.systemID, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Those of `systemIDs` with an evaluation that a gate judged.
    static func gated(systemIDs: [String], on db: any SQLDatabase) async throws -> Set<String> {
        Set(
            try await db.raw(
                "SELECT DISTINCT system_id FROM evaluations WHERE system_id IN \(SQLBind.group(systemIDs)) AND gate_result IS NOT NULL"
            ).all().map { try $0.string("system_id") })
    }

    static func fetch(where condition: SQLQueryString, on db: any SQLDatabase) async throws -> [Evaluation] {
        try await db.raw(
            """
            SELECT id, system_id, model_name, version, task, dataset_name, dataset_digest, row_count, run_id, report, gate_version, gate_result,
                   created_by, created_at
            FROM evaluations WHERE \(condition) ORDER BY created_at DESC, id DESC
            """
        ).all().map { row in
            Evaluation(
                id: try row.string("id"), systemID: try row.string("system_id"), model: try row.string("model_name"),
                version: try row.int64("version"), task: EvaluationTask(rawValue: try row.string("task")) ?? .binary,
                datasetName: try row.string("dataset_name"), datasetDigest: try row.string("dataset_digest"), rows: Int(try row.int64("row_count")),
                runID: try row.string("run_id"), report: try SQLJSON.decode(MetricReport.self, try row.string("report")),
                gateVersion: try row.optionalInt64("gate_version"),
                gate: try row.optionalString("gate_result").map { try SQLJSON.decode(GateResult.self, $0) },
                createdBy: try row.string("created_by"), createdAt: try row.int64("created_at"))
        }
    }
}
