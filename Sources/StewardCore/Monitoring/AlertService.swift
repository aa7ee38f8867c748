import Foundation
import StewardJSON

/// A system's alert rules and alerts: the rules' conditions checked on each window (by the background scheduler
/// on each system's schedule, or on request), an alert fired once while a condition fails and resolved when it
/// holds again, each change audited and notified through the webhook outbox, and the retraining pipeline called
/// when the data drifts.
public struct AlertService: Sendable {
    let repository: any AlertRepository
    let events: EventService
    let webhooks: WebhookService
    let audit: any AuditRepository
    /// One evaluation per system at a time in this process (the scheduler and a request may meet); across
    /// replicas the database allows one firing alert per rule.
    let turns = AlertEvaluationTurns()
    let observer: (any MonitoringObserver)?
    let now: @Sendable () -> Int64

    public init(
        repository: any AlertRepository, events: EventService, webhooks: WebhookService, audit: any AuditRepository,
        observer: (any MonitoringObserver)? = nil, now: @escaping @Sendable () -> Int64 = EpochClock.now
    ) {
        self.repository = repository
        self.events = events
        self.webhooks = webhooks
        self.audit = audit
        self.observer = observer
        self.now = now
    }

    var notifications: AlertNotifications? { webhooks.notifications }

    /// Replaces a system's alert rules: reviewers, compliance officers and admins, audited. Webhook hosts must be
    /// on the administrator's allow-list, and the server must have a signing secret.
    public func setAlertRules(systemID: String, document: String, actor: Principal) async throws -> AlertRules {
        var entry = AuditEntry(actor: actor, action: "alerts.rules", target: "system:\(systemID)", systemID: systemID)
        try await audit.require(actor, [.reviewer, .compliance, .admin], to: "change alert rules", entry, now: now())
        let rules = try AlertRules(yaml: document, allowedHosts: notifications?.allowedHosts)
        entry.details = ["conditions": rules.conditions.map(\.text).joined(separator: "; "), "webhooks": "\(rules.webhooks.count)"]
        try await repository.storeAlertRules(systemID: systemID, document: document, audit: entry, now: now())
        return rules
    }

    public func alertRules(systemID: String) async throws -> AlertRules? {
        try await repository.alertRules(systemID: systemID).map { document in
            try AlertRules(yaml: document, allowedHosts: notifications?.allowedHosts)
        }
    }

    public func alerts(systemID: String, firingOnly: Bool = false) async throws -> [Alert] {
        try await repository.alerts(systemID: systemID, firing: firingOnly)
    }

    /// What one evaluation of a system's rules did.
    public struct AlertEvaluation: Sendable {
        public let fired: [Alert]
        public let resolved: [Alert]
        public let firing: [Alert]
        public let deliveries: [WebhookDelivery]
    }

    /// Checks the system's rules on the current window: a failing rule fires an alert (once; while it keeps
    /// failing, the alert's value follows), a rule that holds again resolves it, each change is audited and
    /// sent to the webhooks, and a data alert also calls the retraining pipeline with what drifted. A rule
    /// with no figure to check (no labels yet, no reference) leaves its alert as it is.
    ///
    /// The changes and their notifications are written in one transaction (the outbox, the notifications
    /// claimed by this evaluation), then each notification is tried once at once; one that fails for a reason
    /// that may pass is retried by the server's dispatcher (`claimDueWebhooks`, `send`), also after a restart.
    public func evaluateAlerts(systemID: String) async throws -> AlertEvaluation {
        try await turns.take(systemID)
        defer { Task { await turns.give(systemID) } }
        guard let rules = try await alertRules(systemID: systemID) else {
            throw StewardError.notFound("AI system '\(systemID)' has no alert rules; PUT them to /api/v1/systems/\(systemID)/alerts/rules.")
        }
        let status = try await events.status(systemID: systemID, window: rules.window)
        let metrics = status.metrics
        var open = Dictionary(
            try await repository.alerts(systemID: systemID, firing: true).map { ($0.rule, $0) }, uniquingKeysWith: { first, _ in first })
        var changes: [AlertChange] = []
        let time = now()
        let claim = UUID().uuidString
        func messages(_ body: Data, event: String, to urls: [URL]) -> [WebhookMessage] {
            urls.map { url in
                WebhookMessage(
                    id: RecordID.make("whk"), systemID: systemID, url: url.absoluteString, event: event,
                    body: String(decoding: body, as: UTF8.self), createdAt: time, attempts: 0, nextAttemptAt: time, claim: claim)
            }
        }
        func notices(_ alert: Alert, _ event: String) throws -> [WebhookMessage] {
            guard notifications != nil else { return [] }
            let body = try SnakeCaseJSON.encoder().encode(AlertNotice(event: event, systemId: systemID, alert: alert, window: status.data))
            return messages(body, event: event, to: rules.webhooks)
        }
        for condition in rules.conditions {
            guard let value = metrics[condition.metric], case .constant(let threshold) = condition.bound,
                let category = AlertRules.category(of: condition.metric)
            else { continue }
            let holds = condition.comparison.holds(value, threshold)
            if var alert = open[condition.text] {
                if holds {
                    alert.status = .resolved
                    alert.value = value
                    alert.resolvedAt = time
                    changes.append(
                        AlertChange(
                            kind: .resolved, alert: alert, audit: Self.auditEntry(alert, "alert.resolved"),
                            messages: try notices(alert, "alert.resolved")))
                    open[condition.text] = nil
                } else if alert.value != value {
                    alert.value = value
                    changes.append(AlertChange(kind: .updated, alert: alert, audit: nil, messages: []))
                    open[condition.text] = alert
                }
            } else if !holds {
                let alert = Alert(
                    id: RecordID.make("alr"), systemID: systemID, rule: condition.text, category: category, status: .firing,
                    value: value, threshold: threshold, firedAt: time, resolvedAt: nil)
                changes.append(
                    AlertChange(
                        kind: .opened, alert: alert, audit: Self.auditEntry(alert, "alert.fired"), messages: try notices(alert, "alert.fired")))
                open[condition.text] = alert
            }
        }
        // The retraining pipeline is called with the first data alert opened (all openings take, or none).
        let openedData = changes.filter { $0.kind == .opened && $0.alert.category == .data }
        if notifications != nil, let pipeline = rules.retrainingWebhook, let drift = status.data.drift, let first = openedData.first,
            let index = changes.firstIndex(where: { $0.alert.id == first.alert.id })
        {
            let body = try SnakeCaseJSON.encoder().encode(
                RetrainingRequest(
                    systemId: systemID, reason: openedData.map(\.alert.rule), referenceVersion: status.data.referenceVersion,
                    windowStart: status.from, windowEnd: status.to, driftedFeatures: drift.driftedFeatures,
                    drift: (Dictionary(drift.features.map { ($0.feature, $0.statistic) }, uniquingKeysWith: { first, _ in first })))
            )
            changes[index] = AlertChange(
                kind: first.kind, alert: first.alert, audit: first.audit,
                messages: first.messages + messages(body, event: "retraining.requested", to: [pipeline]))
        }
        let applied = changes.isEmpty ? [] : try await repository.saveAlertChanges(changes, now: time, claimUntil: time + WebhookService.claim)
        // What another evaluation resolved meanwhile is not reported as still firing.
        for change in changes where change.kind != .opened && !applied.contains(where: { $0.alert.id == change.alert.id }) {
            open[change.alert.rule] = nil
        }
        // The first attempt of each notification, now; whatever fails here (the database too) is left to the
        // dispatcher once the evaluation's claim lapses: the alerts are written either way.
        let deliveries = await withTaskGroup(of: WebhookDelivery?.self) { group in
            for message in applied.flatMap(\.messages) { group.addTask { try? await webhooks.send(message) } }
            var deliveries: [WebhookDelivery] = []
            for await delivery in group { if let delivery { deliveries.append(delivery) } }
            return deliveries.sorted { ($0.event, $0.url, $0.id) < ($1.event, $1.url, $1.id) }
        }
        let firing = open.values.sorted { $0.firedAt < $1.firedAt }
        observer?.evaluated(systemID: systemID, firing: firing, drift: status.data.drift)
        return AlertEvaluation(
            fired: applied.filter { $0.kind == .opened }.map(\.alert), resolved: applied.filter { $0.kind == .resolved }.map(\.alert), firing: firing,
            deliveries: deliveries)
    }

    /// The systems whose turn has come on `schedule` (each system's `every`, else the schedule's default
    /// interval), at most `capacity` of them; a system still being evaluated (`busy`) skips this turn, one
    /// past the capacity stays due.
    public func dueAlertSystems(_ schedule: inout AlertSchedule, busy: Set<String>, capacity: Int) async throws -> [AlertTurn] {
        let documents = try await repository.alertRules()
        return schedule.due(
            documents, now: now(), allowedHosts: notifications?.allowedHosts ?? EndpointAllowList(hosts: []), busy: busy, capacity: capacity)
    }

    /// Evaluates a system's rules for a scheduled turn, unless another replica (every replica runs a scheduler on
    /// the same turns) has claimed that turn: nil then. The claim is taken in the database, so one turn is
    /// evaluated once across replicas whatever their number.
    public func evaluateScheduledAlerts(_ turn: AlertTurn, claimant: String) async throws -> AlertEvaluation? {
        guard try await repository.claimAlertTurn(systemID: turn.systemID, dueAt: turn.dueAt, claimant: claimant, now: now()) else { return nil }
        return try await evaluateAlerts(systemID: turn.systemID)
    }

    static func auditEntry(_ alert: Alert, _ action: String) -> AuditEntry {
        AuditEntry(
            actor: .declared("steward:monitoring"), action: action, target: "system:\(alert.systemID)", systemID: alert.systemID,
            details: ["alert": alert.id, "rule": alert.rule, "category": alert.category.rawValue, "value": "\(alert.value)"])
    }
}

/// Turns per system for alert evaluation: one `AlertService` (one per process, as the server builds its services
/// once) lets one evaluation of a system run at a time.
actor AlertEvaluationTurns {
    private var busy: Set<String> = []
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    func take(_ systemID: String) async throws {
        if busy.insert(systemID).inserted { return }
        await withCheckedContinuation { continuation in waiting[systemID, default: []].append(continuation) }
    }

    func give(_ systemID: String) {
        if var queue = waiting[systemID], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[systemID] = queue.isEmpty ? nil : queue
            next.resume()
        } else {
            busy.remove(systemID)
        }
    }
}

/// What a webhook receives when an alert fires or resolves.
struct AlertNotice: Encodable {
    let event: String
    let systemId: String
    let alert: Alert
    let window: MonitorStatus.Data
}

/// What the retraining pipeline receives when the data drifted: the rules that fired, the features that
/// drifted and each feature's drift value.
struct RetrainingRequest: Encodable {
    let systemId: String
    let reason: [String]
    let referenceVersion: Int64?
    let windowStart: Int64
    let windowEnd: Int64
    let driftedFeatures: [String]
    let drift: [String: Double]
}

/// A system's scheduled alert evaluation: the turn that fell due at `dueAt`.
public struct AlertTurn: Sendable, Equatable {
    public let systemID: String
    /// Epoch milliseconds: a multiple of the system's interval, the same on every replica.
    public let dueAt: Int64
}

/// When each system's alert rules are next evaluated by the background scheduler: every system on its own
/// `every`, or on the default interval. Turns fall on multiples of the interval since the epoch, so that every
/// replica's scheduler names the same turn the same (`AlertService.evaluateScheduledAlerts` lets one of them take
/// it). A system is first evaluated at the first turn after it is first seen (or after its rules change).
public struct AlertSchedule: Sendable {
    public let defaultInterval: Int64
    private var entries: [String: (document: String, interval: Int64, next: Int64)] = [:]

    public init(defaultInterval: Int64) {
        self.defaultInterval = defaultInterval
    }

    /// The turns due at `now`, each system's next turn set; `documents` are the stored rules by system. A `busy`
    /// system's turn passes; past `capacity` a due system stays due for the next call.
    mutating func due(
        _ documents: [String: String], now: Int64, allowedHosts: EndpointAllowList, busy: Set<String> = [], capacity: Int = .max
    ) -> [AlertTurn] {
        entries = entries.filter { documents[$0.key] != nil }
        var due: [AlertTurn] = []
        for (systemID, document) in documents.sorted(by: { $0.key < $1.key }) {
            guard let entry = entries[systemID], entry.document == document else {
                let interval = (try? AlertRules(yaml: document, allowedHosts: allowedHosts))?.every ?? defaultInterval
                entries[systemID] = (document, interval, Self.turn(after: now, every: interval))
                continue
            }
            guard entry.next <= now else { continue }
            if busy.contains(systemID) {
                entries[systemID]?.next = Self.turn(after: now, every: entry.interval)
            } else if due.count < capacity {
                due.append(AlertTurn(systemID: systemID, dueAt: Self.turn(after: now - entry.interval, every: entry.interval)))
                entries[systemID]?.next = Self.turn(after: now, every: entry.interval)
            }
        }
        return due
    }

    /// The first multiple of `interval` after `time`.
    static func turn(after time: Int64, every interval: Int64) -> Int64 {
        (time.dividedRoundingDown(by: interval) + 1) * interval
    }

    /// How long until the next system is due (at most the default interval), for the scheduler's pause.
    public func pause(now: Int64) -> Int64 {
        max(0, min(defaultInterval, entries.values.map { $0.next - now }.min() ?? defaultInterval))
    }
}

extension Int64 {
    /// The quotient rounded towards minus infinity (Swift's `/` rounds towards zero).
    fileprivate func dividedRoundingDown(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
