import SQLKit
import StewardCore

/// Experiments and their tags in SQL, the same statements on SQLite and PostgreSQL.
public struct SQLExperimentRepository: ExperimentRepository {
    let database: any StoreDatabase

    public init(database: any StoreDatabase) {
        self.database = database
    }

    /// The proxied artifact location of an experiment created without one.
    static func defaultArtifactLocation(id: Int64) -> String {
        "mlflow-artifacts:/\(id)"
    }

    public func createExperiment(name: String, artifactLocation: String?, tags: [Tag], now: Int64) async throws -> String {
        do {
            return try await database.write { db in
                let existing = try await db.raw("SELECT experiment_id FROM experiments WHERE name = \(bind: name)").first()
                if existing != nil { throw TrackingErrors.experimentNameTaken(name) }
                guard
                    let row = try await db.raw(
                        """
                        INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time)
                        VALUES (\(bind: name), \(bind: artifactLocation ?? ""), 'active', \(bind: now), \(bind: now))
                        RETURNING experiment_id
                        """
                    ).first()
                else { throw StewardError(.internalError, "The new experiment's id was not returned") }
                let id = try row.int64("experiment_id")
                if artifactLocation == nil {
                    try await db.raw(
                        "UPDATE experiments SET artifact_location = \(bind: Self.defaultArtifactLocation(id: id)) WHERE experiment_id = \(bind: id)"
                    ).run()
                }
                try await Self.upsertTags(tags, experimentID: id, on: db)
                return String(id)
            }
        } catch  where DatabaseConstraint.isUniqueViolation(error) {
            throw TrackingErrors.experimentNameTaken(name)
        }
    }

    public func experiment(id: String) async throws -> Experiment {
        let storedID = try ExperimentID.require(id)
        return try await database.read { db in
            guard let experiment = try await Self.fetch(where: "experiment_id = \(bind: storedID)", on: db).first else {
                throw TrackingErrors.experimentNotFound(id)
            }
            return experiment
        }
    }

    public func experiment(name: String) async throws -> Experiment {
        try await database.read { db in
            guard let experiment = try await Self.fetch(where: "name = \(bind: name)", on: db).first else {
                throw TrackingErrors.experimentNameNotFound(name)
            }
            return experiment
        }
    }

    public func searchExperiments(_ query: ExperimentQuery) async throws -> Page<Experiment> {
        var conditions: [SQLQueryString] = [
            "lifecycle_stage IN (\(binds: query.viewType.stages.map(\.rawValue)))"
        ]
        for clause in query.filter {
            conditions.append(try Self.condition(for: clause))
        }
        let order = query.orderBy.map { clause -> SQLQueryString in
            let column: String
            switch clause.field {
            case .attribute(.name): column = "name"
            case .attribute(.experimentID): column = "experiment_id"
            case .attribute(.creationTime): column = "creation_time"
            case .attribute(.lastUpdateTime): column = "last_update_time"
            case .tag: column = "experiment_id"
            }
            return "\(unsafeRaw: column) \(unsafeRaw: clause.ascending ? "ASC" : "DESC")"
        }
        let limit = query.maxResults
        let offset = query.page.offset
        let condition = conditions.joined(separator: " AND ")
        let ordering = order.joined(separator: ", ")
        let experiments = try await database.read { db in
            try await Self.fetch(where: condition, orderBy: ordering, limit: limit + 1, offset: offset, on: db)
        }
        return Page(overfetched: experiments, limit: limit, offset: offset)
    }

    public func renameExperiment(id: String, to name: String, now: Int64) async throws {
        let storedID = try ExperimentID.require(id)
        do {
            try await database.write { db in
                let stage = try await Self.lifecycleStage(of: storedID, id: id, on: db)
                guard stage == .active else {
                    throw StewardError.invalidParameter("Cannot rename a non-active experiment.")
                }
                let holder = try await db.raw("SELECT experiment_id FROM experiments WHERE name = \(bind: name)").first()
                if let holder, try holder.int64("experiment_id") != storedID { throw TrackingErrors.experimentNameTaken(name) }
                try await db.raw(
                    "UPDATE experiments SET name = \(bind: name), last_update_time = \(bind: now) WHERE experiment_id = \(bind: storedID)"
                ).run()
            }
        } catch  where DatabaseConstraint.isUniqueViolation(error) {
            throw TrackingErrors.experimentNameTaken(name)
        }
    }

    public func setExperimentLifecycle(id: String, to stage: LifecycleStage, now: Int64) async throws {
        let storedID = try ExperimentID.require(id)
        try await database.write { db in
            let current = try await Self.lifecycleStage(of: storedID, id: id, on: db)
            guard current != stage else {
                throw StewardError.notFound(
                    stage == .deleted
                        ? "No active experiment with id=\(id) exists: it is already deleted."
                        : "No deleted experiment with id=\(id) exists: it is active.")
            }
            try await db.raw(
                """
                UPDATE experiments SET lifecycle_stage = \(bind: stage.rawValue), last_update_time = \(bind: now)
                WHERE experiment_id = \(bind: storedID)
                """
            ).run()
            let deletedTime: Int64? = stage == .deleted ? now : nil
            try await db.raw(
                """
                UPDATE runs SET lifecycle_stage = \(bind: stage.rawValue), deleted_time = \(bind: deletedTime)
                WHERE experiment_id = \(bind: storedID)
                """
            ).run()
        }
    }

    public func setExperimentTag(id: String, tag: Tag) async throws {
        let storedID = try ExperimentID.require(id)
        try await database.write { db in
            guard try await Self.lifecycleStage(of: storedID, id: id, on: db) == .active else {
                throw TrackingErrors.experimentNotActive(id)
            }
            try await Self.upsertTags([tag], experimentID: storedID, on: db)
        }
    }

    public func deleteExperimentTag(id: String, key: String) async throws {
        let storedID = try ExperimentID.require(id)
        try await database.write { db in
            guard try await Self.lifecycleStage(of: storedID, id: id, on: db) == .active else {
                throw TrackingErrors.experimentNotActive(id)
            }
            let deleted = try await db.raw(
                "DELETE FROM experiment_tags WHERE experiment_id = \(bind: storedID) AND key = \(bind: key) RETURNING key"
            ).all()
            if deleted.isEmpty { throw TrackingErrors.experimentTagNotFound(experimentID: id, key: key) }
        }
    }

    // MARK: - SQL

    /// The artifact location of an experiment that new runs and models may join: it must exist and be active.
    static func activeArtifactLocation(of storedID: Int64, id: String, on db: any SQLDatabase) async throws -> String {
        guard
            let experiment = try await db.raw(
                "SELECT lifecycle_stage, artifact_location FROM experiments WHERE experiment_id = \(bind: storedID)"
            ).first()
        else { throw TrackingErrors.experimentNotFound(id) }
        guard try experiment.string("lifecycle_stage") == LifecycleStage.active.rawValue else {
            throw TrackingErrors.experimentNotActive(id)
        }
        return try experiment.string("artifact_location")
    }

    static func lifecycleStage(of storedID: Int64, id: String, on db: any SQLDatabase) async throws -> LifecycleStage {
        guard let row = try await db.raw("SELECT lifecycle_stage FROM experiments WHERE experiment_id = \(bind: storedID)").first() else {
            throw TrackingErrors.experimentNotFound(id)
        }
        return LifecycleStage(rawValue: try row.string("lifecycle_stage")) ?? .active
    }

    /// Where something inside an experiment keeps its artifacts: a run (`<location>/<run>/artifacts`) or a
    /// logged model (`<location>/models/<model>/artifacts`).
    static func artifactLocation(below experimentLocation: String, _ components: String...) -> String {
        var location = experimentLocation
        while location.hasSuffix("/") { location.removeLast() }
        return ([location] + components).joined(separator: "/")
    }

    static func upsertTags(_ tags: [Tag], experimentID: Int64, on db: any SQLDatabase) async throws {
        // Later duplicates win, as when the tags are set one by one.
        let tags = SQLRunRepository.lastValuePerKey(tags)
        guard !tags.isEmpty else { return }
        let rows = tags.map { tag -> SQLQueryString in "(\(bind: experimentID), \(bind: tag.key), \(bind: tag.value))" }
        try await db.raw(
            """
            INSERT INTO experiment_tags (experiment_id, key, value) VALUES \(rows.joined(separator: ", "))
            ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value
            """
        ).run()
    }

    static func fetch(
        where condition: SQLQueryString, orderBy: SQLQueryString = "experiment_id", limit: Int? = nil, offset: Int = 0,
        on db: any SQLDatabase
    ) async throws -> [Experiment] {
        var sql: SQLQueryString = """
            SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time
            FROM experiments WHERE \(condition) ORDER BY \(orderBy)
            """
        if let limit { sql += " LIMIT \(literal: limit) OFFSET \(literal: offset)" }
        var experiments = try await db.raw(sql).all().map { row in
            Experiment(
                id: String(try row.int64("experiment_id")), name: try row.string("name"),
                artifactLocation: try row.string("artifact_location"),
                lifecycleStage: LifecycleStage(rawValue: try row.string("lifecycle_stage")) ?? .active,
                creationTime: try row.int64("creation_time"), lastUpdateTime: try row.int64("last_update_time"))
        }
        guard !experiments.isEmpty else { return [] }
        let ids = experiments.compactMap { Int64($0.id) }
        let tagRows = try await db.raw(
            "SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id IN (\(binds: ids)) ORDER BY key"
        ).all()
        var tags: [String: [Tag]] = [:]
        for row in tagRows {
            tags[String(try row.int64("experiment_id")), default: []].append(Tag(try row.string("key"), try row.string("value")))
        }
        for index in experiments.indices {
            experiments[index].tags = tags[experiments[index].id] ?? []
        }
        return experiments
    }

    static func condition(for clause: FilterClause<ExperimentField>) throws -> SQLQueryString {
        switch clause.field {
        case .attribute(.name):
            return SQLComparison.string(column: "name", clause.comparator, clause.value)
        case .attribute(.experimentID):
            switch clause.value {
            case .strings(let ids):
                let stored = ids.compactMap(ExperimentID.stored)
                let keyword = clause.comparator == .notIn ? "NOT IN" : "IN"
                if stored.isEmpty { return clause.comparator == .notIn ? "1 = 1" : "1 = 0" }
                return "experiment_id \(unsafeRaw: keyword) (\(binds: stored))"
            default:
                return SQLComparison.string(column: "CAST(experiment_id AS TEXT)", clause.comparator, clause.value)
            }
        case .attribute(let attribute):
            return SQLComparison.number(column: attribute.rawValue, clause.comparator, clause.value)
        case .tag(let key):
            switch clause.comparator {
            case .isNull:
                return "NOT EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = experiments.experiment_id AND t.key = \(bind: key))"
            case .isNotNull:
                return "EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = experiments.experiment_id AND t.key = \(bind: key))"
            default:
                let match = SQLComparison.string(column: "t.value", clause.comparator, clause.value)
                return """
                    EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = experiments.experiment_id \
                    AND t.key = \(bind: key) AND \(match))
                    """
            }
        }
    }
}
