import Foundation
import Logging
import ServiceLifecycle
import StewardCore

/// The background service that evaluates each system's alert rules on its schedule (the rules' `every`, else
/// the server's interval) until the server shuts down. Each evaluation runs on its own, up to eight at once, so
/// a system whose webhooks are slow holds up no other. It first profiles stored events that window profiles
/// do not count yet (see `StoredEventProfiler`), so that no rule is checked against a window still being
/// profiled.
struct AlertScheduler: Service {
    let events: EventService
    let alerts: AlertService
    let schema: SchemaReadiness
    let interval: Duration
    let logger: Logger

    static let concurrentEvaluations = 8
    /// Who claims this process's turns (`AlertService.evaluateScheduledAlerts`): the host and process.
    let claimant = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"

    func run() async throws {
        do { try await schema.wait() } catch { return }
        await StoredEventProfiler(events: events, schema: schema, logger: logger).profile()
        var schedule = AlertSchedule(defaultInterval: max(1, EpochClock.milliseconds(interval)))
        let busy = BusySystems()
        await withDiscardingTaskGroup { group in
            var failed = false
            // A first look at the stored rules starts every system's clock.
            _ = try? await alerts.dueAlertSystems(&schedule, busy: [], capacity: 0)
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                do {
                    // The pause ends early when the server shuts down, so shutdown never waits for an interval.
                    // It is short enough to catch rules stored meanwhile with a shorter `every`, and a free slot;
                    // after a failure (the database away, say) it is longer, so the scheduler does not spin.
                    let pause = Duration.milliseconds(
                        failed ? min(schedule.defaultInterval, 10_000) : min(schedule.pause(now: EpochClock.now()), 1000))
                    try await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
                } catch {
                    break
                }
                failed = false
                do {
                    let running = await busy.systems
                    let due = try await alerts.dueAlertSystems(
                        &schedule, busy: running, capacity: Self.concurrentEvaluations - running.count)
                    for turn in due {
                        await busy.insert(turn.systemID)
                        group.addTask {
                            await evaluate(turn)
                            await busy.remove(turn.systemID)
                        }
                    }
                } catch {
                    failed = true
                    logger.warning("alert evaluation failed", metadata: ["error": "\(error)"])
                }
            }
            // Evaluations still waiting on a webhook's retries stop at shutdown.
            group.cancelAll()
        }
    }

    /// Evaluates the turn unless another replica took it.
    func evaluate(_ turn: AlertTurn) async {
        let systemID = turn.systemID
        do {
            guard let evaluation = try await alerts.evaluateScheduledAlerts(turn, claimant: claimant) else { return }
            if !evaluation.fired.isEmpty || !evaluation.resolved.isEmpty {
                logger.info(
                    "alerts", metadata: ["system": "\(systemID)", "fired": "\(evaluation.fired.count)", "resolved": "\(evaluation.resolved.count)"])
            }
        } catch {
            logger.warning("alert evaluation failed", metadata: ["system": "\(systemID)", "error": "\(error)"])
        }
    }
}

/// The systems whose alert evaluation is running.
actor BusySystems {
    private(set) var systems: Set<String> = []

    func insert(_ systemID: String) { systems.insert(systemID) }
    func remove(_ systemID: String) { systems.remove(systemID) }
}
