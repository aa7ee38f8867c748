import Foundation
import StewardCore
import StewardStore
import StewardTestSupport
import Testing

/// The gateway's budgets over the SQL store, on every available engine, with two servers (two service graphs, each
/// with its own leases) sharing one store: together they never spend past a budget, each cost is counted once,
/// and a server that stops without writing its costs leaves the budget stricter, never looser.
@Suite("Gateway budgets in the store")
struct GatewayBudgetStoreTests {
    static let contributor = Principal.user("carl", role: .contributor)
    /// 1 $ a million tokens each way: a call of 1,000 prompt and 1,000 completion tokens holds 0.002 $.
    static let model = try! GatewayConfiguration(
        yaml: """
            providers: [{name: p, kind: openai, base_url: "http://127.0.0.1:9/v1", api_key_env: KEY}]
            models: [{name: m, provider: p, upstream_model: u, input_per_million: 1, output_per_million: 1}]
            """
    ).models[0]
    static let worstCase = Decimal(string: "0.002")!

    static func system(_ services: TrackingServices, dailyUSD: Decimal) async throws -> GatewayService.Caller {
        var draft = SystemDraft()
        draft.name = "assistant"
        let system = try await services.register.createSystem(draft, actor: contributor)
        try await services.gateway.setBudget(GatewayBudget(dailyUSD: dailyUSD, monthlyUSD: nil), systemID: system.id, actor: contributor)
        return try await services.gateway.evaluationCaller(systemID: system.id, actor: contributor)
    }

    /// Holds a call's worst case on `gateway` and settles it at that cost; false when the budget refused it.
    static func call(_ gateway: GatewayService, _ caller: GatewayService.Caller) async throws -> Bool {
        do {
            let reservation = try await gateway.reserve(
                caller, model: model, promptTokenBound: 1000, requestedCompletionTokens: 1000, choices: 1)
            #expect(reservation.maximumCompletionTokens == 1000, "a call that fits is never cut short here")
            gateway.settle(reservation, cost: Picodollars.of(worstCase))
            return true
        } catch let error as StewardError where error.code == .requestLimitExceeded {
            #expect(error.message.contains("budget_exceeded") && error.message.contains("daily budget of system"), "\(error.message)")
            return false
        }
    }

    static func spentToday(_ services: TrackingServices, _ caller: GatewayService.Caller) async throws -> Decimal {
        try #require(try await services.gateway.budgets(systemID: caller.system.id).first).today
    }

    @Test("Two servers calling at once never spend past a budget together, and each cost is counted once", arguments: TestEngine.available)
    func twoServers(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage in
            let first = TrackingServices(storage)
            let second = TrackingServices(storage)
            // Room for 50 calls' worst cases; 200 calls ask, half through each server.
            let caller = try await Self.system(first, dailyUSD: Self.worstCase * 50)
            let served = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<200 {
                    let gateway = index.isMultiple(of: 2) ? first.gateway : second.gateway
                    group.addTask { try await Self.call(gateway, caller) }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(served == 50, "every call that fits is served, and no more")
            try await first.gateway.writeSpend()
            try await second.gateway.writeSpend()
            #expect(try await Self.spentToday(first, caller) == Self.worstCase * 50)
            #expect(try await Self.spentToday(second, caller) == Self.worstCase * 50)
            let spend = try await second.gateway.spend(systemID: caller.system.id, day: nil).spend
            #expect(spend.first { $0.scope == "system" }?.callsToday == 50)
            #expect(try await Self.call(first.gateway, caller) == false)
            #expect(try await Self.call(second.gateway, caller) == false)

            // Given back when the servers stop: no lease is left, and the spend stays.
            try await first.gateway.writeSpend(releasingAll: true)
            try await second.gateway.writeSpend(releasingAll: true)
            #expect(try await first.count("gateway_reservations") == 0)
            #expect(try await Self.spentToday(first, caller) == Self.worstCase * 50)
        }
    }

    @Test("A server stopped before writing its costs leaves its lease counting: the budget only gets stricter", arguments: TestEngine.available)
    func stoppedServer(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage in
            let stopped = TrackingServices(storage)
            let caller = try await Self.system(stopped, dailyUSD: Self.worstCase * 5)
            for _ in 0..<3 { #expect(try await Self.call(stopped.gateway, caller)) }
            // `stopped` never writes (a kill -9): its three calls' costs stay in its lease's row.
            let next = TrackingServices(storage)
            #expect(try await Self.call(next.gateway, caller))
            #expect(try await Self.call(next.gateway, caller))
            #expect(try await Self.call(next.gateway, caller) == false, "the stopped server's calls still count")
            try await next.gateway.writeSpend(releasingAll: true)
            #expect(try await Self.spentToday(next, caller) == Self.worstCase * 2)
            #expect(try await next.count("gateway_reservations") == 1, "the stopped server's lease")
        }
    }

    @Test("A budget lowered on a server applies to its next call, whatever its lease held", arguments: TestEngine.available)
    func loweredBudget(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage in
            let services = TrackingServices(storage)
            let caller = try await Self.system(services, dailyUSD: 100)
            for _ in 0..<20 { #expect(try await Self.call(services.gateway, caller)) }
            let spent = try await Self.spentToday(services, caller)
            #expect(spent == Self.worstCase * 20)
            try await services.gateway.setBudget(
                GatewayBudget(dailyUSD: spent, monthlyUSD: nil), systemID: caller.system.id, actor: Self.contributor)
            #expect(try await Self.call(services.gateway, caller) == false)
            try await services.gateway.setBudget(
                GatewayBudget(dailyUSD: nil, monthlyUSD: nil), systemID: caller.system.id, actor: Self.contributor)
            #expect(try await Self.call(services.gateway, caller), "no budget: nothing is held")
        }
    }
}
