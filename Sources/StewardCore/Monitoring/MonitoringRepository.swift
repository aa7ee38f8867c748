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
    /// The version and source of a system's latest reference profile, without the profile itself.
    func currentReferenceVersion(systemID: String) async throws -> MonitoringFacts.Reference?
    func settings(systemID: String) async throws -> MonitoringSettings
    /// Stores a system's alert rules (the document) with its audit event.
    func storeAlertRules(systemID: String, document: String, audit: AuditEntry, now: Int64) async throws
    /// Alert rule documents of every system that has some, by system id.
    func alertRules() async throws -> [String: String]
    func alertRules(systemID: String) async throws -> String?
    /// Alerts of a system, newest first; only firing ones if `firing`.
    func alerts(systemID: String, firing: Bool) async throws -> [Alert]
    /// Writes what one evaluation changed, in one transaction, and returns the changes that took: an alert
    /// opened (a `resourceConflict` when the rule already has a firing alert: another evaluation got there
    /// first, and nothing is written), or updated or resolved while still firing (one that another evaluation
    /// resolved meanwhile is skipped, with its audit event and notifications). Notifications go into the outbox
    /// claimed by the evaluation for `claimUntil`, so that no dispatcher takes them before it tries them.
    func saveAlertChanges(_ changes: [AlertChange], now: Int64, claimUntil: Int64) async throws -> [AlertChange]
    /// Claims the outbox notifications due by `now` (oldest first, at most `limit`, none that another sender
    /// holds) with a fresh claim token until `until`. A claim that lapses (its sender stopped or hung) frees
    /// the message again.
    func claimWebhookMessages(now: Int64, until: Int64, limit: Int) async throws -> [WebhookMessage]
    /// Records an attempt made under `claim`: a final one moves the notification from the outbox to the
    /// delivery log, another leaves it waiting for `nextAttemptAt`, unclaimed. False (nothing written) when the
    /// claim is no longer the sender's.
    func recordWebhookAttempt(_ delivery: WebhookDelivery, claim: String) async throws -> Bool
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
