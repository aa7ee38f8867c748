import Logging
import ServiceLifecycle
import StewardCore

/// The background service that sends what waits in the webhook outbox: notifications whose first attempt
/// failed for a reason that may pass (retried on the server's schedule), and any left behind by a server that
/// stopped before sending them. Several replicas share the outbox; each notification is claimed by one.
struct WebhookDispatcher: Service {
    let monitoring: MonitoringService
    let logger: Logger
    /// How often the outbox is checked.
    let interval: Duration

    init(monitoring: MonitoringService, logger: Logger, interval: Duration = .seconds(1)) {
        self.monitoring = monitoring
        self.logger = logger
        self.interval = interval
    }

    func run() async throws {
        var failed = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                // After a failure (the database away, say) the pause is longer, so the dispatcher does not spin.
                let pause = failed ? interval * 10 : interval
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            } catch {
                break
            }
            do {
                // A full batch means more may be due: go on at once.
                while !Task.isShuttingDownGracefully {
                    let deliveries = try await cancelWhenGracefulShutdown { try await monitoring.deliverDueWebhooks(limit: Self.batch) }
                    for delivery in deliveries where delivery.nextAttemptAt == nil && !delivery.succeeded {
                        logger.warning(
                            "webhook given up",
                            metadata: [
                                "system": "\(delivery.systemID)", "url": "\(delivery.url)", "attempts": "\(delivery.attempts)",
                                "error": "\(delivery.error ?? "")",
                            ])
                    }
                    if deliveries.count < Self.batch { break }
                }
                failed = false
            } catch is CancellationError {
                break
            } catch {
                failed = true
                logger.warning("webhook delivery failed", metadata: ["error": "\(error)"])
            }
        }
    }

    static let batch = 64
}
