import ServiceLifecycle
import StewardStore

/// The server's background services (the served-request event writer, the alert and profile schedules, the
/// deployment analysis, the webhook outbox) run together on a thread of their own.
///
/// The steward binary makes NIO's event loops Swift Concurrency's executor, so that requests do not hop threads;
/// background work left there held up every connection of a loop while it ran: writing a flush of served-request
/// events put 40 ms at the router's p99 (bench/router.py). Graceful shutdown reaches each service as it would in
/// the application's service group; the thread ends when the last of them has.
struct BackgroundServices: Service {
    let services: [any Service]

    func run() async throws {
        let thread = DedicatedThread(name: "background", scheduling: .batch)
        defer { thread.shutdown() }
        try await withTaskExecutorPreference(thread) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for service in services { group.addTask { try await service.run() } }
                try await group.waitForAll()
            }
        }
    }
}
