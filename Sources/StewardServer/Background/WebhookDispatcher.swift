import Logging
import ServiceLifecycle
import StewardCore

/// The background service that sends what waits in the webhook outbox: notifications whose first attempt
/// failed for a reason that may pass (retried on the server's schedule), and any left behind by a server that
/// stopped before sending them. Each claimed notification is tried on its own, up to `capacity` at once, so a
/// receiver that hangs (each attempt ends at `AlertNotifications.attemptDeadline`) holds up no other. Several
/// replicas share the outbox; each notification is claimed by one.
struct WebhookDispatcher: Service {
    let webhooks: WebhookService
    let schema: SchemaReadiness
    let logger: Logger
    /// How often the outbox is checked.
    let interval: Duration
    let capacity: Int

    init(webhooks: WebhookService, schema: SchemaReadiness, logger: Logger, interval: Duration = .seconds(1), capacity: Int = 32) {
        self.webhooks = webhooks
        self.schema = schema
        self.logger = logger
        self.interval = interval
        self.capacity = capacity
    }

    func run() async throws {
        do { try await schema.wait() } catch { return }
        let inFlight = InFlightCount()
        await withDiscardingTaskGroup { group in
            var failed = false
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                do {
                    // After a failure (the database away, say) the pause is longer, so the dispatcher does not spin.
                    let pause = failed ? interval * 10 : interval
                    try await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
                } catch {
                    break
                }
                failed = false
                let free = capacity - (await inFlight.value)
                guard free > 0 else { continue }
                do {
                    for message in try await webhooks.claimDue(limit: free) {
                        await inFlight.add(1)
                        group.addTask {
                            await send(message)
                            await inFlight.add(-1)
                        }
                    }
                } catch {
                    failed = true
                    logger.warning("webhook outbox unavailable", metadata: ["error": "\(error)"])
                }
            }
            // Attempts in flight stop at shutdown; they do not count, and their claims lapse for the next start.
            group.cancelAll()
        }
    }

    func send(_ message: WebhookMessage) async {
        do {
            guard let delivery = try await webhooks.send(message) else { return }
            if delivery.nextAttemptAt == nil && !delivery.succeeded {
                logger.warning(
                    "webhook given up",
                    metadata: [
                        "system": "\(delivery.systemID)", "url": "\(delivery.url)", "attempts": "\(delivery.attempts)",
                        "error": "\(delivery.error ?? "")",
                    ])
            }
        } catch {
            logger.warning("webhook attempt not recorded", metadata: ["delivery": "\(message.id)", "error": "\(error)"])
        }
    }
}

/// How many notifications the dispatcher is sending.
actor InFlightCount {
    private(set) var value = 0

    func add(_ delta: Int) { value += delta }
}
