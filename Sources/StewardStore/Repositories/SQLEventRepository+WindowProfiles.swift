import Foundation
import SQLKit
import StewardCore
import StewardStatistics

/// Window profiles: the per-bucket profiles of events that drift over a window is merged from.
extension SQLEventRepository {
    static let profileColumns = "id, reference_version, bucket_start, bucket_ms, events, compacted, profile"

    public func windowProfiles(systemID: String, referenceVersion: Int64, from: Int64, to: Int64) async throws -> [WindowProfile] {
        try await database.read { db in
            try await SQLSystemRepository.requireSystem(systemID, on: db)
            // No bucket is wider than an hour, which bounds the index range.
            return try await Self.profiles(
                """
                system_id = \(bind: systemID) AND reference_version = \(bind: referenceVersion)
                AND bucket_start > \(bind: from - WindowProfile.hour) AND bucket_start < \(bind: to) AND bucket_start + bucket_ms > \(bind: from)
                """, decoded: decoded, on: db)
        }
    }

    /// Rows compaction looks at in one turn, oldest first: a backlog is worked off over several turns.
    static let compactionBatch = 5000

    public func compactionCandidates(systemID: String, closedBefore: Int64, hourCutoff: Int64) async throws -> [WindowProfile] {
        try await database.read { db in
            var rows = try await Self.profiles(
                """
                system_id = \(bind: systemID) AND ((compacted = 0 AND bucket_start + bucket_ms <= \(bind: closedBefore))
                    OR (bucket_ms = \(bind: WindowProfile.minute) AND bucket_start < \(bind: hourCutoff)))
                """, limit: Self.compactionBatch, on: db)
            var seen = Set(rows.map(\.id))
            for hour in Set(rows.map { WindowProfile.bucket(of: $0.bucketStart, width: WindowProfile.hour) }) {
                for row in try await Self.profiles(
                    """
                    system_id = \(bind: systemID) AND compacted = 1 AND bucket_start >= \(bind: hour) AND bucket_start < \(bind: hour + WindowProfile.hour)
                    """, on: db) where seen.insert(row.id).inserted
                {
                    rows.append(row)
                }
            }
            return rows
        }
    }

    public func replaceWindowProfiles(systemID: String, removing: [String], adding: [WindowProfile]) async throws -> Bool {
        let prepared = try adding.map { ($0, try Self.document($0)) }
        let engine = database.engine
        // Ids in one order, so that two compactions lock rows in the same order.
        let removing = removing.sorted()
        do {
            return try await database.write { db in
                // After any reference change in progress, whose rewrite of the profiles this would otherwise race.
                try await SQLSystemRepository.shareLockSystem(systemID, engine: engine, on: db)
                var deleted = 0
                var start = 0
                while start < removing.count {
                    let ids = removing[start..<min(start + Self.rowsPerStatement, removing.count)].map { SQLBind($0) }
                    start += Self.rowsPerStatement
                    deleted += try await db.raw(
                        """
                        DELETE FROM window_profiles WHERE system_id = \(bind: systemID) AND id IN (\(SQLList(ids))) RETURNING id
                        """
                    ).all().count
                }
                // Another compaction got there first: undo.
                guard deleted == removing.count else { throw CompactionLost() }
                try await Self.insertProfiles(prepared, systemID: systemID, on: db)
                return true
            }
        } catch is CompactionLost {
            return false
        }
    }

    struct CompactionLost: Error {}

    /// The rows matching `condition`, oldest first; a row `decoded` already holds is not decoded again.
    static func profiles(
        _ condition: SQLQueryString, limit: Int? = nil, decoded: DecodedProfiles? = nil, on db: any SQLDatabase
    ) async throws -> [WindowProfile] {
        let limited: SQLQueryString = limit.map { " LIMIT \(unsafeRaw: String($0))" } ?? ""
        return try await db.raw("SELECT \(unsafeRaw: profileColumns) FROM window_profiles WHERE \(condition) ORDER BY bucket_start, id\(limited)")
            .all().map { row in
                let id = try row.string("id")
                let decode = {
                    let stored = try JSONDecoder().decode(StoredProfile.self, from: Data(try row.string("profile").utf8))
                    return WindowProfile(
                        id: id, referenceVersion: try row.int64("reference_version"), bucketStart: try row.int64("bucket_start"),
                        bucketWidth: try row.int64("bucket_ms"), events: Int(try row.int64("events")), features: stored.features,
                        operations: stored.operations, compacted: try row.int64("compacted") != 0)
                }
                guard let decoded else { return try decode() }
                return try decoded.profile(id: id, decode: decode)
            }
    }

    /// What the `profile` column holds: the features' profiles (names as they are) and the operation.
    struct StoredProfile: Codable {
        let features: [String: FeatureProfile]
        let operations: OperationalProfile
    }

    static func document(_ profile: WindowProfile) throws -> String {
        String(decoding: try JSONEncoder().encode(StoredProfile(features: profile.features, operations: profile.operations)), as: UTF8.self)
    }

    static func insertProfiles(_ profiles: [(WindowProfile, String)], systemID: String, on db: any SQLDatabase) async throws {
        for (profile, document) in profiles {
            try await db.raw(
                """
                INSERT INTO window_profiles (\(unsafeRaw: profileColumns), system_id)
                VALUES (\(bind: profile.id), \(bind: profile.referenceVersion), \(bind: profile.bucketStart), \(bind: profile.bucketWidth),
                        \(bind: Int64(profile.events)), \(bind: profile.compacted ? 1 : 0), \(bind: document), \(bind: systemID))
                """
            ).run()
        }
    }

    public func systemsWithUnprofiledEvents() async throws -> [String] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT id FROM ai_systems s
                WHERE (SELECT COUNT(*) FROM inference_events e WHERE e.system_id = s.id)
                   <> (SELECT CAST(COALESCE(SUM(w.events), 0) AS BIGINT) FROM window_profiles w WHERE w.system_id = s.id)
                ORDER BY id
                """
            ).all().map { try $0.string("id") }
        }
    }

    public func profileStoredEvents(systemID: String, profile: @escaping WindowProfiler) async throws {
        let engine = database.engine
        try await database.write { db in
            try await SQLSystemRepository.lockSystem(systemID, engine: engine, on: db)
            guard try await Self.eventsUnprofiled(systemID, on: db) else { return }
            try await Self.reprofileEvents(
                systemID, over: try await SQLReferenceRepository.reference(systemID, version: nil, on: db), on: db, profile)
        }
    }

    /// Whether the profiles count other than the stored events (retention keeps the two equal).
    static func eventsUnprofiled(_ systemID: String, on db: any SQLDatabase) async throws -> Bool {
        let row = try await db.raw(
            """
            SELECT (SELECT COUNT(*) FROM inference_events WHERE system_id = \(bind: systemID)) AS stored,
                   (SELECT CAST(COALESCE(SUM(events), 0) AS BIGINT) FROM window_profiles WHERE system_id = \(bind: systemID)) AS profiled
            """
        ).first()
        return try row?.int64("stored") != row?.int64("profiled")
    }

    /// Replaces the system's window profiles with ones of its stored events (over `reference`, when there is
    /// one), read a page at a time in time order.
    static func reprofileEvents(_ systemID: String, over reference: ReferenceProfile?, on db: any SQLDatabase, _ profile: WindowProfiler) async throws
    {
        try await db.raw("DELETE FROM window_profiles WHERE system_id = \(bind: systemID)").run()
        var after: (time: Int64, requestID: String)?
        while true {
            let cursor: SQLQueryString =
                after.map { " AND (time_ms > \(bind: $0.time) OR (time_ms = \(bind: $0.time) AND request_id > \(bind: $0.requestID)))" } ?? ""
            let events = try await db.raw(
                """
                SELECT \(unsafeRaw: eventColumns) FROM inference_events WHERE system_id = \(bind: systemID)\(cursor)
                ORDER BY time_ms, request_id LIMIT 20000
                """
            ).all().map { try storedEvent($0).event }
            guard let last = events.last else { return }
            try await insertProfiles(try profile(reference, events).map { ($0, try document($0)) }, systemID: systemID, on: db)
            after = (last.time, last.requestID)
        }
    }
}
