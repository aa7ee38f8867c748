import Logging
import ServiceLifecycle
import StewardCore

/// The background service that evaluates every system's alert rules on a fixed interval until the server
/// shuts down.
struct AlertScheduler: Service {
    let monitoring: MonitoringService
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                // The pause ends early when the server shuts down, so shutdown never waits for an interval.
                let interval = self.interval
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            do {
                for (systemID, outcome) in try await monitoring.evaluateAllAlerts() {
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
                logger.warning("alert evaluation failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
