import Foundation
import StewardJSON
import StewardStatistics

/// The events of production monitoring: takes in inference events and their later labels, keeps them for the
/// system's retention period with their window profiles, and summarises a time window in the five categories the
/// register tracks (performance, quality, cost, data, safety) and as drift from the reference profile.
public struct EventService: Sendable {
    let repository: any EventRepository
    let references: any ReferenceRepository
    let audit: any AuditRepository
    let now: @Sendable () -> Int64
    let purges: PurgeSchedule
    /// The reference each system's ingestion profiles against, shared with `ReferenceService`, which empties it.
    let cache: ReferenceCache
    let observer: (any MonitoringObserver)?

    public init(
        repository: any EventRepository, references: any ReferenceRepository, cache: ReferenceCache, audit: any AuditRepository,
        observer: (any MonitoringObserver)? = nil, now: @escaping @Sendable () -> Int64 = EpochClock.now
    ) {
        self.repository = repository
        self.references = references
        self.cache = cache
        self.audit = audit
        self.observer = observer
        self.now = now
        purges = PurgeSchedule()
    }

    /// What an ingest did: how many events were new, how many were already stored (a retry; left as they were),
    /// and every refused row with its reason.
    public struct IngestResult: Sendable, Equatable {
        public let accepted: Int
        public let duplicates: Int
        public let rejected: [EventBatch.Rejection]
    }

    /// Stores a batch of events. A batch whose every row is refused is an error that names the first reasons.
    public func ingest(systemID: String, body: Data) async throws -> IngestResult {
        let time = now()
        let batch = try EventBatch(body: body, now: time)
        if batch.events.isEmpty {
            throw StewardError.invalidParameter(
                "All \(batch.rejected.count) events were refused: "
                    + batch.rejected.prefix(5).map { "row \($0.row): \($0.message)" }.joined(separator: "; "))
        }
        let inserted = try await record(systemID: systemID, events: batch.events, now: time)
        return IngestResult(accepted: inserted, duplicates: batch.events.count - inserted, rejected: batch.rejected)
    }

    /// Stores events already checked (those the deployment router served, say) through the same path as a
    /// posted batch: profiled for drift, counted by the observer, purged on schedule. Returns how many were new.
    @discardableResult
    public func record(systemID: String, events: [InferenceEvent], now time: Int64? = nil) async throws -> Int {
        let profiling = try await profiling(systemID: systemID, events: events)
        let inserted = try await repository.insertEvents(systemID: systemID, events: events, profiling: profiling)
        observer?.stored(systemID: systemID, events: inserted.count == events.count ? events : events.filter { inserted.contains($0.requestID) })
        try await purgeIfDue(systemID: systemID, now: time ?? now())
        return inserted.count
    }

    /// What a labelling did: events that got their label or feedback, and rows refused (unknown request ids
    /// among them).
    public struct LabelResult: Sendable, Equatable {
        public let matched: Int
        public let rejected: [EventBatch.Rejection]
    }

    /// Joins ground truth (`label`), user feedback (`feedback`, −1…1 or true/false) or a judge's score
    /// (`judge_score`, 0…1) to stored events by request id; the body is a JSON array or JSON Lines of
    /// `{request_id, label?, feedback?, judge_score?}`.
    public func label(systemID: String, body: Data) async throws -> LabelResult {
        var labels: [(row: Int, label: EventLabel)] = []
        var rejected: [EventBatch.Rejection] = []
        for (row, parsed) in try BatchRows.rows(of: body, limit: EventBatch.maximumRows) {
            switch parsed.flatMap({ value in Result { () throws(StewardError) in try LabelRow(value) } }) {
            case .success(let label): labels.append((row, label.label))
            case .failure(let error): rejected.append(EventBatch.Rejection(row: row, requestID: nil, message: error.message))
            }
        }
        let matched = labels.isEmpty ? [] : try await repository.applyLabels(systemID: systemID, labels: labels.map(\.label), now: now())
        for (row, label) in labels where !matched.contains(label.requestID) {
            rejected.append(EventBatch.Rejection(row: row, requestID: label.requestID, message: "No event with this request id is stored."))
        }
        return LabelResult(matched: matched.count, rejected: rejected.sorted { $0.row < $1.row })
    }

    /// Joins one label to a stored event (a prompt experiment's judge grading an answer); false when no event
    /// with its request id is stored.
    public func join(_ label: EventLabel, systemID: String) async throws -> Bool {
        try await repository.applyLabels(systemID: systemID, labels: [label], now: now()).contains(label.requestID)
    }

    public func settings(systemID: String) async throws -> MonitoringSettings {
        try await repository.settings(systemID: systemID)
    }

    /// Changes how long events are kept: compliance officers and admins (a data-retention decision), audited.
    public func setSettings(systemID: String, settings: MonitoringSettings, actor: Principal) async throws {
        var entry = AuditEntry(actor: actor, action: "monitoring.settings", target: "system:\(systemID)", systemID: systemID)
        try await audit.require(actor, [.compliance, .admin], to: "change monitoring settings", entry, now: now())
        guard (1...3650).contains(settings.retentionDays) else {
            throw StewardError.invalidParameter("retention_days must be between 1 and 3650.")
        }
        entry.details = ["retention_days": "\(settings.retentionDays)"]
        try await repository.storeSettings(systemID: systemID, settings: settings, audit: entry, now: now())
        try await purgeIfDue(systemID: systemID, now: now(), force: true)
    }

    /// Deletes events and window profiles past the retention period and compacts the window profiles, at most
    /// once a minute per system. Deletion goes by whole hours, so that an hour's profile never outlives some
    /// of its events: an event goes at most an hour before it reaches the retention age, never after.
    func purgeIfDue(systemID: String, now: Int64, force: Bool = false) async throws {
        guard await purges.claim(systemID, now: now, force: force) else { return }
        let retention = try await repository.settings(systemID: systemID).retentionDays
        let cutoff = now - Int64(retention) * 86_400_000
        _ = try await repository.deleteEvents(
            systemID: systemID, before: WindowProfile.bucket(of: cutoff + WindowProfile.hour - 1, width: WindowProfile.hour))
        // Compaction only saves later reads: its failure must not fail the ingest that came before it.
        try? await compactProfiles(systemID: systemID, now: now)
    }

    /// The five categories over the window [now − window, now), from the stored window profiles (whole buckets,
    /// as for drift) and the window's labeled events; the data category includes drift from the reference
    /// profile when the system has one.
    public func status(systemID: String, window: Int64) async throws -> MonitorStatus {
        let merged = try await mergedWindow(systemID: systemID, window: window, reference: try await references.currentReference(systemID: systemID))
        let labeled = try await repository.labeledEvents(systemID: systemID, from: merged.from, to: merged.to)
        var status = MonitorStatus(systemID: systemID, from: merged.from, to: merged.to, operations: merged.merged.operations, labeled: labeled)
        if let reference = merged.reference {
            status.data.drift = Self.drift(of: merged.merged.features, from: reference, method: .psi, threshold: nil)
            status.data.referenceVersion = reference.version
        }
        return status
    }
}

/// A posted label: `{request_id, label?, feedback?, judge_score?}`, feedback −1…1 or true/false, a judge's
/// score 0…1.
struct LabelRow: Sendable {
    let label: EventLabel

    init(_ value: JSONValue) throws(StewardError) {
        let members = try JSONMembers(value, what: "A label")
        try members.refuseUnknown(["request_id", "label", "feedback", "judge_score"], "a label")
        guard let requestID = try EventBatch.requestID(members), !requestID.isEmpty else {
            throw StewardError.invalidParameter("request_id is required.")
        }
        let value = try members.field(FeatureValue.self, "label", "label must be a number, a text, true/false or null.")
        let message = "feedback must be a number from -1 to 1, or true/false."
        var feedback: Double?
        if let good = try? members.field(Bool.self, "feedback", "") {
            feedback = good ? 1 : -1
        } else if let score = try members.field(Double.self, "feedback", message) {
            guard (-1...1).contains(score) else { throw StewardError.invalidParameter(message) }
            feedback = score
        }
        let judged = "judge_score must be a number from 0 to 1."
        let judgeScore = try members.field(Double.self, "judge_score", judged)
        if let judgeScore, !(0...1).contains(judgeScore) { throw StewardError.invalidParameter(judged) }
        guard value != nil || feedback != nil || judgeScore != nil else {
            throw StewardError.invalidParameter("Give a label, feedback, a judge_score, or several of them.")
        }
        label = EventLabel(requestID: requestID, label: value, feedback: feedback, judgeScore: judgeScore)
    }
}

/// When each system's events were last purged, so ingestion does not delete on every request.
actor PurgeSchedule {
    private var last: [String: Int64] = [:]

    func claim(_ systemID: String, now: Int64, force: Bool) -> Bool {
        if !force, let previous = last[systemID], now - previous < 60_000 { return false }
        last[systemID] = now
        return true
    }
}
