import Logging
import ServiceLifecycle
import StewardCore

/// The background service that evaluates each system's alert rules on its schedule (the rules' `every`, else
/// the server's interval) until the server shuts down. It first profiles stored events that window profiles do
/// not count yet (see `StoredEventProfiler`), so that no rule is checked against a window still being profiled.
struct AlertScheduler: Service {
    let monitoring: MonitoringService
    let interval: Duration
    let logger: Logger

    func run() async throws {
        let (seconds, attoseconds) = interval.components
        await StoredEventProfiler(monitoring: monitoring, logger: logger).profile()
        var schedule = AlertSchedule(defaultInterval: max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
        // A first look at the stored rules starts every system's clock.
        _ = try? await monitoring.evaluateDueAlerts(&schedule)
        var failed = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                // The pause ends early when the server shuts down, so shutdown never waits for an interval. It
                // is short enough to catch rules stored meanwhile with a shorter `every`; after a failure (the
                // database away, say) it is longer, so the scheduler does not spin.
                let pause = Duration.milliseconds(failed ? min(schedule.defaultInterval, 10_000) : min(schedule.pause(now: EpochClock.now()), 1000))
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
            } catch {
                return
            }
            failed = false
            do {
                for (systemID, outcome) in try await monitoring.evaluateDueAlerts(&schedule) {
                    switch outcome {
                    case .success(let evaluation) where !evaluation.fired.isEmpty || !evaluation.resolved.isEmpty:
                        logger.info(
                            "alerts",
                            metadata: ["system": "\(systemID)", "fired": "\(evaluation.fired.count)", "resolved": "\(evaluation.resolved.count)"])
                    case .success: break
                    case .failure(let error): logger.warning("alert evaluation failed", metadata: ["system": "\(systemID)", "error": "\(error)"])
                    }
                }
            } catch {
                failed = true
                logger.warning("alert evaluation failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
