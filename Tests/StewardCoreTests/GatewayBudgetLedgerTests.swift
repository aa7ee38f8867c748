import Foundation
import Testing

@testable import StewardCore

/// The gateway's budget ledger without a store: what it asks the store for, what it holds, and what a flush
/// writes (again, when the last one failed).
@Suite("Gateway budget ledger")
struct GatewayBudgetLedgerTests {
    static let periods = GatewayBudget.Periods(day: "2026-12-05")!
    static let limits = GatewayBudgetLedger.Limits(daily: 1_000, monthly: nil)

    /// A ledger whose lease on `system:s` was granted `granted` of a daily budget of 1,000.
    static func leased(_ granted: Int64, now: Int64 = 0) -> GatewayBudgetLedger {
        let ledger = GatewayBudgetLedger()
        guard case .short(let requests) = ledger.hold(scopes: ["system:s"], periods: periods, worstCase: 10, minimum: 1, now: now) else {
            Issue.record("a scope never read is asked for")
            return ledger
        }
        ledger.apply(.init(limits: limits, leftToday: 1_000, leftThisMonth: nil, granted: granted), for: requests[0], now: now)
        return ledger
    }

    @Test("A grant is what is wanted, at most a 32nd of what is left, at least what is needed, never more than what is left")
    func grantSize() {
        #expect(GatewayBudgetLedger.grantSize(needed: 5, wanted: 100, left: 320) == 10)
        #expect(GatewayBudgetLedger.grantSize(needed: 5, wanted: 8, left: 3_200) == 8)
        #expect(GatewayBudgetLedger.grantSize(needed: 50, wanted: 50, left: 20) == 20)
        #expect(GatewayBudgetLedger.grantSize(needed: 5, wanted: 5, left: 0) == 0)
        #expect(GatewayBudgetLedger.grantSize(needed: 5, wanted: 5, left: -7) == 0)
    }

    @Test("Calls hold in memory while the lease has room; then the store is asked for at least what is missing")
    func holds() {
        let ledger = Self.leased(25)
        #expect(
            ledger.hold(scopes: ["system:s"], periods: Self.periods, worstCase: 10, minimum: 1, now: 5) == .held(amount: 10, scopes: ["system:s"]))
        #expect(
            ledger.hold(scopes: ["system:s"], periods: Self.periods, worstCase: 10, minimum: 1, now: 6) == .held(amount: 10, scopes: ["system:s"]))
        guard case .short(let requests) = ledger.hold(scopes: ["system:s"], periods: Self.periods, worstCase: 10, minimum: 1, now: 7) else {
            Issue.record("5 free, 10 needed: the store is asked")
            return
        }
        // 20 held in 7 ms (counted as 10): a quarter of a second at that pace is 500.
        #expect(requests == [.init(key: .init(scope: "system:s", periods: Self.periods), leaseID: requests[0].leaseID, needed: 5, wanted: 500)])
        // Nothing more was granted: the last call holds what is free, or is refused below its minimum.
        ledger.apply(.init(limits: Self.limits, leftToday: 0, leftThisMonth: nil, granted: 0), for: requests[0], now: 7)
        #expect(
            ledger.hold(scopes: ["system:s"], periods: Self.periods, worstCase: 10, minimum: 1, now: 7, final: true)
                == .held(amount: 5, scopes: ["system:s"]))
        guard case .refused(let tightest) = ledger.hold(scopes: ["system:s"], periods: Self.periods, worstCase: 10, minimum: 1, now: 7, final: true)
        else {
            Issue.record("nothing free: refused")
            return
        }
        #expect(tightest.contains("daily budget of system s") && tightest.contains("0 $ left"), "\(tightest)")
    }

    @Test("A flush moves settled costs out of the lease once; a failed one is written again; an idle lease is given back")
    func flushes() {
        let ledger = Self.leased(100)
        #expect(
            ledger.hold(scopes: ["system:s"], periods: Self.periods, worstCase: 10, minimum: 1, now: 0) == .held(amount: 10, scopes: ["system:s"]))
        ledger.settle(held: ["system:s"], amount: 10, scopes: ["system:s", "model:s/m"], periods: Self.periods, cost: 7)
        let failed = ledger.takeFlush(now: 10)
        #expect(failed.spend[.init(scope: "model:s/m", period: "2026-12")] == .init(amount: 7, calls: 1))
        #expect(failed.leases.map(\.decrease) == [7], "a busy lease keeps its free part")
        ledger.finished(failed, written: false)
        let again = ledger.takeFlush(now: 10)
        #expect(again.spend == failed.spend && again.leases == failed.leases)
        ledger.finished(again, written: true)
        #expect(ledger.takeFlush(now: 20).isEmpty, "nothing written twice")
        let idle = ledger.takeFlush(now: 2_000)
        #expect(idle.leases.map(\.decrease) == [93], "idle for a second: all it has free is given back")
        ledger.finished(idle, written: true)
        #expect(ledger.takeFlush(now: 5_000).isEmpty)
        // Given back: the next call asks the store again.
        guard case .short = ledger.hold(scopes: ["system:s"], periods: Self.periods, worstCase: 10, minimum: 1, now: 5_000) else {
            Issue.record("an empty lease asks the store")
            return
        }
    }

    @Test("A free model's calls, and calls whose worst case is below the minimum, are held while anything is left")
    func smallWorstCases() {
        let ledger = Self.leased(3)
        #expect(ledger.hold(scopes: ["system:s"], periods: Self.periods, worstCase: 0, minimum: 0, now: 1) == .held(amount: 0, scopes: ["system:s"]))
        // An embedding: its worst case is its prompt, its minimum a prompt and one completion token.
        #expect(ledger.hold(scopes: ["system:s"], periods: Self.periods, worstCase: 2, minimum: 3, now: 1) == .held(amount: 2, scopes: ["system:s"]))
    }

    @Test("A grant answered after the budget changed here is given back, and its old limits are not kept")
    func grantAfterChange() {
        let ledger = GatewayBudgetLedger()
        guard case .short(let requests) = ledger.hold(scopes: ["system:s"], periods: Self.periods, worstCase: 10, minimum: 1, now: 0) else {
            Issue.record("a scope never read is asked for")
            return
        }
        ledger.forget(scope: "system:s")  // the budget was lowered while the store answered
        let decision = ledger.hold(
            scopes: ["system:s"], periods: Self.periods, worstCase: 10, minimum: 1, now: 0,
            applying: [(requests[0], .init(limits: Self.limits, leftToday: 1_000, leftThisMonth: nil, granted: 30))])
        guard case .short = decision else {
            Issue.record("asked again under the new limits, not held under the old: \(decision)")
            return
        }
        #expect(ledger.takeFlush(now: 0).leases.map(\.decrease) == [30], "what the stale grant added goes back")
    }

    @Test("A call that costs more than it held takes only its hold off the lease; the spend has all of it")
    func costPastHold() {
        let ledger = Self.leased(20)
        #expect(
            ledger.hold(scopes: ["system:s"], periods: Self.periods, worstCase: 10, minimum: 1, now: 0) == .held(amount: 10, scopes: ["system:s"]))
        #expect(
            ledger.hold(scopes: ["system:s"], periods: Self.periods, worstCase: 10, minimum: 1, now: 0) == .held(amount: 10, scopes: ["system:s"]))
        ledger.settle(held: ["system:s"], amount: 10, scopes: ["system:s"], periods: Self.periods, cost: 15)
        let flush = ledger.takeFlush(now: 0)
        #expect(flush.leases.map(\.decrease) == [10], "the other call's hold stays covered by the lease")
        #expect(flush.spend[.init(scope: "system:s", period: "2026-12-05")] == .init(amount: 15, calls: 1))
    }

    @Test("A scope without a budget holds nothing and is asked about again after a second")
    func unbudgeted() {
        let ledger = GatewayBudgetLedger()
        guard case .short(let requests) = ledger.hold(scopes: ["key:k"], periods: Self.periods, worstCase: 10, minimum: 1, now: 0) else {
            Issue.record("a scope never read is asked for")
            return
        }
        ledger.apply(.init(limits: nil, leftToday: nil, leftThisMonth: nil, granted: 0), for: requests[0], now: 0)
        #expect(ledger.hold(scopes: ["key:k"], periods: Self.periods, worstCase: 10, minimum: 1, now: 999) == .held(amount: 0, scopes: []))
        guard case .short = ledger.hold(scopes: ["key:k"], periods: Self.periods, worstCase: 10, minimum: 1, now: 1_000) else {
            Issue.record("read again after a second")
            return
        }
    }
}
