import Logging
import ServiceLifecycle
import StewardCore

/// The background service that decides every deciding deployment (active canaries and A/B tests) on the
/// server's interval: advance a step, graduate, roll back or hold, as `DeploymentService.decide` rules. Several
/// replicas may decide the same deployment at once; a deployment's revision lets only one change apply.
struct DeploymentAnalyzer: Service {
    let deployments: DeploymentService
    let traffic: ServingTraffic
    let schema: SchemaReadiness
    let interval: Duration
    let logger: Logger

    func run() async throws {
        do { try await schema.wait() } catch { return }
        await Periodically.run(every: interval) {
            await traffic.recorder.flush()
            do {
                for deployment in try await deployments.deciding() {
                    do {
                        let (decided, analysis) = try await deployments.decide(id: deployment.id)
                        if analysis.action != .hold {
                            logger.info(
                                "deployment decided",
                                metadata: ["deployment": "\(decided.id)", "action": "\(analysis.action.rawValue)", "reason": "\(analysis.reason)"])
                        }
                    } catch let error as StewardError where error.code == .resourceConflict {
                        continue  // another replica decided it first
                    } catch {
                        logger.warning("deployment analysis failed", metadata: ["deployment": "\(deployment.id)", "error": "\(error)"])
                    }
                }
            } catch {
                logger.warning("deployment analysis failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
