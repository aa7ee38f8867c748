import Logging
import ServiceLifecycle
import StewardCore

/// Profiles, once when the server starts, the stored events of systems whose window profiles do not count
/// them all (events stored before window profiles existed, or by an older server alongside), then waits for
/// shutdown. A system that fails is logged and left for the next start; the others are done.
struct StoredEventProfiler: Service {
    let events: EventService
    let schema: SchemaReadiness
    let logger: Logger

    func run() async throws {
        do { try await schema.wait() } catch { return }
        await profile()
        try? await gracefulShutdown()
    }

    func profile() async {
        do {
            for (systemID, error) in try await events.profileStoredEvents() {
                logger.warning("profiling stored events failed", metadata: ["system": "\(systemID)", "error": "\(error)"])
            }
        } catch {
            logger.warning("profiling stored events failed", metadata: ["error": "\(error)"])
        }
    }
}
