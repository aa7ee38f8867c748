/// The webhook outbox: notifications waiting to be delivered, claimed by one sender at a time, and the log of
/// their final outcomes.
public protocol WebhookOutboxRepository: Sendable {
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
}
