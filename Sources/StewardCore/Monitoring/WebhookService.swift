/// The webhook outbox's sending side: notifications are tried once when an alert change writes them, and what
/// is left (failed for a reason that may pass, or left behind by a server that stopped) is claimed and retried by
/// the server's dispatcher on its schedule, one sender per notification across replicas.
public struct WebhookService: Sendable {
    let repository: any WebhookOutboxRepository
    /// How notifications leave the server; without it, rules may not name webhooks and nothing is sent.
    let notifications: AlertNotifications?
    let now: @Sendable () -> Int64

    public init(repository: any WebhookOutboxRepository, notifications: AlertNotifications?, now: @escaping @Sendable () -> Int64 = EpochClock.now) {
        self.repository = repository
        self.notifications = notifications
        self.now = now
    }

    /// How long a sender holds the notifications it claimed: well over an attempt's deadline.
    static let claim: Int64 = 60_000

    /// Claims the outbox's notifications that are due, at most `limit`, for this sender; each is then sent with
    /// `send`. What the server's dispatcher runs.
    public func claimDue(limit: Int) async throws -> [WebhookMessage] {
        guard notifications != nil else { return [] }
        let time = now()
        return try await repository.claimWebhookMessages(now: time, until: time + Self.claim, limit: limit)
    }

    /// Tries a claimed notification once and records the attempt under its claim. Nil when the attempt was
    /// cancelled or the claim had passed to another sender (nothing is recorded then).
    public func send(_ message: WebhookMessage) async throws -> WebhookDelivery? {
        guard let notifications, let delivery = await notifications.attempt(message, now: now) else { return nil }
        return try await repository.recordWebhookAttempt(delivery, claim: message.claim) ? delivery : nil
    }

    /// A system's delivery log, then its notifications still pending.
    public func deliveries(systemID: String) async throws -> [WebhookDelivery] {
        try await repository.deliveries(systemID: systemID)
    }
}
