import Logging
import ServiceLifecycle
import StewardCore

/// Writes the gateway calls' settled costs to the store every `interval` (a call's answer never waits for it),
/// giving back what idle leases hold of the budgets; at shutdown, writes what is left and gives every lease back.
/// A write that fails is logged and its costs are written with the next one.
struct GatewaySpendWriter: Service {
    let gateway: GatewayService
    let schema: SchemaReadiness
    let interval: Duration
    let logger: Logger

    func run() async throws {
        do { try await schema.wait() } catch { return }
        await Periodically.run(every: interval) { await write(releasingAll: false) }
        await write(releasingAll: true)
    }

    func write(releasingAll: Bool) async {
        do { try await gateway.writeSpend(releasingAll: releasingAll) } catch {
            logger.warning("gateway spend not written; it is written with the next write", metadata: ["error": "\(error)"])
        }
    }
}
