import Foundation
import SQLKit
import StewardCore

/// The model registry in SQL, the same statements on SQLite and PostgreSQL.
public struct SQLModelRegistryRepository: ModelRegistryRepository {
    let database: any StoreDatabase

    public init(database: any StoreDatabase) {
        self.database = database
    }

    // MARK: Registered models

    public func createRegisteredModel(
        name: String, description: String, tags: [Tag], userID: String, now: Int64, audit: AuditEntry?, guarded: NameGuard
    ) async throws -> RegisteredModel {
        let engine = database.engine
        do {
            return try await database.write { db in
                try await Self.lockNames([name], engine: engine, on: db)
                if try await db.raw("SELECT name FROM registered_models WHERE name = \(bind: name)").first() != nil {
                    throw RegistryErrors.registeredModelExists(name)
                }
                try await Self.enforce(guarded, .create(name), on: db)
                try await db.raw(
                    """
                    INSERT INTO registered_models (name, creation_time, last_updated_time, description, user_id, max_version)
                    VALUES (\(bind: name), \(bind: now), \(bind: now), \(bind: description), \(bind: userID), 0)
                    """
                ).run()
                try await Self.upsertTags(SQLRunRepository.lastValuePerKey(tags), name: name, on: db)
                if let audit { try await SQLAuditLog.append(audit, now: now, engine: engine, on: db) }
                return try await Self.fetchModels(where: "m.name = \(bind: name)", on: db)[0]
            }
        } catch  where DatabaseConstraint.isUniqueViolation(error) {
            throw RegistryErrors.registeredModelExists(name)
        }
    }

    public func registeredModel(name: String) async throws -> RegisteredModel {
        try await database.read { db in
            guard let model = try await Self.fetchModels(where: "m.name = \(bind: name)", on: db).first else {
                throw RegistryErrors.registeredModelNotFound(name)
            }
            return model
        }
    }

    public func renameRegisteredModel(
        name: String, to newName: String, actor: String, now: Int64, audit: AuditEntry?, guarded: NameGuard
    ) async throws -> RegisteredModel {
        let engine = database.engine
        do {
            return try await database.write { db in
                try await Self.lockNames([name, newName], engine: engine, on: db)
                try await Self.requireModel(name, on: db)
                let system = try await Self.enforce(guarded, .rename(from: name, to: newName), on: db)
                if let audit { try await SQLAuditLog.append(audit, now: now, engine: engine, on: db) }
                if newName != name, try await db.raw("SELECT name FROM registered_models WHERE name = \(bind: newName)").first() != nil {
                    throw RegistryErrors.registeredModelExists(newName)
                }
                try await db.raw(
                    "UPDATE registered_models SET name = \(bind: newName), last_updated_time = \(bind: now) WHERE name = \(bind: name)"
                ).run()
                try await db.raw("UPDATE registry_events SET name = \(bind: newName) WHERE name = \(bind: name)").run()
                if let system { try await Self.reserve(NameReservation(name: name, systemID: system), by: actor, now: now, on: db) }
                try await Self.record(
                    RegistryEvent(name: newName, kind: .modelRenamed, detail: "from '\(name)' to '\(newName)'", actor: actor, time: now), on: db)
                return try await Self.fetchModels(where: "m.name = \(bind: newName)", on: db)[0]
            }
        } catch  where DatabaseConstraint.isUniqueViolation(error) {
            throw RegistryErrors.registeredModelExists(newName)
        }
    }

    public func updateRegisteredModel(name: String, description: String, now: Int64) async throws -> RegisteredModel {
        try await database.write { db in
            try await Self.requireModel(name, on: db)
            try await db.raw(
                "UPDATE registered_models SET description = \(bind: description), last_updated_time = \(bind: now) WHERE name = \(bind: name)"
            ).run()
            return try await Self.fetchModels(where: "m.name = \(bind: name)", on: db)[0]
        }
    }

    public func deleteRegisteredModel(name: String, actor: String, now: Int64, audit: AuditEntry?, guarded: NameGuard) async throws {
        let engine = database.engine
        try await database.write { db in
            try await Self.lockNames([name], engine: engine, on: db)
            try await Self.requireModel(name, on: db)
            let system = try await Self.enforce(guarded, .delete(name), on: db)
            if let audit { try await SQLAuditLog.append(audit, now: now, engine: engine, on: db) }
            try await db.raw("DELETE FROM registered_models WHERE name = \(bind: name)").run()
            if let system { try await Self.reserve(NameReservation(name: name, systemID: system), by: actor, now: now, on: db) }
            try await Self.record(RegistryEvent(name: name, kind: .modelDeleted, actor: actor, time: now), on: db)
        }
    }

    public func reservation(of name: String) async throws -> NameReservation? {
        try await database.read { db in
            try await db.raw("SELECT name, system_id FROM reserved_model_names WHERE name = \(bind: name)").first().map {
                NameReservation(name: try $0.string("name"), systemID: try $0.string("system_id"))
            }
        }
    }

    /// Makes name changes and moves of a model's aliases and stages take turns on PostgreSQL (SQLite has one writer),
    /// so that a check made inside one transaction still holds when it commits.
    static func lockNames(_ names: [String], engine: SQLEngine, on db: any SQLDatabase) async throws {
        guard engine == .postgres else { return }
        for name in Set(names).sorted() {
            try await db.raw("SELECT pg_advisory_xact_lock(hashtext(\(bind: "steward.model:" + name)))").run()
        }
    }

    /// Checks a name change against its guard inside the write, and returns the system the changed model belongs to:
    /// a model holding a protected alias or a Production version is never renamed or deleted; a model of a system,
    /// or a reserved name, only by a governor.
    @discardableResult
    static func enforce(_ guarded: NameGuard, _ change: NameChange, on db: any SQLDatabase) async throws -> String? {
        var changed: String?
        switch change {
        case .create(let name):
            try await requireFree(name, guarded, on: db)
            return nil
        case .rename(let from, let to):
            changed = from
            try await requireFree(to, guarded, on: db)
        case .delete(let name):
            changed = name
        }
        guard let model = changed else { return nil }
        for row in try await db.raw("SELECT alias, version FROM registered_model_aliases WHERE name = \(bind: model) ORDER BY alias").all() {
            let alias = try row.string("alias")
            if guarded.isProtected(alias) {
                throw NameGuard.holding(model, "the protected alias '\(alias)' (version \(try row.int64("version")))", change)
            }
        }
        if let row = try await db.raw(
            "SELECT version FROM model_versions WHERE name = \(bind: model) AND current_stage = \(bind: ModelStage.production.rawValue) LIMIT 1"
        ).first() {
            throw NameGuard.holding(model, "version \(try row.int64("version")) in the Production stage", change)
        }
        let system = try await db.raw("SELECT system_id FROM system_components WHERE name = \(bind: model)").first()?.string("system_id")
        if system != nil, !guarded.governor { throw NameGuard.governorsOnly("\(change.verb) a model of an AI system") }
        return system
    }

    /// Refuses a reserved name to anyone but a governor.
    static func requireFree(_ name: String, _ guarded: NameGuard, on db: any SQLDatabase) async throws {
        guard !guarded.governor, try await db.raw("SELECT name FROM reserved_model_names WHERE name = \(bind: name)").first() != nil else {
            return
        }
        throw NameGuard.governorsOnly("take the name of a model that belonged to an AI system")
    }

    /// Keeps a governed model's former name reserved for its system (the latest system to hold it).
    static func reserve(_ reservation: NameReservation, by actor: String, now: Int64, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO reserved_model_names (name, system_id, reserved_at, reserved_by)
            VALUES (\(bind: reservation.name), \(bind: reservation.systemID), \(bind: now), \(bind: actor))
            ON CONFLICT (name) DO UPDATE SET system_id = excluded.system_id, reserved_at = excluded.reserved_at, reserved_by = excluded.reserved_by
            """
        ).run()
    }

    public func searchRegisteredModels(_ query: RegistryQuery<RegisteredModelField>) async throws -> Page<RegisteredModel> {
        var conditions: [SQLQueryString] = ["1 = 1"]
        for clause in query.filter {
            switch clause.field {
            case .name: conditions.append(SQLComparison.string(column: "m.name", clause.comparator, clause.value))
            case .creationTimestamp: conditions.append(SQLComparison.number(column: "m.creation_time", clause.comparator, clause.value))
            case .lastUpdatedTimestamp: conditions.append(SQLComparison.number(column: "m.last_updated_time", clause.comparator, clause.value))
            case .tag(let key): conditions.append(Self.tagCondition(table: "registered_model_tags", owner: "t.name = m.name", key: key, clause))
            }
        }
        let order = query.orderBy.map { clause -> SQLQueryString in
            let column =
                switch clause.field {
                case .name: "m.name"
                case .creationTimestamp: "m.creation_time"
                case .lastUpdatedTimestamp: "m.last_updated_time"
                case .tag: "m.name"
                }
            return "\(unsafeRaw: column) \(unsafeRaw: clause.ascending ? "ASC" : "DESC")"
        }
        let statement = Self.pageClauses(conditions: conditions, order: order, query: query)
        let models = try await database.read { db in try await Self.fetchModels(where: statement, on: db) }
        return Page(overfetched: models, limit: query.maxResults, offset: query.page.offset)
    }

    public func setRegisteredModelTag(name: String, tag: Tag, now: Int64) async throws {
        try await database.write { db in
            try await Self.requireModel(name, on: db)
            try await Self.upsertTags([tag], name: name, on: db)
        }
    }

    public func deleteRegisteredModelTag(name: String, key: String, now: Int64) async throws {
        try await database.write { db in
            try await Self.requireModel(name, on: db)
            try await db.raw("DELETE FROM registered_model_tags WHERE name = \(bind: name) AND key = \(bind: key)").run()
        }
    }

    // MARK: Versions

    public func createModelVersion(_ version: NewModelVersion, actor: String, now: Int64) async throws -> ModelVersion {
        try await database.write { db in
            guard let row = try await db.raw("SELECT max_version FROM registered_models WHERE name = \(bind: version.name)").first() else {
                throw RegistryErrors.registeredModelNotFound(version.name)
            }
            let number = try row.int64("max_version") + 1
            try await db.raw(
                """
                UPDATE registered_models SET max_version = \(bind: number), last_updated_time = \(bind: now) WHERE name = \(bind: version.name)
                """
            ).run()
            try await db.raw(
                """
                INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, user_id, current_stage, source,
                    storage_location, run_id, run_link, status, model_id, content_digest, content_manifest)
                VALUES (\(bind: version.name), \(bind: number), \(bind: now), \(bind: now), \(bind: version.description), \(bind: version.userID),
                    \(bind: ModelStage.none.rawValue), \(bind: version.source), \(bind: version.storageLocation), \(bind: version.runID),
                    \(bind: version.runLink), \(bind: ModelVersionStatus.ready.rawValue), \(bind: version.modelID),
                    \(bind: version.manifest?.digest), \(bind: try version.manifest.map(Self.encode)))
                """
            ).run()
            try await Self.upsertVersionTags(SQLRunRepository.lastValuePerKey(version.tags), name: version.name, version: number, on: db)
            try await Self.record(RegistryEvent(name: version.name, kind: .versionCreated, version: number, actor: actor, time: now), on: db)
            return try await Self.fetchVersions(where: "v.name = \(bind: version.name) AND v.version = \(bind: number)", on: db)[0]
        }
    }

    public func contentManifest(name: String, version: Int64) async throws -> ContentManifest? {
        try await database.read { db in
            guard
                let text = try await db.raw(
                    "SELECT content_manifest FROM model_versions WHERE name = \(bind: name) AND version = \(bind: version)"
                ).first()?.optionalString("content_manifest")
            else { return nil }
            do { return try JSONDecoder().decode(ContentManifest.self, from: Data(text.utf8)) } catch {
                throw StewardError(.dataLoss, "The recorded manifest of version \(version) of '\(name)' is unreadable.")
            }
        }
    }

    public func recordContentManifest(name: String, version: Int64, _ manifest: ContentManifest) async throws {
        let text = try Self.encode(manifest)
        try await database.write { db in
            try await db.raw(
                """
                UPDATE model_versions SET content_digest = \(bind: manifest.digest), content_manifest = \(bind: text)
                WHERE name = \(bind: name) AND version = \(bind: version) AND content_manifest IS NULL
                """
            ).run()
        }
    }

    public func versionStored(at locations: [String], orBelow below: String?) async throws -> (name: String, version: Int64)? {
        try await database.read { db in
            if !locations.isEmpty,
                let row = try await db.raw(
                    "SELECT name, version FROM model_versions WHERE storage_location IN (\(binds: locations)) ORDER BY name, version LIMIT 1"
                ).first()
            {
                return (try row.string("name"), try row.int64("version"))
            }
            guard let below else { return nil }
            return try await db.raw(
                """
                SELECT name, version FROM model_versions WHERE substr(storage_location, 1, CAST(\(bind: below.unicodeScalars.count) AS INTEGER)) = \(bind: below)
                ORDER BY name, version LIMIT 1
                """
            ).first().map { (try $0.string("name"), try $0.int64("version")) }
        }
    }

    static func encode(_ manifest: ContentManifest) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(manifest), as: UTF8.self)
    }

    public func modelVersion(name: String, version: Int64) async throws -> ModelVersion {
        try await database.read { db in try await Self.requireVersion(name, version, on: db) }
    }

    public func latestVersionNumber(name: String) async throws -> Int64? {
        try await database.read { db in
            try await db.raw("SELECT MAX(version) AS latest FROM model_versions WHERE name = \(bind: name)").first()?.optionalInt64("latest")
        }
    }

    public func updateModelVersion(name: String, version: Int64, description: String, now: Int64) async throws -> ModelVersion {
        try await database.write { db in
            _ = try await Self.requireVersion(name, version, on: db)
            try await db.raw(
                """
                UPDATE model_versions SET description = \(bind: description), last_updated_time = \(bind: now)
                WHERE name = \(bind: name) AND version = \(bind: version)
                """
            ).run()
            return try await Self.requireVersion(name, version, on: db)
        }
    }

    public func deleteModelVersion(name: String, version: Int64, actor: String, now: Int64, audit: AuditEntry?) async throws {
        let engine = database.engine
        try await database.write { db in
            let existing = try await Self.requireVersion(name, version, on: db)
            if var audit {
                audit.details["aliases"] = existing.aliases.joined(separator: ",")
                audit.details["stage"] = existing.currentStage.rawValue
                try await SQLAuditLog.append(audit, now: now, engine: engine, on: db)
            }
            for alias in existing.aliases {
                try await Self.record(
                    RegistryEvent(
                        name: name, kind: .aliasDeleted, version: version, alias: alias, detail: "version deleted", actor: actor, time: now),
                    on: db)
            }
            try await db.raw("DELETE FROM model_versions WHERE name = \(bind: name) AND version = \(bind: version)").run()
            try await db.raw("UPDATE registered_models SET last_updated_time = \(bind: now) WHERE name = \(bind: name)").run()
            try await Self.record(
                RegistryEvent(name: name, kind: .versionDeleted, version: version, fromStage: existing.currentStage, actor: actor, time: now), on: db)
        }
    }

    public func searchModelVersions(_ query: RegistryQuery<ModelVersionField>) async throws -> Page<ModelVersion> {
        var conditions: [SQLQueryString] = ["1 = 1"]
        for clause in query.filter {
            switch clause.field {
            case .name: conditions.append(SQLComparison.string(column: "v.name", clause.comparator, clause.value))
            case .runID: conditions.append(SQLComparison.string(column: "v.run_id", clause.comparator, clause.value))
            case .sourcePath: conditions.append(SQLComparison.string(column: "v.source", clause.comparator, clause.value))
            case .versionNumber: conditions.append(SQLComparison.number(column: "v.version", clause.comparator, clause.value))
            case .creationTimestamp: conditions.append(SQLComparison.number(column: "v.creation_time", clause.comparator, clause.value))
            case .lastUpdatedTimestamp: conditions.append(SQLComparison.number(column: "v.last_updated_time", clause.comparator, clause.value))
            case .tag(let key):
                conditions.append(
                    Self.tagCondition(table: "model_version_tags", owner: "t.name = v.name AND t.version = v.version", key: key, clause))
            }
        }
        let order = query.orderBy.map { clause -> SQLQueryString in
            let column =
                switch clause.field {
                case .name: "v.name"
                case .versionNumber: "v.version"
                case .creationTimestamp: "v.creation_time"
                case .lastUpdatedTimestamp: "v.last_updated_time"
                default: "v.name"
                }
            return "\(unsafeRaw: column) \(unsafeRaw: clause.ascending ? "ASC" : "DESC")"
        }
        let statement = Self.pageClauses(conditions: conditions, order: order, query: query)
        let versions = try await database.read { db in try await Self.fetchVersions(where: statement, on: db) }
        return Page(overfetched: versions, limit: query.maxResults, offset: query.page.offset)
    }

    /// The tail of a search after `WHERE`: the conditions, the order, and one row more than the page, which says
    /// whether another page follows.
    static func pageClauses<Field>(conditions: [SQLQueryString], order: [SQLQueryString], query: RegistryQuery<Field>) -> SQLQueryString {
        """
        \(conditions.joined(separator: " AND ")) ORDER BY \(order.joined(separator: ", ")) \
        LIMIT \(literal: query.maxResults + 1) OFFSET \(literal: query.page.offset)
        """
    }

    public func transitionModelVersion(
        name: String, version: Int64, to stage: ModelStage, archiveExisting: Bool, actor: String, now: Int64, audit: AuditEntry?
    ) async throws -> ModelVersion {
        let engine = database.engine
        return try await database.write { db in
            try await Self.lockNames([name], engine: engine, on: db)
            let existing = try await Self.requireVersion(name, version, on: db)
            if var audit {
                audit.details["from_stage"] = existing.currentStage.rawValue
                audit.details["archive_existing"] = archiveExisting ? "true" : "false"
                try await SQLAuditLog.append(audit, now: now, engine: engine, on: db)
            }
            if archiveExisting {
                let others = try await db.raw(
                    """
                    SELECT version FROM model_versions
                    WHERE name = \(bind: name) AND current_stage = \(bind: stage.rawValue) AND version <> \(bind: version) ORDER BY version
                    """
                ).all().map { try $0.int64("version") }
                for other in others {
                    try await db.raw(
                        """
                        UPDATE model_versions SET current_stage = \(bind: ModelStage.archived.rawValue), last_updated_time = \(bind: now)
                        WHERE name = \(bind: name) AND version = \(bind: other)
                        """
                    ).run()
                    try await Self.record(
                        RegistryEvent(
                            name: name, kind: .stageTransition, version: other, fromStage: stage, toStage: .archived,
                            detail: "archived when version \(version) entered \(stage.rawValue)", actor: actor, time: now), on: db)
                }
            }
            try await db.raw(
                """
                UPDATE model_versions SET current_stage = \(bind: stage.rawValue), last_updated_time = \(bind: now)
                WHERE name = \(bind: name) AND version = \(bind: version)
                """
            ).run()
            try await db.raw("UPDATE registered_models SET last_updated_time = \(bind: now) WHERE name = \(bind: name)").run()
            try await Self.record(
                RegistryEvent(
                    name: name, kind: .stageTransition, version: version, fromStage: existing.currentStage, toStage: stage, actor: actor, time: now),
                on: db)
            return try await Self.requireVersion(name, version, on: db)
        }
    }

    public func setModelVersionTag(name: String, version: Int64, tag: Tag, now: Int64) async throws {
        try await database.write { db in
            _ = try await Self.requireVersion(name, version, on: db)
            try await Self.upsertVersionTags([tag], name: name, version: version, on: db)
        }
    }

    public func deleteModelVersionTag(name: String, version: Int64, key: String, now: Int64) async throws {
        try await database.write { db in
            _ = try await Self.requireVersion(name, version, on: db)
            try await db.raw(
                "DELETE FROM model_version_tags WHERE name = \(bind: name) AND version = \(bind: version) AND key = \(bind: key)"
            ).run()
        }
    }

    // MARK: Aliases

    public func setAlias(name: String, alias: String, version: Int64, actor: String, now: Int64, audit: AuditEntry?) async throws {
        let engine = database.engine
        try await database.write { db in
            try await Self.lockNames([name], engine: engine, on: db)
            _ = try await Self.requireVersion(name, version, on: db)
            let previous = try await db.raw(
                "SELECT version FROM registered_model_aliases WHERE name = \(bind: name) AND alias = \(bind: alias)"
            ).first()?.int64("version")
            if var audit {
                audit.details["alias"] = alias
                audit.details["previous_version"] = previous.map(String.init) ?? ""
                try await SQLAuditLog.append(audit, now: now, engine: engine, on: db)
            }
            guard previous != version else { return }
            try await db.raw(
                """
                INSERT INTO registered_model_aliases (name, alias, version) VALUES (\(bind: name), \(bind: alias), \(bind: version))
                ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version
                """
            ).run()
            try await Self.record(
                RegistryEvent(name: name, kind: .aliasSet, version: version, alias: alias, fromVersion: previous, actor: actor, time: now), on: db)
        }
    }

    public func deleteAlias(name: String, alias: String, actor: String, now: Int64, audit: AuditEntry?) async throws {
        let engine = database.engine
        try await database.write { db in
            try await Self.lockNames([name], engine: engine, on: db)
            try await Self.requireModel(name, on: db)
            guard
                let previous = try await db.raw(
                    "DELETE FROM registered_model_aliases WHERE name = \(bind: name) AND alias = \(bind: alias) RETURNING version"
                ).first()?.int64("version")
            else { return }
            if var audit {
                audit.details["version"] = "\(previous)"
                try await SQLAuditLog.append(audit, now: now, engine: engine, on: db)
            }
            try await Self.record(RegistryEvent(name: name, kind: .aliasDeleted, version: previous, alias: alias, actor: actor, time: now), on: db)
        }
    }

    public func aliasedVersion(name: String, alias: String) async throws -> Int64 {
        try await database.read { db in
            try await Self.requireModel(name, on: db)
            guard
                let version = try await db.raw(
                    "SELECT version FROM registered_model_aliases WHERE name = \(bind: name) AND alias = \(bind: alias)"
                ).first()?.int64("version")
            else { throw RegistryErrors.aliasNotFound(name, alias) }
            return version
        }
    }

    // MARK: Card notes and history

    public func cardNotes(name: String, version: Int64) async throws -> [String: String] {
        try await database.read { db in
            var notes: [String: String] = [:]
            for row in try await db.raw(
                "SELECT field, value FROM model_card_notes WHERE name = \(bind: name) AND version = \(bind: version)"
            ).all() {
                notes[try row.string("field")] = try row.string("value")
            }
            return notes
        }
    }

    public func setCardNotes(name: String, version: Int64, notes: [String: String], now: Int64, audit: AuditEntry) async throws {
        let engine = database.engine
        try await database.write { db in
            _ = try await Self.requireVersion(name, version, on: db)
            try await SQLAuditLog.append(audit, now: now, engine: engine, on: db)
            for (field, value) in notes.sorted(by: { $0.key < $1.key }) {
                if value.isEmpty {
                    try await db.raw(
                        "DELETE FROM model_card_notes WHERE name = \(bind: name) AND version = \(bind: version) AND field = \(bind: field)"
                    ).run()
                } else {
                    try await db.raw(
                        """
                        INSERT INTO model_card_notes (name, version, field, value) VALUES (\(bind: name), \(bind: version), \(bind: field), \(bind: value))
                        ON CONFLICT (name, version, field) DO UPDATE SET value = excluded.value
                        """
                    ).run()
                }
            }
        }
    }

    public func history(name: String) async throws -> [RegistryEvent] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT name, kind, version, alias, from_version, from_stage, to_stage, detail, actor, event_time
                FROM registry_events WHERE name = \(bind: name) ORDER BY event_id
                """
            ).all().map { row in
                RegistryEvent(
                    name: try row.string("name"), kind: RegistryEvent.Kind(rawValue: try row.string("kind")) ?? .versionCreated,
                    version: try row.optionalInt64("version"), alias: try row.optionalString("alias"),
                    fromVersion: try row.optionalInt64("from_version"),
                    fromStage: try row.optionalString("from_stage").flatMap(ModelStage.init(rawValue:)),
                    toStage: try row.optionalString("to_stage").flatMap(ModelStage.init(rawValue:)), detail: try row.optionalString("detail"),
                    actor: try row.string("actor"), time: try row.int64("event_time"))
            }
        }
    }
}

// MARK: - Statements

extension SQLModelRegistryRepository {
    static func requireModel(_ name: String, on db: any SQLDatabase) async throws {
        guard try await db.raw("SELECT name FROM registered_models WHERE name = \(bind: name)").first() != nil else {
            throw RegistryErrors.registeredModelNotFound(name)
        }
    }

    static func requireVersion(_ name: String, _ version: Int64, on db: any SQLDatabase) async throws -> ModelVersion {
        guard let found = try await fetchVersions(where: "v.name = \(bind: name) AND v.version = \(bind: version)", on: db).first else {
            try await requireModel(name, on: db)
            throw RegistryErrors.modelVersionNotFound(name, version)
        }
        return found
    }

    static func record(_ event: RegistryEvent, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO registry_events (name, kind, version, alias, from_version, from_stage, to_stage, detail, actor, event_time)
            VALUES (\(bind: event.name), \(bind: event.kind.rawValue), \(bind: event.version), \(bind: event.alias), \(bind: event.fromVersion),
                \(bind: event.fromStage?.rawValue), \(bind: event.toStage?.rawValue), \(bind: event.detail), \(bind: event.actor), \(bind: event.time))
            """
        ).run()
    }

    /// A tag clause; `!=` also matches entities without the tag (MLflow's prompt-exclusion clause relies on it).
    static func tagCondition<Field>(table: String, owner: String, key: String, _ clause: FilterClause<Field>) -> SQLQueryString {
        let lookup: SQLQueryString = "SELECT 1 FROM \(unsafeRaw: table) t WHERE \(unsafeRaw: owner) AND t.key = \(bind: key)"
        if clause.comparator == .notEqual, case .string(let value) = clause.value {
            return "NOT EXISTS (\(lookup) AND t.value = \(bind: value))"
        }
        return "EXISTS (\(lookup) AND \(SQLComparison.string(column: "t.value", clause.comparator, clause.value)))"
    }

    static func upsertTags(_ tags: [Tag], name: String, on db: any SQLDatabase) async throws {
        guard !tags.isEmpty else { return }
        let rows = tags.map { tag -> SQLQueryString in "(\(bind: name), \(bind: tag.key), \(bind: tag.value))" }
        try await db.raw(
            """
            INSERT INTO registered_model_tags (name, key, value) VALUES \(rows.joined(separator: ", "))
            ON CONFLICT (name, key) DO UPDATE SET value = excluded.value
            """
        ).run()
    }

    static func upsertVersionTags(_ tags: [Tag], name: String, version: Int64, on db: any SQLDatabase) async throws {
        guard !tags.isEmpty else { return }
        let rows = tags.map { tag -> SQLQueryString in "(\(bind: name), \(bind: version), \(bind: tag.key), \(bind: tag.value))" }
        try await db.raw(
            """
            INSERT INTO model_version_tags (name, version, key, value) VALUES \(rows.joined(separator: ", "))
            ON CONFLICT (name, version, key) DO UPDATE SET value = excluded.value
            """
        ).run()
    }

    /// Versions selected by `condition` over alias `v` (possibly with ORDER BY and LIMIT), with tags and aliases.
    static func fetchVersions(where condition: SQLQueryString, on db: any SQLDatabase) async throws -> [ModelVersion] {
        var versions = try await db.raw(
            """
            SELECT v.name, v.version, v.creation_time, v.last_updated_time, v.description, v.user_id, v.current_stage, v.source,
                   v.storage_location, v.run_id, v.run_link, v.status, v.model_id, v.content_digest
            FROM model_versions v WHERE \(condition)
            """
        ).all().map { row in
            ModelVersion(
                name: try row.string("name"), version: try row.int64("version"), creationTime: try row.int64("creation_time"),
                lastUpdatedTime: try row.int64("last_updated_time"), userID: try row.string("user_id"),
                currentStage: ModelStage(rawValue: try row.string("current_stage")) ?? .none, description: try row.string("description"),
                source: try row.string("source"), storageLocation: try row.string("storage_location"), runID: try row.string("run_id"),
                status: ModelVersionStatus(rawValue: try row.string("status")) ?? .ready, runLink: try row.string("run_link"),
                modelID: try row.optionalString("model_id"), contentDigest: try row.optionalString("content_digest"))
        }
        guard !versions.isEmpty else { return [] }
        var index: [String: Int] = [:]
        for (position, version) in versions.enumerated() { index[version.name + "\u{0}" + String(version.version)] = position }
        let names = Array(Set(versions.map(\.name)))
        let numbers = Array(Set(versions.map(\.version)))
        for row in try await db.raw(
            "SELECT name, version, key, value FROM model_version_tags WHERE name IN (\(binds: names)) AND version IN (\(binds: numbers)) ORDER BY key"
        ).all() {
            guard let position = index[try row.string("name") + "\u{0}" + String(try row.int64("version"))] else { continue }
            versions[position].tags.append(Tag(try row.string("key"), try row.string("value")))
        }
        for row in try await db.raw(
            "SELECT name, alias, version FROM registered_model_aliases WHERE name IN (\(binds: names)) AND version IN (\(binds: numbers)) ORDER BY alias"
        ).all() {
            guard let position = index[try row.string("name") + "\u{0}" + String(try row.int64("version"))] else { continue }
            versions[position].aliases.append(try row.string("alias"))
        }
        return versions
    }

    /// Models selected by `condition` over alias `m`, with tags, aliases and the newest version in each stage.
    static func fetchModels(where condition: SQLQueryString, on db: any SQLDatabase) async throws -> [RegisteredModel] {
        var models = try await db.raw(
            "SELECT m.name, m.creation_time, m.last_updated_time, m.description, m.user_id FROM registered_models m WHERE \(condition)"
        ).all().map { row in
            RegisteredModel(
                name: try row.string("name"), creationTime: try row.int64("creation_time"), lastUpdatedTime: try row.int64("last_updated_time"),
                userID: try row.string("user_id"), description: try row.string("description"))
        }
        guard !models.isEmpty else { return [] }
        var index: [String: Int] = [:]
        for (position, model) in models.enumerated() { index[model.name] = position }
        let names = models.map(\.name)
        for row in try await db.raw("SELECT name, key, value FROM registered_model_tags WHERE name IN (\(binds: names)) ORDER BY key").all() {
            models[index[try row.string("name")]!].tags.append(Tag(try row.string("key"), try row.string("value")))
        }
        for row in try await db.raw(
            "SELECT name, alias, version FROM registered_model_aliases WHERE name IN (\(binds: names)) ORDER BY alias"
        ).all() {
            models[index[try row.string("name")]!].aliases.append(ModelAlias(alias: try row.string("alias"), version: try row.int64("version")))
        }
        let latest = try await fetchVersions(
            where: """
                v.name IN (\(binds: names)) AND v.version = (SELECT MAX(w.version) FROM model_versions w \
                WHERE w.name = v.name AND w.current_stage = v.current_stage) ORDER BY v.name, v.version
                """, on: db)
        for var version in latest {
            version.aliases = []
            models[index[version.name]!].latestVersions.append(version)
        }
        return models
    }
}
