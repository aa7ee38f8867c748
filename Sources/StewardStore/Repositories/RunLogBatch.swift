import SQLKit
import StewardCore

/// One caller's metrics, params and tags for one run, written together with other callers' batches.
struct RunLogBatch: Sendable {
    var runID: String
    var metrics: [Metric]
    var params: [Param]
    var tags: [Tag]
    /// The caller's credentials, when its request is served from memory and they are still to be confirmed.
    var credentials: PendingCredentials? = nil

    /// Rows per INSERT, well under both engines' limits on bound parameters.
    static let rowsPerStatement = 1000

    /// Writes `batches` in one transaction with a fixed number of statements, whatever their count.
    ///
    /// Each batch is checked as if written alone, in order: its run must exist and be active, the logged models
    /// its metrics name must exist, and its params must not change a value already logged (by earlier accepted
    /// batches too). A batch that fails a check gets that error and writes nothing; the others are written.
    static func apply(_ batches: [RunLogBatch], on db: any SQLDatabase) async throws -> [Result<Void, StewardError>] {
        // Runs: exist and active.
        let runIDs = Array(Set(batches.map(\.runID)))
        var experimentOf: [String: Int64] = [:]
        var states: [String: String] = [:]
        for row in try await db.raw("SELECT run_uuid, experiment_id, lifecycle_stage FROM runs WHERE run_uuid IN (\(binds: runIDs))").all() {
            let runID = try row.string("run_uuid")
            experimentOf[runID] = try row.int64("experiment_id")
            states[runID] = try row.string("lifecycle_stage")
        }
        var outcomes = Self.outcomes(of: batches, runStates: states)

        // Logged models that model-scoped metrics name must exist.
        let modelIDs = Array(Set(batches.indices.filter { outcomes[$0].isSuccess }.flatMap { batches[$0].metrics.compactMap(\.modelID) }))
        if !modelIDs.isEmpty {
            let found = Set(
                try await db.raw("SELECT model_id FROM logged_models WHERE model_id IN (\(binds: modelIDs)) AND lifecycle_stage = 'active'")
                    .all().map { try $0.string("model_id") })
            for index in batches.indices where outcomes[index].isSuccess {
                if let missing = batches[index].metrics.compactMap(\.modelID).first(where: { !found.contains($0) }) {
                    outcomes[index] = .failure(TrackingErrors.loggedModelNotFound(missing))
                }
            }
        }

        // Params: immutable, against the store and against earlier batches.
        var known: [String: [String: String]] = [:]
        let paramRuns = Array(Set(batches.indices.filter { outcomes[$0].isSuccess && !batches[$0].params.isEmpty }.map { batches[$0].runID }))
        if !paramRuns.isEmpty {
            let keys = Array(Set(batches.flatMap { $0.params.map(\.key) }))
            for row in try await db.raw(
                "SELECT run_uuid, key, value FROM params WHERE run_uuid IN (\(binds: paramRuns)) AND key IN (\(binds: keys))"
            ).all() {
                known[try row.string("run_uuid"), default: [:]][try row.string("key")] = try row.string("value")
            }
        }
        for index in batches.indices where outcomes[index].isSuccess {
            let batch = batches[index]
            let logged = known[batch.runID] ?? [:]
            if let conflict = batch.params.first(where: { param in logged[param.key].map { $0 != param.value } ?? false }) {
                outcomes[index] = .failure(
                    TrackingErrors.paramChanged(runID: batch.runID, key: conflict.key, old: logged[conflict.key]!, new: conflict.value))
                continue
            }
            for param in batch.params { known[batch.runID, default: [:]][param.key] = param.value }
        }

        let accepted = batches.indices.filter { outcomes[$0].isSuccess }.map { batches[$0] }
        guard !accepted.isEmpty else { return outcomes }

        // Params (new ones only: equal values are already there).
        // Every kind of row in one order, whoever sent it: two transactions writing the same rows (replicas on one
        // PostgreSQL database; a replica writes one batch at a time) then lock them in the same order and one waits
        // instead of both deadlocking.
        var newParams: [String: (runID: String, param: Param)] = [:]
        for batch in accepted {
            for param in batch.params where newParams[batch.runID + "\u{0}" + param.key] == nil {
                newParams[batch.runID + "\u{0}" + param.key] = (batch.runID, param)
            }
        }
        let paramRows = newParams.keys.sorted().map { slot -> SQLQueryString in
            let (runID, param) = newParams[slot]!
            return "(\(bind: runID), \(bind: experimentOf[runID]!), \(bind: param.key), \(bind: param.value))"
        }
        for chunk in paramRows.chunked(rowsPerStatement) {
            try await db.raw(
                """
                INSERT INTO params (run_uuid, experiment_id, key, value) VALUES \(chunk.joined(separator: ", "))
                ON CONFLICT (run_uuid, key) DO NOTHING
                """
            ).run()
        }
        if !paramRows.isEmpty {
            // Another writer (a second replica on PostgreSQL) may have logged a key between the check and the insert;
            // then the stored value is not ours, and this transaction is given up rather than reporting success
            // (`ParamRace`: written again, the check above sees the value and refuses that call alone).
            let written = Array(Set(accepted.filter { !$0.params.isEmpty }.map(\.runID)))
            let keys = Array(Set(accepted.flatMap { $0.params.map(\.key) }))
            var stored: [String: String] = [:]
            for row in try await db.raw(
                "SELECT run_uuid, key, value FROM params WHERE run_uuid IN (\(binds: written)) AND key IN (\(binds: keys))"
            ).all() {
                stored[try row.string("run_uuid") + "\u{0}" + row.string("key")] = try row.string("value")
            }
            for batch in accepted {
                for param in batch.params {
                    if let value = stored[batch.runID + "\u{0}" + param.key], value != param.value {
                        throw ParamRace(refusal: TrackingErrors.paramChanged(runID: batch.runID, key: param.key, old: value, new: param.value))
                    }
                }
            }
        }

        // Tags: the last value per run and key wins; mlflow.runName also renames the run.
        var tagValues: [String: (runID: String, key: String, value: String)] = [:]
        var tagOrder: [String] = []
        for batch in accepted {
            for tag in batch.tags {
                let slot = batch.runID + "\u{0}" + tag.key
                if tagValues.updateValue((batch.runID, tag.key, tag.value), forKey: slot) == nil { tagOrder.append(slot) }
            }
        }
        let tagRows = tagOrder.sorted().map { slot -> SQLQueryString in
            let tag = tagValues[slot]!
            return "(\(bind: tag.runID), \(bind: experimentOf[tag.runID]!), \(bind: tag.key), \(bind: tag.value))"
        }
        for chunk in tagRows.chunked(rowsPerStatement) {
            try await db.raw(
                """
                INSERT INTO tags (run_uuid, experiment_id, key, value) VALUES \(chunk.joined(separator: ", "))
                ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value
                """
            ).run()
        }
        for slot in tagOrder.sorted() where tagValues[slot]!.key == RunService.runNameTag {
            let tag = tagValues[slot]!
            try await db.raw("UPDATE runs SET name = \(bind: tag.value) WHERE run_uuid = \(bind: tag.runID)").run()
        }

        // Metrics: every observation into the history; per run and key the superseding one into latest_metrics.
        let (history, latest) = observations(accepted)
        let historyRows = history.map { runID, metric -> SQLQueryString in
            """
            (\(bind: runID), \(bind: metric.key), \(bind: StoredMetricValue.value(metric.value)), \
            \(literal: StoredMetricValue.isNaN(metric.value)), \(bind: metric.timestamp), \(bind: metric.step))
            """
        }
        for chunk in historyRows.chunked(rowsPerStatement) {
            try await db.raw(
                """
                INSERT INTO metrics (run_uuid, key, value, is_nan, timestamp_ms, step) VALUES \(chunk.joined(separator: ", "))
                ON CONFLICT (run_uuid, key, step, timestamp_ms, value, is_nan) DO NOTHING
                """
            ).run()
        }
        let latestRows = latest.map { runID, metric -> SQLQueryString in
            """
            (\(bind: runID), \(bind: experimentOf[runID]!), \(bind: metric.key), \(bind: StoredMetricValue.value(metric.value)), \
            \(literal: StoredMetricValue.isNaN(metric.value)), \(bind: metric.timestamp), \(bind: metric.step))
            """
        }
        for chunk in latestRows.chunked(rowsPerStatement) {
            try await db.raw(
                """
                INSERT INTO latest_metrics (run_uuid, experiment_id, key, value, is_nan, timestamp_ms, step)
                VALUES \(chunk.joined(separator: ", "))
                ON CONFLICT (run_uuid, key) DO UPDATE SET
                    value = excluded.value, is_nan = excluded.is_nan, timestamp_ms = excluded.timestamp_ms, step = excluded.step
                WHERE (excluded.step, excluded.timestamp_ms, 1 - excluded.is_nan, excluded.value)
                    > (latest_metrics.step, latest_metrics.timestamp_ms, 1 - latest_metrics.is_nan, latest_metrics.value)
                """
            ).run()
        }
        for batch in accepted where batch.metrics.contains(where: { $0.modelID != nil }) {
            try await SQLLoggedModelRepository.insertMetrics(batch.metrics, runID: batch.runID, on: db)
        }
        return outcomes
    }
}

extension RunLogBatch {
    /// Every observation of `batches`' metrics, and per run and key the superseding one, in run and key order.
    /// `apply` writes latest values in that order, so that the transactions of replicas writing the same rows wait
    /// for each other instead of deadlocking; the one-statement write's order is its plan's, so it can deadlock
    /// with another replica's writer of the same rows, and is then retried.
    static func observations(_ batches: [RunLogBatch]) -> (history: [(runID: String, metric: Metric)], latest: [(runID: String, metric: Metric)]) {
        var history: [(runID: String, metric: Metric)] = []
        var latest: [String: (runID: String, metric: Metric)] = [:]
        for batch in batches {
            for metric in batch.metrics {
                history.append((batch.runID, metric))
                let slot = batch.runID + "\u{0}" + metric.key
                if let current = latest[slot], !metric.supersedes(current.metric) { continue }
                latest[slot] = (batch.runID, metric)
            }
        }
        return (history, latest.keys.sorted().map { latest[$0]! })
    }

    /// Whether `batches` can be written by `applyInOneStatement`: metrics alone, none of them scoped to a logged
    /// model, as many as one statement takes. Most of a training loop's calls are.
    static func fitOneStatement(_ batches: [RunLogBatch]) -> Bool {
        batches.allSatisfy { $0.params.isEmpty && $0.tags.isEmpty && $0.metrics.allSatisfy { $0.modelID == nil } }
            && batches.reduce(0) { $0 + $1.metrics.count } <= rowsPerStatement
    }

    /// Writes batches of metrics alone (`fitOneStatement`) in one PostgreSQL statement, which is its own transaction:
    /// the runs are checked, every observation of an active run goes into the history and the superseding ones into
    /// latest_metrics, through data-modifying common table expressions that see one snapshot, and the statement
    /// answers the runs' states, from which each batch's outcome follows as in `apply`. One round trip instead of
    /// `apply`'s five (`BEGIN`, the runs, the history, the latest values, `COMMIT`): measured with `bench/stores.py`.
    /// With `stamp`, the statement writes only if the credentials stamp is still that one, and throws
    /// `CredentialsMoved` otherwise (`CredentialsCheck`).
    static func applyInOneStatement(
        _ batches: [RunLogBatch], confirming stamp: Int64?, on db: any SQLDatabase
    ) async throws -> [Result<Void, StewardError>] {
        let (observed, newest) = observations(batches)
        let history = MetricColumns(observed)
        let latest = MetricColumns(newest)
        let runIDs = Array(Set(batches.map(\.runID))).sorted()
        var tables: [SQLQueryString] = [
            "credentials AS (SELECT \(CredentialsCheck.holds(stamp)) AS held)",
            """
            target AS (
                SELECT run_uuid, experiment_id, lifecycle_stage FROM runs
                WHERE run_uuid = ANY(\(bind: runIDs)) AND (SELECT held FROM credentials)
            )
            """,
        ]
        if !observed.isEmpty {
            tables += [
                """
                history AS (
                    INSERT INTO metrics (run_uuid, key, value, is_nan, timestamp_ms, step)
                    SELECT observed.* FROM \(history.unnest) AS observed (run_uuid, key, value, is_nan, timestamp_ms, step)
                    JOIN target ON target.run_uuid = observed.run_uuid AND target.lifecycle_stage = 'active'
                    ON CONFLICT (run_uuid, key, step, timestamp_ms, value, is_nan) DO NOTHING
                )
                """,
                """
                latest AS (
                    INSERT INTO latest_metrics (run_uuid, experiment_id, key, value, is_nan, timestamp_ms, step)
                    SELECT newest.run_uuid, target.experiment_id, newest.key, newest.value, newest.is_nan, newest.timestamp_ms, newest.step
                    FROM \(latest.unnest) AS newest (run_uuid, key, value, is_nan, timestamp_ms, step)
                    JOIN target ON target.run_uuid = newest.run_uuid AND target.lifecycle_stage = 'active'
                    ON CONFLICT (run_uuid, key) DO UPDATE SET
                        value = excluded.value, is_nan = excluded.is_nan, timestamp_ms = excluded.timestamp_ms, step = excluded.step
                    WHERE (excluded.step, excluded.timestamp_ms, 1 - excluded.is_nan, excluded.value)
                        > (latest_metrics.step, latest_metrics.timestamp_ms, 1 - latest_metrics.is_nan, latest_metrics.value)
                )
                """,
            ]
        }
        // One row when no run is found, so that whether the credentials held is always answered.
        let rows = try await db.raw(
            """
            WITH \(tables.joined(separator: ", "))
            SELECT credentials.held, target.run_uuid, target.lifecycle_stage FROM credentials LEFT JOIN target ON true
            """
        ).all()
        guard try rows.first?.decode(column: "held", as: Bool.self) == true else { throw CredentialsMoved() }
        var states: [String: String] = [:]
        for row in rows {
            if let runID = try row.optionalString("run_uuid") { states[runID] = try row.string("lifecycle_stage") }
        }
        return outcomes(of: batches, runStates: states)
    }

    /// Metric rows as one array per column: bound as six parameters whatever the number of rows, the statement's
    /// text does not grow with the batch (it is one of two, with or without a credentials check), which
    /// PostgreSQL parses and plans faster than a VALUES list of a parameter per cell, and which SQLKit serializes
    /// faster. Measured with bench/stores.py's log-batch requests (16
    /// connections, one run, 15 s) on one PostgreSQL server: 3,405–3,463 requests a second against 3,015–3,099 with
    /// VALUES, in three alternated pairs of runs.
    struct MetricColumns {
        var runIDs: [String] = []
        var keys: [String] = []
        var values: [Double] = []
        var isNaN: [Int32] = []
        var timestamps: [Int64] = []
        var steps: [Int64] = []

        init(_ rows: [(runID: String, metric: Metric)]) {
            for (runID, metric) in rows {
                runIDs.append(runID)
                keys.append(metric.key)
                values.append(StoredMetricValue.value(metric.value))
                isNaN.append(Int32(StoredMetricValue.isNaN(metric.value)))
                timestamps.append(metric.timestamp)
                steps.append(metric.step)
            }
        }

        /// The rows as a PostgreSQL table expression.
        var unnest: SQLQueryString {
            """
            unnest(\(bind: runIDs)::text[], \(bind: keys)::text[], \(bind: values)::float8[], \(bind: isNaN)::int4[], \
            \(bind: timestamps)::int8[], \(bind: steps)::int8[])
            """
        }
    }

    /// Each batch's outcome from its run's lifecycle stage (nil: no such run).
    static func outcomes(of batches: [RunLogBatch], runStates: [String: String]) -> [Result<Void, StewardError>] {
        batches.map { batch in
            switch runStates[batch.runID] {
            case nil: .failure(TrackingErrors.runNotFound(batch.runID))
            case LifecycleStage.active.rawValue: .success(())
            default: .failure(TrackingErrors.runNotActive(batch.runID))
            }
        }
    }
}

/// A param that another transaction logged with another value between a batch's check and its insert: the batch's
/// transaction is rolled back and written again, when the check refuses the call that logged it and no other.
struct ParamRace: Error {
    /// What the calls get if every write of the batch lost a race.
    let refusal: StewardError
}

extension Result {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
