/// Persistence of a system's inference events, their labels, their window profiles and how long they are kept.
public protocol EventRepository: Sendable {
    /// Stores the events of a system and, in the same transaction, their window profiles over the stored
    /// reference: the ones `profiling` brings when made with that reference version and every event was new,
    /// else ones it makes from the new events. An event whose request id is already stored is left as it is.
    /// Returns the request ids that were new.
    func insertEvents(systemID: String, events: [InferenceEvent], profiling: EventProfiling) async throws -> Set<String>
    /// Joins ground truth or feedback to stored events; returns the request ids that matched an event.
    func applyLabels(systemID: String, labels: [EventLabel], now: Int64) async throws -> Set<String>
    /// Deletes a system's events older than `before` (milliseconds), and window profiles of buckets that ended
    /// by then; returns how many events.
    func deleteEvents(systemID: String, before: Int64) async throws -> Int
    /// Systems whose window profiles do not count every stored event.
    func systemsWithUnprofiledEvents() async throws -> [String]
    /// Profiles a system's stored events again over its current reference (or none), unless its window
    /// profiles count every stored event by then.
    func profileStoredEvents(systemID: String, profile: @escaping WindowProfiler) async throws
    /// Labeled events of a system in [from, to) (a label or feedback joined): what quality is computed from.
    func labeledEvents(systemID: String, from: Int64, to: Int64) async throws -> [StoredEvent]
    /// Window profiles of a reference version whose buckets overlap [from, to).
    func windowProfiles(systemID: String, referenceVersion: Int64, from: Int64, to: Int64) async throws -> [WindowProfile]
    /// What compaction may merge: parts written at ingestion for buckets ending by `closedBefore`, minute
    /// profiles of buckets before `hourCutoff`, and the merged hour profiles of the hours those fall in.
    func compactionCandidates(systemID: String, closedBefore: Int64, hourCutoff: Int64) async throws -> [WindowProfile]
    /// Deletes the profiles `removing` and stores `adding` in one transaction; when some of `removing` are
    /// already gone (compacted elsewhere meanwhile) changes nothing and returns false.
    func replaceWindowProfiles(systemID: String, removing: [String], adding: [WindowProfile]) async throws -> Bool
    func settings(systemID: String) async throws -> MonitoringSettings
    func storeSettings(systemID: String, settings: MonitoringSettings, audit: AuditEntry, now: Int64) async throws
}

/// Ground truth for a prediction (`label`), or a user's judgement of it (`feedback`, −1…1), by request id.
public struct EventLabel: Sendable, Equatable {
    public var requestID: String
    public var label: FeatureValue?
    public var feedback: Double?
    /// A judge's grade of the answer (0…1): posted, or given by a prompt experiment's judge.
    public var judgeScore: Double?

    public init(requestID: String, label: FeatureValue?, feedback: Double?, judgeScore: Double? = nil) {
        self.requestID = requestID
        self.label = label
        self.feedback = feedback
        self.judgeScore = judgeScore
    }
}

/// A stored event with what was joined to it later.
public struct StoredEvent: Sendable, Equatable {
    public var event: InferenceEvent
    public var label: FeatureValue?
    public var feedback: Double?

    public init(event: InferenceEvent, label: FeatureValue?, feedback: Double?) {
        self.event = event
        self.label = label
        self.feedback = feedback
    }
}

/// How long a system's events are kept.
public struct MonitoringSettings: Sendable, Equatable, Codable {
    public var retentionDays: Int

    public static let `default` = MonitoringSettings(retentionDays: 30)

    public init(retentionDays: Int) {
        self.retentionDays = retentionDays
    }
}
