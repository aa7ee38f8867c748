import Foundation
import SQLKit
import StewardCore
import StewardStatistics

/// Inference events, their labels and the system's retention setting in SQL; window profiles in
/// `SQLEventRepository+WindowProfiles`.
public struct SQLEventRepository: EventRepository {
    let database: any StoreDatabase
    let decoded = DecodedProfiles()

    public init(database: any StoreDatabase) {
        self.database = database
    }

    /// Rows per INSERT: 17 columns each, well under both engines' limits on bound parameters.
    static let rowsPerStatement = 1000
    /// Rows per INSERT for what is left under `rowsPerStatement` (a flush of served events: a few hundred).
    ///
    /// SQLite prepares a statement of a size it has not kept anew, a run of the writer that nothing can break
    /// (a 270-row statement's parse took milliseconds), and a flush of served events is a different size each
    /// time. In statements of 64 rows, which every flush uses and so stays among the connection's four kept large
    /// statements, and a remainder under 64 (prepared anew when its size was not among them), the writer reaches a
    /// `YieldPoint` between statements and SQLite's progress handler within them: with `bench/router.py`'s
    /// setup on a fresh server at one connection (wrk, 8 s, release build), p99 2.4 ms with 1,000-row statements
    /// and yield points, 0.91–1.15 ms with these. Not for every row: 64-row statements throughout took
    /// `bench/events.py` from 80–83k to 66k events/s.
    static let rowsPerSmallStatement = 64

    /// The rows of each INSERT for `count` events: whole statements of `rowsPerStatement`, then of
    /// `rowsPerSmallStatement`, then the rest.
    static func statementRanges(count: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        while start < count {
            let left = count - start
            let size = left >= rowsPerStatement ? rowsPerStatement : min(left, rowsPerSmallStatement)
            ranges.append(start..<start + size)
            start += size
        }
        return ranges
    }

    public func insertEvents(systemID: String, events: [InferenceEvent], profiling: EventProfiling) async throws -> Set<String> {
        let engine = database.engine
        // Encoded before the write: on SQLite the writer is one thread for every request.
        let prepared = try profiling.profiles.map { ($0, try Self.document($0)) }
        var writer = FeaturesJSONWriter()
        let texts = events.map { event in
            defer { YieldPoint.pass() }
            return EventTexts(event, features: &writer)
        }
        return try await database.write { db in
            try await SQLSystemRepository.requireSystem(systemID, on: db)
            // A reference change (which profiles the stored events again) waits for ingestion in progress, and
            // ingestion for it: the two never miss each other's events.
            try await SQLSystemRepository.shareLockSystem(systemID, engine: engine, on: db)
            var inserted = Set<String>(minimumCapacity: events.count)
            for range in Self.statementRanges(count: events.count) {
                // The writer's long runs give way to a waiting event loop (see `rowsPerSmallStatement`).
                YieldPoint.pass()
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
                         \(bind: text.safetyFlags), \(bind: event.deploymentID), \(bind: event.arm), \(bind: event.unit))
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
            let version = try await SQLReferenceRepository.referenceVersion(systemID, on: db) ?? 0
            if version == profiling.referenceVersion, inserted.count == events.count {
                try await Self.insertProfiles(prepared, systemID: systemID, on: db)
            } else {
                let reference = version == 0 ? nil : try await SQLReferenceRepository.reference(systemID, version: version, on: db)
                let profiles = profiling.profile(reference, events.filter { inserted.contains($0.requestID) })
                try await Self.insertProfiles(try profiles.map { ($0, try Self.document($0)) }, systemID: systemID, on: db)
            }
            return inserted
        }
    }

    static let insertColumns = """
        INSERT INTO inference_events (system_id, request_id, time_ms, model_name, model_version, features, prediction, score,
            latency_ms, tokens_in, tokens_out, cost_usd, failed, safety_flags, deployment_id, arm, unit_key)
        VALUES
        """

    /// An event's JSON columns, written before the transaction.
    struct EventTexts: Sendable {
        let features: String
        let prediction: String?
        let safetyFlags: String

        init(_ event: InferenceEvent, features writer: inout FeaturesJSONWriter) {
            features = writer.json(event.features)
            prediction = event.prediction?.json
            safetyFlags = SQLEventRepository.json(event.safetyFlags)
        }
    }

    /// The same INSERT as the SQLKit path, with `?` placeholders and values bound as they are.
    static func insert(
        _ events: ArraySlice<InferenceEvent>, _ texts: ArraySlice<EventTexts>, systemID: String, into handle: SQLiteHandle,
        inserted: inout Set<String>
    ) throws {
        let sql =
            events.count == rowsPerStatement
            ? largeInsertText : events.count < smallInsertTexts.count ? smallInsertTexts[events.count] : insertText(rows: events.count)
        var values: [SQLiteValue] = []
        values.reserveCapacity(events.count * 17)
        func optional(_ value: Double?) -> SQLiteValue { value.map(SQLiteValue.real) ?? .null }
        func optional(_ value: Int64?) -> SQLiteValue { value.map(SQLiteValue.integer) ?? .null }
        func optional(_ value: String?) -> SQLiteValue { value.map(SQLiteValue.text) ?? .null }
        // Appended one by one: an array literal per event was a temporary array allocated and freed per row.
        for (event, text) in zip(events, texts) {
            values.append(.text(systemID))
            values.append(.text(event.requestID))
            values.append(.integer(event.time))
            values.append(optional(event.model))
            values.append(optional(event.version))
            values.append(.text(text.features))
            values.append(optional(text.prediction))
            values.append(optional(event.score))
            values.append(optional(event.latencyMilliseconds))
            values.append(optional(event.tokensIn))
            values.append(optional(event.tokensOut))
            values.append(optional(event.costUSD))
            values.append(.integer(event.failed ? 1 : 0))
            values.append(.text(text.safetyFlags))
            values.append(optional(event.deploymentID))
            values.append(optional(event.arm))
            values.append(optional(event.unit))
        }
        var failure: (any Error)?
        try handle.run(sql, values) { row in
            do { inserted.insert(try row.decode(column: "request_id", as: String.self)) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// The SQLite INSERT of `rows` events, with `?` placeholders.
    static func insertText(rows: Int) -> String {
        insertColumns + " " + repeatElement("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", count: rows).joined(separator: ",")
            + " ON CONFLICT (system_id, request_id) DO NOTHING RETURNING request_id"
    }

    /// The texts of the INSERTs a flush uses, made once: building the text of each statement was 3% of the
    /// writer's time at 16 connections of `bench/router.py`.
    static let smallInsertTexts = (0...rowsPerSmallStatement).map { insertText(rows: $0) }
    static let largeInsertText = insertText(rows: rowsPerStatement)

    /// Labels the events of each label's request id, and the shadow copies of that request (`<id>@<arm>`, for each
    /// other arm of the deployment that served it: the truth about a request is the truth for every arm that saw
    /// it). Matched by equality only, so that each label is a few index lookups on either engine.
    public func applyLabels(systemID: String, labels: [EventLabel], now: Int64) async throws -> Set<String> {
        try await database.write { db in
            try await SQLSystemRepository.requireSystem(systemID, on: db)
            var matched = Set<String>()
            var arms: [String: [String]] = [:]
            for label in labels {
                func apply(to requestIDs: [String]) async throws -> [SQLRow] {
                    try await db.raw(
                        """
                        UPDATE inference_events SET
                            label = COALESCE(\(bind: label.label?.json), label),
                            feedback = COALESCE(\(bind: label.feedback), feedback),
                            judge_score = COALESCE(\(bind: label.judgeScore), judge_score),
                            labeled_at = \(bind: now)
                        WHERE system_id = \(bind: systemID) AND request_id IN \(SQLBind.group(requestIDs))
                        RETURNING request_id, deployment_id, arm
                        """
                    ).all()
                }
                guard let row = try await apply(to: [label.requestID]).first else { continue }
                matched.insert(label.requestID)
                guard let deploymentID = try row.optionalString("deployment_id") else { continue }
                if arms[deploymentID] == nil {
                    arms[deploymentID] =
                        try await SQLDeploymentRepository.fetch(where: "id = \(bind: deploymentID)", on: db).first?.arms.map(\.name) ?? []
                }
                let served = try row.optionalString("arm")
                let copies = (arms[deploymentID] ?? []).filter { $0 != served }.map { "\(label.requestID)@\($0)" }
                if !copies.isEmpty { _ = try await apply(to: copies) }
            }
            return matched
        }
    }

    public func deleteEvents(systemID: String, before: Int64) async throws -> Int {
        let engine = database.engine
        return try await database.write { db in
            // Not while a new reference profiles the stored events (which would profile some being deleted).
            try await SQLSystemRepository.shareLockSystem(systemID, engine: engine, on: db)
            try await db.raw("DELETE FROM window_profiles WHERE system_id = \(bind: systemID) AND bucket_start + bucket_ms <= \(bind: before)").run()
            return try await db.raw(
                "DELETE FROM inference_events WHERE system_id = \(bind: systemID) AND time_ms < \(bind: before) RETURNING request_id"
            ).all().count
        }
    }

    public func labeledEvents(systemID: String, from: Int64, to: Int64) async throws -> [StoredEvent] {
        try await database.read { db in
            try await SQLSystemRepository.requireSystem(systemID, on: db)
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

    public func settings(systemID: String) async throws -> MonitoringSettings {
        try await database.read { db in
            try await SQLSystemRepository.requireSystem(systemID, on: db)
            guard let row = try await db.raw("SELECT retention_days FROM monitoring_settings WHERE system_id = \(bind: systemID)").first() else {
                return .default
            }
            return MonitoringSettings(retentionDays: Int(try row.int64("retention_days")))
        }
    }

    public func storeSettings(systemID: String, settings: MonitoringSettings, audit: AuditEntry, now: Int64) async throws {
        let engine = database.engine
        try await database.write { db in
            try await SQLSystemRepository.requireSystem(systemID, on: db)
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

    static func json(_ flags: [String]) -> String {
        if flags.isEmpty { return "[]" }
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        for (index, flag) in flags.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            CanonicalJSON.writeString(flag, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
        return String(decoding: bytes, as: UTF8.self)
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
