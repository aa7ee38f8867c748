/// Persistence of inference events, their labels and a system's monitoring settings.
public protocol MonitoringRepository: Sendable {
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
    /// Stores a new reference profile version and returns its number; in the same transaction replaces the
    /// system's window profiles with ones `profile` makes of its stored events over the new reference.
    func storeReference(_ profile: ReferenceProfile, audit: AuditEntry, profile: @escaping WindowProfiler) async throws -> Int64
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
    /// The latest reference profile of a system, if any.
    func currentReference(systemID: String) async throws -> ReferenceProfile?
    func settings(systemID: String) async throws -> MonitoringSettings
    /// Stores a system's alert rules (the document) with its audit event.
    func storeAlertRules(systemID: String, document: String, audit: AuditEntry, now: Int64) async throws
    /// Alert rule documents of every system that has some, by system id.
    func alertRules() async throws -> [String: String]
    func alertRules(systemID: String) async throws -> String?
    /// Alerts of a system, newest first; only firing ones if `firing`.
    func alerts(systemID: String, firing: Bool) async throws -> [Alert]
    /// Writes what one evaluation changed, in one transaction: alerts opened, updated (the value while still
    /// firing) or resolved, with their audit events (opening and resolving are audited), and the notifications
    /// they send, into the outbox.
    func saveAlertChanges(_ changes: [(alert: Alert, audit: AuditEntry?)], messages: [WebhookMessage], now: Int64) async throws
    /// Claims outbox notifications until `until`, so that no other sender (another replica) tries them meanwhile:
    /// the given ones when `ids` is set, else those due by `now`, oldest first; at most `limit`, and none that
    /// another sender holds. A claim that lapses (its sender stopped) frees the message again.
    func claimWebhookMessages(ids: [String]?, now: Int64, until: Int64, limit: Int) async throws -> [WebhookMessage]
    /// Records an attempt: a final one moves the notification from the outbox to the delivery log, another
    /// leaves it waiting for `nextAttemptAt`, unclaimed.
    func recordWebhookAttempt(_ delivery: WebhookDelivery) async throws
    /// A system's delivery log, then its notifications still pending.
    func deliveries(systemID: String) async throws -> [WebhookDelivery]
    func storeSettings(systemID: String, settings: MonitoringSettings, audit: AuditEntry, now: Int64) async throws
}

/// Ground truth for a prediction (`label`), or a user's judgement of it (`feedback`, −1…1), by request id.
public struct EventLabel: Sendable, Equatable {
    public var requestID: String
    public var label: FeatureValue?
    public var feedback: Double?

    public init(requestID: String, label: FeatureValue?, feedback: Double?) {
        self.requestID = requestID
        self.label = label
        self.feedback = feedback
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
