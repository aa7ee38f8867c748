import Foundation
import SQLKit
import StewardCore

/// Runs and everything logged to them in SQL, the same statements on SQLite and PostgreSQL.
public struct SQLRunRepository: RunRepository {
    let database: any StoreDatabase
    /// Concurrent log-batch calls share transactions and statements.
    let logBatches: CallCoalescer<RunLogBatch, Void>

    public init(database: any StoreDatabase) {
        self.database = database
        self.logBatches = CallCoalescer { batches in
            // The batch confirms every caller's pending credentials itself, not only its leader's.
            try await PendingCredentials.$current.withValue(nil) {
                try await CredentialsCheck.writing(batches, credentials: \.credentials) { batches, stamp in
                    try await Self.write(batches, confirming: stamp, on: database).map { $0.mapError { $0 as any Error } }
                }
            }
        }
    }

    /// Writes coalesced log-batch calls in one transaction (one statement when `RunLogBatch.fitOneStatement` and
    /// PostgreSQL), finding the credentials stamp `stamp` or throwing `CredentialsMoved`.
    private static func write(
        _ batches: [RunLogBatch], confirming stamp: Int64?, on database: any StoreDatabase
    ) async throws -> [Result<Void, StewardError>] {
        if database.engine == .postgres, RunLogBatch.fitOneStatement(batches) {
            return try await database.writeOneStatement { db in
                try await RunLogBatch.applyInOneStatement(batches, confirming: stamp, on: db)
            }
        }
        // Each write that loses a race refuses at least one more call on the next, so this ends; the bound only
        // guards against a store that keeps changing under it.
        var lost = 0
        while true {
            do {
                return try await database.write { db in
                    if let stamp { try await CredentialsCheck.require(stamp, on: db) }
                    return try await RunLogBatch.apply(batches, on: db)
                }
            } catch let race as ParamRace {
                lost += 1
                if lost > batches.count { throw race.refusal }
            }
        }
    }

    public func createRun(_ run: NewRun) async throws -> Run {
        let experimentID = try ExperimentID.require(run.experimentID)
        return try await database.write { db in
            let experimentLocation = try await SQLExperimentRepository.activeArtifactLocation(of: experimentID, id: run.experimentID, on: db)
            let info = RunInfo(
                runID: run.runID, runName: run.runName, experimentID: run.experimentID, userID: run.userID, status: .running,
                startTime: run.startTime, endTime: nil,
                artifactURI: SQLExperimentRepository.artifactLocation(below: experimentLocation, run.runID, "artifacts"),
                lifecycleStage: .active)
            try await db.raw(
                """
                INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, end_time, deleted_time,
                                  lifecycle_stage, artifact_uri)
                VALUES (\(bind: info.runID), \(bind: experimentID), \(bind: info.runName), \(bind: info.userID),
                        \(bind: info.status.rawValue), \(bind: info.startTime), NULL, NULL, 'active', \(bind: info.artifactURI))
                """
            ).run()
            let tags = Self.lastValuePerKey(run.tags)
            try await Self.upsertTags(tags, runID: run.runID, experimentID: experimentID, on: db)
            return Run(info: info, data: RunData(tags: tags.sorted { $0.key < $1.key }))
        }
    }

    public func run(id: String) async throws -> Run {
        try await database.read { db in
            guard let run = try await Self.fetchRuns(where: "run_uuid = \(bind: id)", on: db).first else {
                throw TrackingErrors.runNotFound(id)
            }
            return run
        }
    }

    public func runInfo(id: String) async throws -> RunInfo {
        try await database.read { db in
            guard let info = try await Self.fetchInfos(where: "run_uuid = \(bind: id)", on: db).first else { throw TrackingErrors.runNotFound(id) }
            return info
        }
    }

    public func updateRun(id: String, _ update: RunUpdate) async throws -> RunInfo {
        try await database.write { db in
            let experimentID = try await Self.requireActiveRun(id, on: db)
            try await db.raw(
                """
                UPDATE runs SET status = COALESCE(\(bind: update.status?.rawValue), status),
                                end_time = COALESCE(\(bind: update.endTime), end_time),
                                name = COALESCE(\(bind: update.runName), name)
                WHERE run_uuid = \(bind: id)
                """
            ).run()
            if let name = update.runName {
                try await Self.upsertTags([Tag(RunService.runNameTag, name)], runID: id, experimentID: experimentID, on: db)
            }
            guard let info = try await Self.fetchInfos(where: "run_uuid = \(bind: id)", on: db).first else {
                throw TrackingErrors.runNotFound(id)
            }
            return info
        }
    }

    public func setRunLifecycle(id: String, to stage: LifecycleStage, now: Int64) async throws {
        try await database.write { db in
            guard try await db.raw("SELECT run_uuid FROM runs WHERE run_uuid = \(bind: id)").first() != nil else {
                throw TrackingErrors.runNotFound(id)
            }
            let deletedTime: Int64? = stage == .deleted ? now : nil
            try await db.raw(
                "UPDATE runs SET lifecycle_stage = \(bind: stage.rawValue), deleted_time = \(bind: deletedTime) WHERE run_uuid = \(bind: id)"
            ).run()
        }
    }

    public func logBatch(runID: String, metrics: [Metric], params: [Param], tags: [Tag]) async throws {
        try await logBatches.submit(
            RunLogBatch(runID: runID, metrics: metrics, params: params, tags: tags, credentials: PendingCredentials.unconfirmed))
    }

    public func deleteRunTag(runID: String, key: String) async throws {
        try await database.write { db in
            try await Self.requireActiveRun(runID, on: db)
            let deleted = try await db.raw("DELETE FROM tags WHERE run_uuid = \(bind: runID) AND key = \(bind: key) RETURNING key").all()
            if deleted.isEmpty { throw TrackingErrors.runTagNotFound(runID: runID, key: key) }
        }
    }

    public func logInputs(runID: String, datasets: [DatasetInput], modelIDs: [String]) async throws {
        try await database.write { db in
            let experimentID = try await Self.requireActiveRun(runID, on: db)
            for input in datasets {
                let dataset = input.dataset
                try await db.raw(
                    """
                    INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, source_type, source, schema_json, profile_json)
                    VALUES (\(bind: RunService.randomRunID()), \(bind: experimentID), \(bind: dataset.name), \(bind: dataset.digest),
                            \(bind: dataset.sourceType), \(bind: dataset.source), \(bind: dataset.schema), \(bind: dataset.profile))
                    ON CONFLICT (experiment_id, name, digest) DO NOTHING
                    """
                ).run()
                guard
                    let row = try await db.raw(
                        """
                        SELECT dataset_uuid FROM datasets
                        WHERE experiment_id = \(bind: experimentID) AND name = \(bind: dataset.name) AND digest = \(bind: dataset.digest)
                        """
                    ).first()
                else { throw StewardError(.internalError, "Dataset '\(dataset.name)' vanished while being logged") }
                let datasetID = try row.string("dataset_uuid")
                try await db.raw(
                    """
                    INSERT INTO run_dataset_inputs (run_uuid, dataset_uuid) VALUES (\(bind: runID), \(bind: datasetID))
                    ON CONFLICT (run_uuid, dataset_uuid) DO NOTHING
                    """
                ).run()
                let tags = Self.lastValuePerKey(input.tags)
                if !tags.isEmpty {
                    let rows = tags.map { tag -> SQLQueryString in "(\(bind: runID), \(bind: datasetID), \(bind: tag.key), \(bind: tag.value))" }
                    try await db.raw(
                        """
                        INSERT INTO run_dataset_input_tags (run_uuid, dataset_uuid, key, value) VALUES \(rows.joined(separator: ", "))
                        ON CONFLICT (run_uuid, dataset_uuid, key) DO UPDATE SET value = excluded.value
                        """
                    ).run()
                }
            }
            let models = Array(Set(modelIDs)).sorted()
            if !models.isEmpty {
                let rows = models.map { model -> SQLQueryString in "(\(bind: runID), \(bind: model))" }
                try await db.raw(
                    """
                    INSERT INTO run_model_inputs (run_uuid, model_id) VALUES \(rows.joined(separator: ", "))
                    ON CONFLICT (run_uuid, model_id) DO NOTHING
                    """
                ).run()
            }
        }
    }

    public func logOutputs(runID: String, models: [ModelOutput]) async throws {
        try await database.write { db in
            try await Self.requireActiveRun(runID, on: db)
            var steps: [String: Int64] = [:]
            for model in models { steps[model.modelID] = model.step }
            guard !steps.isEmpty else { return }
            let rows = steps.sorted { $0.key < $1.key }.map { model, step -> SQLQueryString in
                "(\(bind: runID), \(bind: model), \(bind: step))"
            }
            try await db.raw(
                """
                INSERT INTO run_model_outputs (run_uuid, model_id, step) VALUES \(rows.joined(separator: ", "))
                ON CONFLICT (run_uuid, model_id) DO UPDATE SET step = excluded.step
                """
            ).run()
        }
    }

    public func metricHistory(runID: String, key: String, maxResults: Int, page: PageToken) async throws -> Page<Metric> {
        let metrics = try await database.read { db in
            guard try await db.raw("SELECT run_uuid FROM runs WHERE run_uuid = \(bind: runID)").first() != nil else {
                throw TrackingErrors.runNotFound(runID)
            }
            return try await db.raw(
                """
                SELECT key, value, is_nan, timestamp_ms, step FROM metrics
                WHERE run_uuid = \(bind: runID) AND key = \(bind: key)
                ORDER BY timestamp_ms, step, value, is_nan
                LIMIT \(literal: maxResults + 1) OFFSET \(literal: page.offset)
                """
            ).all().map(Self.metric(from:))
        }
        return Page(overfetched: metrics, limit: maxResults, offset: page.offset)
    }

    public func metricHistories(runIDs: [String], key: String, steps: ClosedRange<Int64>?) async throws -> [Metric] {
        let unique = Array(Set(runIDs))
        return try await database.read { db in
            var sql: SQLQueryString = """
                SELECT run_uuid, key, value, is_nan, timestamp_ms, step FROM metrics
                WHERE run_uuid IN (\(binds: unique)) AND key = \(bind: key)
                """
            if let steps { sql += " AND step >= \(bind: steps.lowerBound) AND step <= \(bind: steps.upperBound)" }
            sql += " ORDER BY run_uuid, step, timestamp_ms, value, is_nan"
            return try await db.raw(sql).all().map { row in
                var metric = try Self.metric(from: row)
                metric.runID = try row.string("run_uuid")
                return metric
            }
        }
    }

    public func searchRuns(_ query: RunQuery) async throws -> Page<Run> {
        let experimentIDs = try ExperimentID.storedList(query.experimentIDs)
        let statement = RunSearchSQL(query: query, experimentIDs: experimentIDs).statement()
        let limit = query.maxResults
        let runs = try await database.read { db in
            try await Self.fetchRuns(query: statement, on: db)
        }
        return Page(overfetched: runs, limit: limit, offset: query.page.offset)
    }
}

// MARK: - Statements shared by the operations above

extension SQLRunRepository {
    static let infoColumns = "run_uuid, experiment_id, name, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri"

    /// Fails unless the run exists and is active; returns its experiment's stored id.
    @discardableResult
    static func requireActiveRun(_ runID: String, on db: any SQLDatabase) async throws -> Int64 {
        guard let row = try await db.raw("SELECT experiment_id, lifecycle_stage FROM runs WHERE run_uuid = \(bind: runID)").first() else {
            throw TrackingErrors.runNotFound(runID)
        }
        guard try row.string("lifecycle_stage") == LifecycleStage.active.rawValue else { throw TrackingErrors.runNotActive(runID) }
        return try row.int64("experiment_id")
    }

    /// Keeps the last value given for each key, in first-seen key order.
    static func lastValuePerKey(_ pairs: [KeyValue]) -> [KeyValue] {
        var latest: [String: String] = [:]
        var order: [String] = []
        for pair in pairs where latest.updateValue(pair.value, forKey: pair.key) == nil {
            order.append(pair.key)
        }
        return order.map { KeyValue($0, latest[$0]!) }
    }

    static func upsertTags(_ tags: [Tag], runID: String, experimentID: Int64, on db: any SQLDatabase) async throws {
        guard !tags.isEmpty else { return }
        let rows = tags.map { tag -> SQLQueryString in "(\(bind: runID), \(bind: experimentID), \(bind: tag.key), \(bind: tag.value))" }
        try await db.raw(
            """
            INSERT INTO tags (run_uuid, experiment_id, key, value) VALUES \(rows.joined(separator: ", "))
            ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value
            """
        ).run()
    }

    static func metric(from row: any SQLRow) throws -> Metric {
        Metric(key: try row.string("key"), value: try row.metricValue(), timestamp: try row.int64("timestamp_ms"), step: try row.int64("step"))
    }

    static func info(from row: any SQLRow) throws -> RunInfo {
        RunInfo(
            runID: try row.string("run_uuid"), runName: try row.string("name"), experimentID: String(try row.int64("experiment_id")),
            userID: try row.string("user_id"), status: RunStatus(rawValue: try row.string("status")) ?? .running,
            startTime: try row.int64("start_time"), endTime: try row.optionalInt64("end_time"),
            artifactURI: try row.string("artifact_uri"),
            lifecycleStage: LifecycleStage(rawValue: try row.string("lifecycle_stage")) ?? .active)
    }

    static func fetchInfos(where condition: SQLQueryString, on db: any SQLDatabase) async throws -> [RunInfo] {
        try await db.raw("SELECT \(unsafeRaw: infoColumns) FROM runs WHERE \(condition)").all().map(info(from:))
    }

    static func fetchRuns(where condition: SQLQueryString, on db: any SQLDatabase) async throws -> [Run] {
        try await fetchRuns(query: "SELECT \(unsafeRaw: infoColumns) FROM runs WHERE \(condition)", on: db)
    }

    /// Runs whose info rows `query` selects, in its order, with their latest metrics, params, tags, inputs and
    /// outputs loaded in one query each.
    static func fetchRuns(query: SQLQueryString, on db: any SQLDatabase) async throws -> [Run] {
        let infos = try await db.raw(query).all().map(info(from:))
        guard !infos.isEmpty else { return [] }
        let ids = infos.map(\.runID)
        var data: [String: RunData] = [:]
        for row in try await db.raw(
            "SELECT run_uuid, key, value, is_nan, timestamp_ms, step FROM latest_metrics WHERE run_uuid IN (\(binds: ids)) ORDER BY key"
        ).all() {
            data[try row.string("run_uuid"), default: RunData()].metrics.append(try metric(from: row))
        }
        for row in try await db.raw("SELECT run_uuid, key, value FROM params WHERE run_uuid IN (\(binds: ids)) ORDER BY key").all() {
            data[try row.string("run_uuid"), default: RunData()].params.append(Param(try row.string("key"), try row.string("value")))
        }
        for row in try await db.raw("SELECT run_uuid, key, value FROM tags WHERE run_uuid IN (\(binds: ids)) ORDER BY key").all() {
            data[try row.string("run_uuid"), default: RunData()].tags.append(Tag(try row.string("key"), try row.string("value")))
        }
        var datasetInputs: [String: [DatasetInput]] = [:]
        var inputIndex: [String: Int] = [:]
        for row in try await db.raw(
            """
            SELECT i.run_uuid, d.dataset_uuid, d.name, d.digest, d.source_type, d.source, d.schema_json, d.profile_json
            FROM run_dataset_inputs i JOIN datasets d ON d.dataset_uuid = i.dataset_uuid
            WHERE i.run_uuid IN (\(binds: ids)) ORDER BY i.run_uuid, d.name, d.digest
            """
        ).all() {
            let runID = try row.string("run_uuid")
            let dataset = Dataset(
                name: try row.string("name"), digest: try row.string("digest"), sourceType: try row.string("source_type"),
                source: try row.string("source"), schema: try row.optionalString("schema_json"),
                profile: try row.optionalString("profile_json"))
            inputIndex[runID + "/" + (try row.string("dataset_uuid"))] = datasetInputs[runID, default: []].count
            datasetInputs[runID, default: []].append(DatasetInput(tags: [], dataset: dataset))
        }
        if !datasetInputs.isEmpty {
            for row in try await db.raw(
                "SELECT run_uuid, dataset_uuid, key, value FROM run_dataset_input_tags WHERE run_uuid IN (\(binds: ids)) ORDER BY key"
            ).all() {
                let runID = try row.string("run_uuid")
                guard let index = inputIndex[runID + "/" + (try row.string("dataset_uuid"))] else { continue }
                datasetInputs[runID]![index].tags.append(Tag(try row.string("key"), try row.string("value")))
            }
        }
        var modelInputs: [String: [String]] = [:]
        for row in try await db.raw("SELECT run_uuid, model_id FROM run_model_inputs WHERE run_uuid IN (\(binds: ids)) ORDER BY model_id").all() {
            modelInputs[try row.string("run_uuid"), default: []].append(try row.string("model_id"))
        }
        var modelOutputs: [String: [ModelOutput]] = [:]
        for row in try await db.raw(
            "SELECT run_uuid, model_id, step FROM run_model_outputs WHERE run_uuid IN (\(binds: ids)) ORDER BY step, model_id"
        ).all() {
            modelOutputs[try row.string("run_uuid"), default: []].append(
                ModelOutput(modelID: try row.string("model_id"), step: try row.int64("step")))
        }
        return infos.map { info in
            Run(
                info: info, data: data[info.runID] ?? RunData(), datasetInputs: datasetInputs[info.runID] ?? [],
                modelInputs: modelInputs[info.runID] ?? [], modelOutputs: modelOutputs[info.runID] ?? [])
        }
    }
}
