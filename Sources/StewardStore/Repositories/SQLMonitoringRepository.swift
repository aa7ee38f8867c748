import Foundation
import SQLKit
import StewardCore
import StewardStatistics

/// Inference events, labels and monitoring settings in SQL.
public struct SQLMonitoringRepository: MonitoringRepository {
    let database: any StoreDatabase

    public init(database: any StoreDatabase) {
        self.database = database
    }

    /// Rows per INSERT: 16 columns each, well under both engines' limits on bound parameters.
    static let rowsPerStatement = 1000

    public func insertEvents(systemID: String, events: [InferenceEvent], profiling: EventProfiling) async throws -> Set<String> {
        let engine = database.engine
        // Encoded before the write: on SQLite the writer is one thread for every request.
        let prepared = try profiling.profiles.map { ($0, try Self.document($0)) }
        let texts = events.map(EventTexts.init)
        return try await database.write { db in
            try await SQLGovernanceRepository.requireSystem(systemID, on: db)
            // A reference change (which profiles the stored events again) waits for ingestion in progress, and
            // ingestion for it: the two never miss each other's events.
            try await SQLGovernanceRepository.shareLockSystem(systemID, engine: engine, on: db)
            var inserted = Set<String>()
            var start = 0
            while start < events.count {
                let range = start..<min(start + Self.rowsPerStatement, events.count)
                defer { start += Self.rowsPerStatement }
                // On SQLite the values are bound directly, skipping SQLKit's per-bind serialization (measured to
                // be most of the writer's time at 70k events/s); the statement is the same.
                if let sqlite = db as? SQLiteSQLDatabase {
                    try Self.insert(events[range], texts[range], systemID: systemID, into: sqlite.handle, inserted: &inserted)
                    continue
                }
                let rows = range.map { index -> SQLQueryString in
                    let (event, text) = (events[index], texts[index])
                    return """
                        (\(bind: systemID), \(bind: event.requestID), \(bind: event.time), \(bind: event.model), \(bind: event.version),
                         \(bind: text.features), \(bind: text.prediction), \(bind: event.score), \(bind: event.latencyMilliseconds),
                         \(bind: event.tokensIn), \(bind: event.tokensOut), \(bind: event.costUSD), \(bind: event.failed ? 1 : 0),
                         \(bind: text.safetyFlags))
                        """
                }
                let returned = try await db.raw(
                    """
                    \(unsafeRaw: Self.insertColumns) \(rows.joined(separator: ", "))
                    ON CONFLICT (system_id, request_id) DO NOTHING
                    RETURNING request_id
                    """
                ).all()
                for row in returned { inserted.insert(try row.string("request_id")) }
            }
            guard !inserted.isEmpty else { return inserted }
            let version = try await Self.referenceVersion(systemID, on: db) ?? 0
            if version == profiling.referenceVersion, inserted.count == events.count {
                try await Self.insertProfiles(prepared, systemID: systemID, on: db)
            } else {
                let reference = version == 0 ? nil : try await Self.reference(systemID, version: version, on: db)
                let profiles = profiling.profile(reference, events.filter { inserted.contains($0.requestID) })
                try await Self.insertProfiles(try profiles.map { ($0, try Self.document($0)) }, systemID: systemID, on: db)
            }
            return inserted
        }
    }

    static let insertColumns = """
        INSERT INTO inference_events (system_id, request_id, time_ms, model_name, model_version, features, prediction, score,
            latency_ms, tokens_in, tokens_out, cost_usd, failed, safety_flags)
        VALUES
        """

    /// An event's JSON columns, written before the transaction.
    struct EventTexts: Sendable {
        let features: String
        let prediction: String?
        let safetyFlags: String

        init(_ event: InferenceEvent) {
            features = SQLMonitoringRepository.json(event.features)
            prediction = event.prediction?.json
            safetyFlags = SQLMonitoringRepository.json(event.safetyFlags)
        }
    }

    /// The same INSERT as the SQLKit path, with `?` placeholders and values bound as they are.
    static func insert(
        _ events: ArraySlice<InferenceEvent>, _ texts: ArraySlice<EventTexts>, systemID: String, into handle: SQLiteHandle,
        inserted: inout Set<String>
    ) throws {
        let row = "(?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
        let sql =
            insertColumns + " " + repeatElement(row, count: events.count).joined(separator: ",")
            + " ON CONFLICT (system_id, request_id) DO NOTHING RETURNING request_id"
        var values: [SQLiteValue] = []
        values.reserveCapacity(events.count * 14)
        func optional(_ value: Double?) -> SQLiteValue { value.map(SQLiteValue.real) ?? .null }
        func optional(_ value: Int64?) -> SQLiteValue { value.map(SQLiteValue.integer) ?? .null }
        func optional(_ value: String?) -> SQLiteValue { value.map(SQLiteValue.text) ?? .null }
        for (event, text) in zip(events, texts) {
            values += [
                .text(systemID), .text(event.requestID), .integer(event.time), optional(event.model), optional(event.version),
                .text(text.features), optional(text.prediction), optional(event.score), optional(event.latencyMilliseconds),
                optional(event.tokensIn), optional(event.tokensOut), optional(event.costUSD), .integer(event.failed ? 1 : 0),
                .text(text.safetyFlags),
            ]
        }
        var failure: (any Error)?
        try handle.run(sql, values) { row in
            do { inserted.insert(try row.decode(column: "request_id", as: String.self)) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    public func applyLabels(systemID: String, labels: [EventLabel], now: Int64) async throws -> Set<String> {
        try await database.write { db in
            try await SQLGovernanceRepository.requireSystem(systemID, on: db)
            var matched = Set<String>()
            for label in labels {
                let rows = try await db.raw(
                    """
                    UPDATE inference_events SET
                        label = COALESCE(\(bind: label.label?.json), label),
                        feedback = COALESCE(\(bind: label.feedback), feedback),
                        labeled_at = \(bind: now)
                    WHERE system_id = \(bind: systemID) AND request_id = \(bind: label.requestID)
                    RETURNING request_id
                    """
                ).all()
                if !rows.isEmpty { matched.insert(label.requestID) }
            }
            return matched
        }
    }

    public func deleteEvents(systemID: String, before: Int64) async throws -> Int {
        let engine = database.engine
        return try await database.write { db in
            // Not while a new reference profiles the stored events (which would profile some being deleted).
            try await SQLGovernanceRepository.shareLockSystem(systemID, engine: engine, on: db)
            try await db.raw("DELETE FROM window_profiles WHERE system_id = \(bind: systemID) AND bucket_start + bucket_ms <= \(bind: before)").run()
            return try await db.raw(
                "DELETE FROM inference_events WHERE system_id = \(bind: systemID) AND time_ms < \(bind: before) RETURNING request_id"
            ).all().count
        }
    }

    public func labeledEvents(systemID: String, from: Int64, to: Int64) async throws -> [StoredEvent] {
        try await database.read { db in
            try await SQLGovernanceRepository.requireSystem(systemID, on: db)
            return try await db.raw(
                """
                SELECT \(unsafeRaw: Self.eventColumns) FROM inference_events
                WHERE system_id = \(bind: systemID) AND time_ms >= \(bind: from) AND time_ms < \(bind: to) AND labeled_at IS NOT NULL
                ORDER BY time_ms, request_id
                """
            ).all().map(Self.storedEvent)
        }
    }

    static let eventColumns = """
        request_id, time_ms, model_name, model_version, features, prediction, score, latency_ms, tokens_in, tokens_out, cost_usd, failed,
        safety_flags, label, feedback
        """

    /// An event row (selected with `eventColumns`).
    static func storedEvent(_ row: any SQLRow) throws -> StoredEvent {
        StoredEvent(
            event: InferenceEvent(
                requestID: try row.string("request_id"), time: try row.int64("time_ms"), model: try row.optionalString("model_name"),
                version: try row.optionalInt64("model_version"), features: try features(try row.string("features")),
                prediction: try row.optionalString("prediction").map(value), score: try row.optionalDouble("score"),
                latencyMilliseconds: try row.optionalDouble("latency_ms"), tokensIn: try row.optionalInt64("tokens_in"),
                tokensOut: try row.optionalInt64("tokens_out"), costUSD: try row.optionalDouble("cost_usd"), failed: try row.int64("failed") != 0,
                safetyFlags: try flags(try row.string("safety_flags"))),
            label: try row.optionalString("label").map(value), feedback: try row.optionalDouble("feedback"))
    }

    public func storeReference(_ profile: ReferenceProfile, audit: AuditEntry, profile profileEvents: @escaping WindowProfiler) async throws -> Int64
    {
        let engine = database.engine
        let document = String(decoding: try JSONEncoder().encode(profile.features), as: UTF8.self)
        return try await database.write { db in
            try await SQLGovernanceRepository.requireSystem(profile.systemID, on: db)
            try await SQLGovernanceRepository.lockSystem(profile.systemID, engine: engine, on: db)
            let last =
                try await db.raw("SELECT MAX(version) AS version FROM reference_profiles WHERE system_id = \(bind: profile.systemID)").first()?
                .optionalInt64("version") ?? 0
            try await db.raw(
                """
                INSERT INTO reference_profiles (system_id, version, source, profile, created_by, created_at, model_name, model_version)
                VALUES (\(bind: profile.systemID), \(bind: last + 1), \(bind: profile.source), \(bind: document), \(bind: profile.createdBy),
                        \(bind: profile.createdAt), \(bind: profile.model?.name), \(bind: profile.model?.version))
                """
            ).run()
            var audit = audit
            audit.details["version"] = "\(last + 1)"
            try await SQLAuditLog.append(audit, now: profile.createdAt, engine: engine, on: db)
            var stored = profile
            stored.version = last + 1
            try await Self.reprofileEvents(stored.systemID, over: stored, on: db, profileEvents)
            return last + 1
        }
    }

    public func currentReference(systemID: String) async throws -> ReferenceProfile? {
        try await database.read { db in
            try await SQLGovernanceRepository.requireSystem(systemID, on: db)
            return try await Self.reference(systemID, version: nil, on: db)
        }
    }

    public func currentReferenceVersion(systemID: String) async throws -> MonitoringFacts.Reference? {
        try await database.read { db in
            try await db.raw(
                "SELECT version, source FROM reference_profiles WHERE system_id = \(bind: systemID) ORDER BY version DESC LIMIT 1"
            ).first().map { MonitoringFacts.Reference(version: try $0.int64("version"), source: try $0.string("source")) }
        }
    }

    /// A reference profile version of a system, or its latest.
    static func reference(_ systemID: String, version: Int64?, on db: any SQLDatabase) async throws -> ReferenceProfile? {
        let filter: SQLQueryString = version.map { " AND version = \(bind: $0)" } ?? ""
        guard
            let row = try await db.raw(
                """
                SELECT version, source, profile, created_by, created_at, model_name, model_version FROM reference_profiles
                WHERE system_id = \(bind: systemID)\(filter) ORDER BY version DESC LIMIT 1
                """
            ).first()
        else { return nil }
        let model = try row.optionalString("model_name").map { name in
            ReferenceProfile.ModelVersionKey(name: name, version: try row.optionalInt64("model_version") ?? 0)
        }
        return ReferenceProfile(
            systemID: systemID, version: try row.int64("version"), source: try row.string("source"),
            features: try JSONDecoder().decode([String: FeatureProfile].self, from: Data(try row.string("profile").utf8)),
            createdBy: try row.string("created_by"), createdAt: try row.int64("created_at"), model: model)
    }

    static func referenceVersion(_ systemID: String, on db: any SQLDatabase) async throws -> Int64? {
        try await db.raw("SELECT MAX(version) AS version FROM reference_profiles WHERE system_id = \(bind: systemID)").first()?.optionalInt64(
            "version")
    }

    public func settings(systemID: String) async throws -> MonitoringSettings {
        try await database.read { db in
            try await SQLGovernanceRepository.requireSystem(systemID, on: db)
            guard let row = try await db.raw("SELECT retention_days FROM monitoring_settings WHERE system_id = \(bind: systemID)").first() else {
                return .default
            }
            return MonitoringSettings(retentionDays: Int(try row.int64("retention_days")))
        }
    }

    public func storeSettings(systemID: String, settings: MonitoringSettings, audit: AuditEntry, now: Int64) async throws {
        let engine = database.engine
        try await database.write { db in
            try await SQLGovernanceRepository.requireSystem(systemID, on: db)
            try await db.raw(
                """
                INSERT INTO monitoring_settings (system_id, retention_days, updated_at)
                VALUES (\(bind: systemID), \(bind: Int64(settings.retentionDays)), \(bind: now))
                ON CONFLICT (system_id) DO UPDATE SET retention_days = excluded.retention_days, updated_at = excluded.updated_at
                """
            ).run()
            try await SQLAuditLog.append(audit, now: now, engine: engine, on: db)
        }
    }

    public func storeAlertRules(systemID: String, document: String, audit: AuditEntry, now: Int64) async throws {
        let engine = database.engine
        try await database.write { db in
            try await SQLGovernanceRepository.requireSystem(systemID, on: db)
            try await db.raw(
                """
                INSERT INTO alert_rules (system_id, document, updated_at) VALUES (\(bind: systemID), \(bind: document), \(bind: now))
                ON CONFLICT (system_id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at
                """
            ).run()
            try await SQLAuditLog.append(audit, now: now, engine: engine, on: db)
        }
    }

    public func alertRules() async throws -> [String: String] {
        try await database.read { db in
            var rules: [String: String] = [:]
            for row in try await db.raw("SELECT system_id, document FROM alert_rules").all() {
                rules[try row.string("system_id")] = try row.string("document")
            }
            return rules
        }
    }

    public func alertRules(systemID: String) async throws -> String? {
        try await database.read { db in
            try await SQLGovernanceRepository.requireSystem(systemID, on: db)
            return try await db.raw("SELECT document FROM alert_rules WHERE system_id = \(bind: systemID)").first()?.string("document")
        }
    }

    public func alerts(systemID: String, firing: Bool) async throws -> [Alert] {
        try await database.read { db in
            try await SQLGovernanceRepository.requireSystem(systemID, on: db)
            let filter: SQLQueryString = firing ? " AND status = 'firing'" : ""
            return try await db.raw(
                """
                SELECT id, system_id, rule, category, status, value, threshold, fired_at, resolved_at FROM alerts
                WHERE system_id = \(bind: systemID)\(filter) ORDER BY fired_at DESC, id
                """
            ).all().map { row in
                Alert(
                    id: try row.string("id"), systemID: try row.string("system_id"), rule: try row.string("rule"),
                    category: AlertRules.Category(rawValue: try row.string("category")) ?? .performance,
                    status: Alert.Status(rawValue: try row.string("status")) ?? .resolved, value: try row.double("value"),
                    threshold: try row.double("threshold"), firedAt: try row.int64("fired_at"), resolvedAt: try row.optionalInt64("resolved_at"))
            }
        }
    }

    public func saveAlertChanges(_ changes: [AlertChange], now: Int64, claimUntil: Int64) async throws -> [AlertChange] {
        let engine = database.engine
        do {
            return try await database.write { db in
                var applied: [AlertChange] = []
                for change in changes {
                    let alert = change.alert
                    switch change.kind {
                    case .opened:
                        try await db.raw(
                            """
                            INSERT INTO alerts (id, system_id, rule, category, status, value, threshold, fired_at, resolved_at)
                            VALUES (\(bind: alert.id), \(bind: alert.systemID), \(bind: alert.rule), \(bind: alert.category.rawValue),
                                    \(bind: alert.status.rawValue), \(bind: alert.value), \(bind: alert.threshold), \(bind: alert.firedAt), \(bind: alert.resolvedAt))
                            """
                        ).run()
                    case .updated, .resolved:
                        // Only while it is still firing: another evaluation may have resolved it meanwhile.
                        let updated = try await db.raw(
                            """
                            UPDATE alerts SET status = \(bind: alert.status.rawValue), value = \(bind: alert.value), resolved_at = \(bind: alert.resolvedAt)
                            WHERE id = \(bind: alert.id) AND status = 'firing' RETURNING id
                            """
                        ).all()
                        if updated.isEmpty { continue }
                    }
                    if let audit = change.audit {
                        try await SQLAuditLog.append(audit, now: alert.resolvedAt ?? alert.firedAt, engine: engine, on: db)
                    }
                    for message in change.messages {
                        try await db.raw(
                            """
                            INSERT INTO webhook_outbox (id, system_id, url, event, body, created_at, attempts, next_attempt_at, claim, claimed_until)
                            VALUES (\(bind: message.id), \(bind: message.systemID), \(bind: message.url), \(bind: message.event), \(bind: message.body),
                                    \(bind: message.createdAt), \(bind: Int64(message.attempts)), \(bind: message.nextAttemptAt), \(bind: message.claim),
                                    \(bind: claimUntil))
                            """
                        ).run()
                    }
                    applied.append(change)
                }
                return applied
            }
        } catch  where DatabaseConstraint.isUniqueViolation(error) {
            throw StewardError(
                .resourceConflict, "Another evaluation of this system's alerts opened the same alert just now; nothing was written. Evaluate again.")
        }
    }

    public func claimWebhookMessages(now: Int64, until: Int64, limit: Int) async throws -> [WebhookMessage] {
        let engine = database.engine
        return try await database.write { db in
            // Another replica's sender skips the rows this one is claiming rather than waiting for them.
            let lock: SQLQueryString = engine == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
            let rows = try await db.raw(
                """
                SELECT id, system_id, url, event, body, created_at, attempts, next_attempt_at FROM webhook_outbox
                WHERE next_attempt_at <= \(bind: now) AND (claimed_until IS NULL OR claimed_until <= \(bind: now))
                ORDER BY next_attempt_at, id LIMIT \(literal: limit)\(lock)
                """
            ).all()
            var messages: [WebhookMessage] = []
            for row in rows {
                let message = WebhookMessage(
                    id: try row.string("id"), systemID: try row.string("system_id"), url: try row.string("url"), event: try row.string("event"),
                    body: try row.string("body"), createdAt: try row.int64("created_at"), attempts: Int(try row.int64("attempts")),
                    nextAttemptAt: try row.int64("next_attempt_at"), claim: UUID().uuidString)
                try await db.raw(
                    "UPDATE webhook_outbox SET claim = \(bind: message.claim), claimed_until = \(bind: until) WHERE id = \(bind: message.id)"
                ).run()
                messages.append(message)
            }
            return messages
        }
    }

    public func recordWebhookAttempt(_ delivery: WebhookDelivery, claim: String) async throws -> Bool {
        try await database.write { db in
            if let next = delivery.nextAttemptAt {
                let updated = try await db.raw(
                    """
                    UPDATE webhook_outbox SET attempts = \(bind: Int64(delivery.attempts)), next_attempt_at = \(bind: next),
                        last_status = \(bind: delivery.status.map(Int64.init)), last_error = \(bind: delivery.error),
                        last_attempt_at = \(bind: delivery.deliveredAt), claim = NULL, claimed_until = NULL
                    WHERE id = \(bind: delivery.id) AND claim = \(bind: claim) RETURNING id
                    """
                ).all()
                return !updated.isEmpty
            }
            // Only the sender that still holds the claim removes the message and logs it, so it is logged once.
            let removed = try await db.raw("DELETE FROM webhook_outbox WHERE id = \(bind: delivery.id) AND claim = \(bind: claim) RETURNING id").all()
            guard !removed.isEmpty else { return false }
            try await db.raw(
                """
                INSERT INTO webhook_deliveries (id, system_id, url, event, attempts, status, error, delivered_at)
                VALUES (\(bind: delivery.id), \(bind: delivery.systemID), \(bind: delivery.url), \(bind: delivery.event),
                        \(bind: Int64(delivery.attempts)), \(bind: delivery.status.map(Int64.init)), \(bind: delivery.error),
                        \(bind: delivery.deliveredAt))
                """
            ).run()
            return true
        }
    }

    public func deliveries(systemID: String) async throws -> [WebhookDelivery] {
        try await database.read { db in
            try await SQLGovernanceRepository.requireSystem(systemID, on: db)
            let logged = try await db.raw(
                """
                SELECT id, system_id, url, event, attempts, status, error, delivered_at FROM webhook_deliveries
                WHERE system_id = \(bind: systemID) ORDER BY delivered_at, url
                """
            ).all().map { row in
                WebhookDelivery(
                    id: try row.optionalString("id") ?? "", systemID: try row.string("system_id"), url: try row.string("url"),
                    event: try row.string("event"), attempts: Int(try row.int64("attempts")), status: try row.optionalInt64("status").map(Int.init),
                    error: try row.optionalString("error"), deliveredAt: try row.int64("delivered_at"))
            }
            let pending = try await db.raw(
                """
                SELECT id, system_id, url, event, attempts, last_status, last_error, last_attempt_at, created_at, next_attempt_at
                FROM webhook_outbox WHERE system_id = \(bind: systemID) ORDER BY created_at, id
                """
            ).all().map { row in
                WebhookDelivery(
                    id: try row.string("id"), systemID: try row.string("system_id"), url: try row.string("url"), event: try row.string("event"),
                    attempts: Int(try row.int64("attempts")), status: try row.optionalInt64("last_status").map(Int.init),
                    error: try row.optionalString("last_error"), deliveredAt: try row.optionalInt64("last_attempt_at") ?? row.int64("created_at"),
                    nextAttemptAt: try row.int64("next_attempt_at"))
            }
            return logged + pending
        }
    }

    /// Features as a JSON object with sorted keys.
    static func json(_ features: [String: FeatureValue]) -> String {
        "{" + features.sorted { $0.key < $1.key }.map { FeatureValue.text($0.key).json + ":" + $0.value.json }.joined(separator: ",") + "}"
    }

    static func json(_ flags: [String]) -> String {
        "[" + flags.map { FeatureValue.text($0).json }.joined(separator: ",") + "]"
    }

    static func features(_ text: String) throws -> [String: FeatureValue] {
        try JSONDecoder().decode([String: FeatureValue].self, from: Data(text.utf8))
    }

    static func flags(_ text: String) throws -> [String] {
        try JSONDecoder().decode([String].self, from: Data(text.utf8))
    }

    static func value(_ text: String) throws -> FeatureValue {
        try JSONDecoder().decode(FeatureValue.self, from: Data(text.utf8))
    }
}
