import SQLKit
import StewardCore

/// Logged models with their params, tags and model-scoped metrics in SQL, the same statements on SQLite and
/// PostgreSQL.
public struct SQLLoggedModelRepository: LoggedModelRepository {
    let database: any StoreDatabase

    public init(database: any StoreDatabase) {
        self.database = database
    }

    public func createLoggedModel(_ model: NewLoggedModel) async throws -> LoggedModel {
        let experimentID = try ExperimentID.require(model.experimentID)
        return try await database.write { db in
            let experimentLocation = try await SQLExperimentRepository.activeArtifactLocation(of: experimentID, id: model.experimentID, on: db)
            let location = SQLExperimentRepository.artifactLocation(below: experimentLocation, "models", model.modelID, "artifacts")
            try await db.raw(
                """
                INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, creation_timestamp_ms,
                    last_updated_timestamp_ms, status, status_message, model_type, source_run_id, lifecycle_stage)
                VALUES (\(bind: model.modelID), \(bind: experimentID), \(bind: model.name), \(bind: location), \(bind: model.now),
                    \(bind: model.now), \(bind: LoggedModelStatus.pending.rawValue), NULL, \(bind: model.modelType),
                    \(bind: model.sourceRunID), 'active')
                """
            ).run()
            try await Self.upsertTags(model.tags, modelID: model.modelID, on: db)
            if !model.params.isEmpty { try await Self.insertParams(model.params, modelID: model.modelID, on: db) }
            return try await Self.fetch(where: "m.model_id = \(bind: model.modelID)", on: db).first!
        }
    }

    public func loggedModel(id: String) async throws -> LoggedModel {
        try await database.read { db in
            guard let model = try await Self.fetch(where: "m.model_id = \(bind: id) AND m.lifecycle_stage = 'active'", on: db).first else {
                throw TrackingErrors.loggedModelNotFound(id)
            }
            return model
        }
    }

    public func finalizeLoggedModel(id: String, status: LoggedModelStatus, now: Int64) async throws -> LoggedModel {
        try await database.write { db in
            try await Self.requireActive(id, on: db)
            // A finished model's artifacts are immutable (`ArtifactWriteRules`): it never goes back to pending.
            let current = try await db.raw("SELECT status FROM logged_models WHERE model_id = \(bind: id)").first()?.string("status")
            if current == LoggedModelStatus.ready.rawValue, status != .ready {
                throw StewardError.invalidParameter(
                    "Logged model \(id) is finished (\(LoggedModelStatus.ready.rawValue)); its artifacts are immutable and its status stays.")
            }
            try await db.raw(
                """
                UPDATE logged_models SET status = \(bind: status.rawValue), last_updated_timestamp_ms = \(bind: now)
                WHERE model_id = \(bind: id)
                """
            ).run()
            return try await Self.fetch(where: "m.model_id = \(bind: id)", on: db).first!
        }
    }

    public func finishedModel(storedAt locations: [String], orBelow below: String?) async throws -> String? {
        let ready = LoggedModelStatus.ready.rawValue
        return try await database.read { db in
            if !locations.isEmpty,
                let row = try await db.raw(
                    "SELECT model_id FROM logged_models WHERE artifact_location IN (\(binds: locations)) AND status = \(bind: ready) LIMIT 1"
                ).first()
            {
                return try row.string("model_id")
            }
            guard let below else { return nil }
            return try await db.raw(
                """
                SELECT model_id FROM logged_models
                WHERE substr(artifact_location, 1, CAST(\(bind: below.unicodeScalars.count) AS INTEGER)) = \(bind: below) AND status = \(bind: ready) LIMIT 1
                """
            ).first()?.string("model_id")
        }
    }

    public func deleteLoggedModel(id: String, now: Int64) async throws {
        try await database.write { db in
            try await Self.requireActive(id, on: db)
            try await db.raw(
                "UPDATE logged_models SET lifecycle_stage = 'deleted', last_updated_timestamp_ms = \(bind: now) WHERE model_id = \(bind: id)"
            ).run()
        }
    }

    public func setLoggedModelTags(id: String, tags: [Tag], now: Int64) async throws -> LoggedModel {
        try await database.write { db in
            try await Self.requireActive(id, on: db)
            try await Self.upsertTags(tags, modelID: id, on: db)
            try await db.raw("UPDATE logged_models SET last_updated_timestamp_ms = \(bind: now) WHERE model_id = \(bind: id)").run()
            return try await Self.fetch(where: "m.model_id = \(bind: id)", on: db).first!
        }
    }

    public func deleteLoggedModelTag(id: String, key: String, now: Int64) async throws {
        try await database.write { db in
            try await Self.requireActive(id, on: db)
            let deleted = try await db.raw(
                "DELETE FROM logged_model_tags WHERE model_id = \(bind: id) AND key = \(bind: key) RETURNING key"
            ).all()
            if deleted.isEmpty { throw TrackingErrors.loggedModelTagNotFound(modelID: id, key: key) }
            try await db.raw("UPDATE logged_models SET last_updated_timestamp_ms = \(bind: now) WHERE model_id = \(bind: id)").run()
        }
    }

    public func logLoggedModelParams(id: String, params: [Param], now: Int64) async throws {
        guard !params.isEmpty else {
            _ = try await loggedModel(id: id)
            return
        }
        try await database.write { db in
            try await Self.requireActive(id, on: db)
            try await Self.insertParams(params, modelID: id, on: db)
            try await db.raw("UPDATE logged_models SET last_updated_timestamp_ms = \(bind: now) WHERE model_id = \(bind: id)").run()
        }
    }

    public func searchLoggedModels(_ query: LoggedModelQuery) async throws -> Page<LoggedModel> {
        let experimentIDs = try ExperimentID.storedList(query.experimentIDs)
        var conditions: [SQLQueryString] = [
            "m.experiment_id IN (\(binds: experimentIDs))", "m.lifecycle_stage = 'active'",
        ]
        for clause in query.filter {
            switch clause.field {
            case .attribute(let attribute):
                let column = "m." + Self.column(for: attribute)
                conditions.append(
                    attribute.isNumeric
                        ? SQLComparison.number(column: column, clause.comparator, clause.value)
                        : SQLComparison.string(column: column, clause.comparator, clause.value))
            case .metric(let key):
                let value = SQLComparison.number(column: "x.value", clause.comparator, clause.value)
                conditions.append(
                    """
                    EXISTS (SELECT 1 FROM logged_model_metrics x WHERE x.model_id = m.model_id AND x.key = \(bind: key) \
                    AND x.is_nan = 0 AND \(value)\(Self.datasetCondition(query.datasets)))
                    """)
            case .param(let key), .tag(let key):
                let table = if case .param = clause.field { "logged_model_params" } else { "logged_model_tags" }
                let value = SQLComparison.string(column: "x.value", clause.comparator, clause.value)
                conditions.append(
                    "EXISTS (SELECT 1 FROM \(unsafeRaw: table) x WHERE x.model_id = m.model_id AND x.key = \(bind: key) AND \(value))")
            }
        }
        var order: [SQLQueryString] = []
        for entry in query.orderBy {
            let direction = entry.ascending ? "ASC" : "DESC"
            let expression: SQLQueryString
            switch entry.field {
            case .attribute(let attribute): expression = "m.\(unsafeRaw: Self.column(for: attribute))"
            case .metric(let key):
                expression = """
                    (SELECT x.value FROM logged_model_metrics x WHERE x.model_id = m.model_id AND x.key = \(bind: key) AND x.is_nan = 0\
                    \(Self.datasetCondition(entry.dataset.map { [$0] } ?? [])) ORDER BY x.step DESC, x.timestamp_ms DESC LIMIT 1)
                    """
            case .param(let key):
                expression = "(SELECT x.value FROM logged_model_params x WHERE x.model_id = m.model_id AND x.key = \(bind: key))"
            case .tag(let key):
                expression = "(SELECT x.value FROM logged_model_tags x WHERE x.model_id = m.model_id AND x.key = \(bind: key))"
            }
            order.append("CASE WHEN \(expression) IS NULL THEN 1 ELSE 0 END, \(expression) \(unsafeRaw: direction)")
        }
        if query.orderBy.isEmpty { order.append("m.creation_timestamp_ms DESC") }
        order.append("m.model_id ASC")
        let limit = query.maxResults
        let statement: SQLQueryString = """
            \(conditions.joined(separator: " AND ")) ORDER BY \(order.joined(separator: ", ")) \
            LIMIT \(literal: limit + 1) OFFSET \(literal: query.page.offset)
            """
        let models = try await database.read { db in try await Self.fetch(where: statement, on: db) }
        return Page(overfetched: models, limit: limit, offset: query.page.offset)
    }
}

// MARK: - Statements

extension SQLLoggedModelRepository {
    static func column(for attribute: LoggedModelAttribute) -> String {
        switch attribute {
        case .name: "name"
        case .modelID: "model_id"
        case .modelType: "model_type"
        case .status: "status"
        case .sourceRunID: "source_run_id"
        case .creationTimestamp: "creation_timestamp_ms"
        case .lastUpdatedTimestamp: "last_updated_timestamp_ms"
        }
    }

    /// ` AND (metric on one of these datasets)`, or nothing when no dataset is named.
    static func datasetCondition(_ datasets: [DatasetReference]) -> SQLQueryString {
        guard !datasets.isEmpty else { return "" }
        let alternatives = datasets.map { dataset -> SQLQueryString in
            if let digest = dataset.digest {
                return "(x.dataset_name = \(bind: dataset.name) AND x.dataset_digest = \(bind: digest))"
            }
            return "(x.dataset_name = \(bind: dataset.name))"
        }
        return " AND (\(alternatives.joined(separator: " OR ")))"
    }

    static func requireActive(_ id: String, on db: any SQLDatabase) async throws {
        guard
            let row = try await db.raw("SELECT lifecycle_stage FROM logged_models WHERE model_id = \(bind: id)").first(),
            try row.string("lifecycle_stage") == LifecycleStage.active.rawValue
        else { throw TrackingErrors.loggedModelNotFound(id) }
    }

    static func upsertTags(_ tags: [Tag], modelID: String, on db: any SQLDatabase) async throws {
        let tags = SQLRunRepository.lastValuePerKey(tags)
        guard !tags.isEmpty else { return }
        let rows = tags.map { tag -> SQLQueryString in "(\(bind: modelID), \(bind: tag.key), \(bind: tag.value))" }
        try await db.raw(
            """
            INSERT INTO logged_model_tags (model_id, key, value) VALUES \(rows.joined(separator: ", "))
            ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value
            """
        ).run()
    }

    static func insertParams(_ params: [Param], modelID: String, on db: any SQLDatabase) async throws {
        let params = SQLRunRepository.lastValuePerKey(params)
        let rows = params.map { param -> SQLQueryString in "(\(bind: modelID), \(bind: param.key), \(bind: param.value))" }
        try await db.raw(
            """
            INSERT INTO logged_model_params (model_id, key, value) VALUES \(rows.joined(separator: ", "))
            ON CONFLICT (model_id, key) DO NOTHING
            """
        ).run()
        let stored = try await db.raw(
            "SELECT key, value FROM logged_model_params WHERE model_id = \(bind: modelID) AND key IN (\(binds: params.map(\.key)))"
        ).all()
        var values: [String: String] = [:]
        for row in stored { values[try row.string("key")] = try row.string("value") }
        for param in params {
            if let old = values[param.key], old != param.value {
                throw TrackingErrors.loggedModelParamChanged(modelID: modelID, key: param.key, old: old, new: param.value)
            }
        }
    }

    /// Records the metrics that name a logged model against that model, inside the caller's transaction; the
    /// caller has checked that the models exist.
    static func insertMetrics(_ metrics: [Metric], runID: String, on db: any SQLDatabase) async throws {
        // One row per conflict key, the last one winning: PostgreSQL refuses an upsert that touches a row twice.
        var latest: [String: Metric] = [:]
        var order: [String] = []
        for metric in metrics where metric.modelID?.isEmpty == false {
            let slot = [
                metric.modelID!, metric.key, String(metric.step), String(metric.timestamp), metric.datasetName ?? "", metric.datasetDigest ?? "",
            ]
            .joined(separator: "\u{0}")
            if latest.updateValue(metric, forKey: slot) == nil { order.append(slot) }
        }
        let scoped = order.map { latest[$0]! }
        guard !scoped.isEmpty else { return }
        let rows = scoped.map { metric -> SQLQueryString in
            """
            (\(bind: metric.modelID!), \(bind: metric.key), \(bind: StoredMetricValue.value(metric.value)), \
            \(literal: StoredMetricValue.isNaN(metric.value)), \(bind: metric.timestamp), \(bind: metric.step), \(bind: runID), \
            \(bind: metric.datasetName ?? ""), \(bind: metric.datasetDigest ?? ""))
            """
        }
        try await db.raw(
            """
            INSERT INTO logged_model_metrics (model_id, key, value, is_nan, timestamp_ms, step, run_uuid, dataset_name, dataset_digest)
            VALUES \(rows.joined(separator: ", "))
            ON CONFLICT (model_id, key, step, timestamp_ms, run_uuid, dataset_name, dataset_digest) DO UPDATE SET
                value = excluded.value, is_nan = excluded.is_nan
            """
        ).run()
    }

    /// Models whose rows `condition` (over alias `m`, possibly with ORDER BY and LIMIT) selects, with their
    /// tags, params and metrics.
    static func fetch(where condition: SQLQueryString, on db: any SQLDatabase) async throws -> [LoggedModel] {
        var models = try await db.raw(
            """
            SELECT m.model_id, m.experiment_id, m.name, m.artifact_location, m.creation_timestamp_ms, m.last_updated_timestamp_ms,
                   m.status, m.status_message, m.model_type, m.source_run_id
            FROM logged_models m WHERE \(condition)
            """
        ).all().map { row in
            LoggedModel(
                modelID: try row.string("model_id"), experimentID: String(try row.int64("experiment_id")), name: try row.string("name"),
                artifactURI: try row.string("artifact_location"),
                status: LoggedModelStatus(rawValue: try row.string("status")) ?? .unspecified,
                statusMessage: try row.optionalString("status_message"), modelType: try row.string("model_type"),
                sourceRunID: try row.optionalString("source_run_id"), creationTime: try row.int64("creation_timestamp_ms"),
                lastUpdatedTime: try row.int64("last_updated_timestamp_ms"))
        }
        guard !models.isEmpty else { return [] }
        let ids = models.map(\.modelID)
        var index: [String: Int] = [:]
        for (position, model) in models.enumerated() { index[model.modelID] = position }
        for row in try await db.raw("SELECT model_id, key, value FROM logged_model_tags WHERE model_id IN (\(binds: ids)) ORDER BY key").all() {
            models[index[try row.string("model_id")]!].tags.append(Tag(try row.string("key"), try row.string("value")))
        }
        for row in try await db.raw("SELECT model_id, key, value FROM logged_model_params WHERE model_id IN (\(binds: ids)) ORDER BY key").all() {
            models[index[try row.string("model_id")]!].params.append(Param(try row.string("key"), try row.string("value")))
        }
        for row in try await db.raw(
            """
            SELECT model_id, key, value, is_nan, timestamp_ms, step, run_uuid, dataset_name, dataset_digest
            FROM logged_model_metrics WHERE model_id IN (\(binds: ids)) ORDER BY key, step, timestamp_ms
            """
        ).all() {
            let datasetName = try row.string("dataset_name")
            let datasetDigest = try row.string("dataset_digest")
            let modelID = try row.string("model_id")
            models[index[modelID]!].metrics.append(
                Metric(
                    key: try row.string("key"), value: try row.metricValue(), timestamp: try row.int64("timestamp_ms"),
                    step: try row.int64("step"), runID: try row.string("run_uuid"), modelID: modelID,
                    datasetName: datasetName.isEmpty ? nil : datasetName, datasetDigest: datasetDigest.isEmpty ? nil : datasetDigest))
        }
        return models
    }
}
