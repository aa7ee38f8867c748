import Foundation
import Synchronization

/// What this server holds of the gateway's budgets, and what its calls spent that the store has not recorded yet.
///
/// A gateway call holds its worst case against its budgets while it runs and settles its real cost when it ends.
/// Doing both in the store cost each call two write transactions on the single writer, one of them flushed to disk
/// before the answer: `bench/gateway.py` (2 cores, 16 connections) served 2,700 calls a second with them and 4,150
/// with neither, and at one connection the two added 0.4 ms of the gateway's 1.0 ms at p50. So the store grants
/// each server a **lease** on a budget, a row among the reservations that counts against the budget like any hold,
/// and the server's calls hold and settle against their lease in memory. A call whose worst case does not fit what
/// is free in a lease asks the store for more, in one transaction that sees every other server's leases and
/// what was spent (so no number of servers and calls spends past a budget); the store grants what is needed, more
/// when calls come quickly (about a quarter of a second of their worst cases, never more than a 32nd of what is
/// left), and never more than what is left.
///
/// Settled costs are written to the store in batches (`flush`, every 50 ms and before any spend is read), each in
/// one durable transaction that adds them to the spend and takes them off the lease: the budget counts each cost
/// exactly once, as a lease before and as spend after. A lease idle for a second is given back. A server stopped
/// by `kill -9` leaves its lease behind, costs not yet written included: it keeps counting against the budget
/// until the budget's period ends, so a crash can only leave a budget stricter, never let it be passed.
public final class GatewayBudgetLedger: Sendable {
    /// A budget of a scope for one day (and the month it is in): what a lease is for.
    public struct LeaseKey: Hashable, Sendable {
        public let scope: String
        public let periods: GatewayBudget.Periods

        /// By the scope and the day alone: the day names its month.
        public func hash(into hasher: inout Hasher) {
            hasher.combine(scope)
            hasher.combine(periods.day)
        }

        public static func == (left: LeaseKey, right: LeaseKey) -> Bool {
            left.scope == right.scope && left.periods.day == right.periods.day
        }
    }

    /// A scope's limits, in picodollars, as last read from the store.
    public struct Limits: Sendable, Equatable {
        public let daily: Int64?
        public let monthly: Int64?

        public init(daily: Int64?, monthly: Int64?) {
            self.daily = daily
            self.monthly = monthly
        }
    }

    /// What the store answered when asked to grant more of a budget: the budget's limits (nil when the scope has
    /// none), what was left of each period before the grant, counting every lease and hold, and what it granted.
    public struct Grant: Sendable, Equatable {
        public let limits: Limits?
        public let leftToday: Int64?
        public let leftThisMonth: Int64?
        public let granted: Int64

        public init(limits: Limits?, leftToday: Int64?, leftThisMonth: Int64?, granted: Int64) {
            self.limits = limits
            self.leftToday = leftToday
            self.leftThisMonth = leftThisMonth
            self.granted = granted
        }
    }

    /// More of a budget a call needs: at least `needed`, `wanted` if that much is left.
    public struct Request: Sendable, Equatable {
        public let key: LeaseKey
        /// The store's reservation id of this server's lease.
        public let leaseID: String
        public let needed: Int64
        public let wanted: Int64
        /// How many times the scope's budget had changed through this server when the request was made: a grant
        /// answered after another change was read under the old limits, and is given back.
        let generation: UInt64

        public init(key: LeaseKey, leaseID: String, needed: Int64, wanted: Int64, generation: UInt64 = 0) {
            self.key = key
            self.leaseID = leaseID
            self.needed = needed
            self.wanted = wanted
            self.generation = generation
        }
    }

    /// What a flush writes in one transaction: costs added to the spend of each scope and period, and how much
    /// each lease shrinks (its settled costs, and what it gives back).
    public struct Flush: Sendable {
        public struct LeaseChange: Sendable, Equatable {
            public let key: LeaseKey
            public let leaseID: String
            public let decrease: Int64
        }

        public var spend: [SpendKey: SpendDelta] = [:]
        public var leases: [LeaseChange] = []
        var settledTaken: [LeaseKey: Int64] = [:]
        var released: [LeaseKey: Int64] = [:]

        public var isEmpty: Bool { spend.isEmpty && leases.isEmpty }
    }

    public struct SpendKey: Hashable, Sendable {
        public let scope: String
        public let period: String
    }

    public struct SpendDelta: Sendable, Equatable {
        public var amount: Int64
        public var calls: Int64

        static let none = SpendDelta(amount: 0, calls: 0)

        mutating func add(_ other: SpendDelta) {
            amount += other.amount
            calls += other.calls
        }
    }

    /// The outcome of holding a call's worst case with what the leases have.
    public enum Hold: Sendable, Equatable {
        /// Held: `amount` in each of `scopes`, those with a budget (0 and none when no scope of the call has one).
        case held(amount: Int64, scopes: [String])
        /// The leases must grow (or a scope's limits be read) first.
        case short([Request])
        /// Not even `minimum` fits: the tightest budget, for the refusal.
        case refused(tightest: String)
    }

    struct Lease {
        /// As the store's row has it once the writes under way are done (less what is being given back).
        var granted: Int64 = 0
        var held: Int64 = 0
        /// Spent by settled calls, still inside `granted` until a flush moves it to the spend.
        var settled: Int64 = 0
        /// The part of `settled` that a flush under way writes.
        var flushing: Int64 = 0
        /// Given back here (no longer in `granted`), not yet in the store.
        var releasing: Int64 = 0
        /// What was left of each period beside the leases, when the store last granted.
        var leftToday: Int64?
        var leftThisMonth: Int64?
        var lastUsed: Int64 = 0
        /// Worst cases held since the last grant, and when it was: how quickly this lease is used.
        var heldSinceGrant: Int64 = 0
        var grantedAt: Int64 = 0

        var free: Int64 { granted - held - settled }

        mutating func hold(_ amount: Int64, at now: Int64) {
            held += amount
            heldSinceGrant += amount
            lastUsed = now
        }
    }

    struct KnownLimits {
        var limits: Limits?
        var readAt: Int64
    }

    struct State {
        var leases: [LeaseKey: Lease] = [:]
        var limits: [String: KnownLimits] = [:]
        var spend: [SpendKey: SpendDelta] = [:]
        /// Per scope, how many times its budget changed through this server (`forget`).
        var generations: [String: UInt64] = [:]
    }

    /// The store's lease rows of this server are named after it: `lease-<uuid>/<day>`.
    public let leaseName: String
    private let state = Mutex(State())

    /// A scope with no budget is asked again after this long: a budget set through another server applies here
    /// within it (one set through this server, at once).
    static let unbudgetedLifetimeMilliseconds: Int64 = 1000
    /// A lease not used for this long is given back at the next flush.
    static let idleMilliseconds: Int64 = 1000

    public init() {
        leaseName = "lease-" + RandomUUID.string()
    }

    /// The store's reservation id of the lease for `key`.
    public func leaseID(_ key: LeaseKey) -> String { "\(leaseName)/\(key.periods.day)" }

    /// Holds the call's worst case in every scope with a budget, when every lease has it free (and at least
    /// `minimum`, and something). Otherwise asks for grants; with `applying`, the store's answers to them are taken
    /// into the leases first, in the same step, so that no other call takes what was granted in between. `final`
    /// (or when the store granted less than was needed): holds what the tightest lease has free, down to
    /// `minimum`, or refuses.
    public func hold(
        scopes: [String], periods: GatewayBudget.Periods, worstCase: Int64, minimum: Int64, now: Int64, final: Bool = false,
        applying grants: [(request: Request, grant: Grant)] = []
    ) -> Hold {
        state.withLock { state in
            var final = final
            for (request, grant) in grants {
                Self.apply(grant, for: request, now: now, to: &state)
                if grant.limits != nil && grant.granted < request.needed { final = true }
            }
            let wanted = max(worstCase, minimum, 1)
            var requests: [Request] = []
            var budgeted: [(key: LeaseKey, lease: Lease, limits: Limits)] = []
            for scope in scopes {
                let key = LeaseKey(scope: scope, periods: periods)
                let lease = state.leases[key] ?? Lease()
                let known = state.limits[scope]
                let current = known.map { $0.limits != nil || now - $0.readAt < Self.unbudgetedLifetimeMilliseconds } ?? false
                if !final && (!current || (known?.limits != nil && lease.free < wanted)) {
                    let needed = Self.saturating(wanted, minus: lease.free)
                    let elapsed = max(now - lease.grantedAt, 10)
                    // About a quarter of a second of the worst cases this lease has been holding.
                    let (scaled, overflow) = lease.heldSinceGrant.multipliedReportingOverflow(by: 250)
                    let pace = overflow ? Int64.max : scaled / elapsed
                    requests.append(
                        Request(key: key, leaseID: leaseID(key), needed: needed, wanted: max(needed, pace), generation: state.generations[scope] ?? 0)
                    )
                    // In use: not given back by a flush while its grant is asked for.
                    state.leases[key]?.lastUsed = now
                } else if let limits = known?.limits {
                    budgeted.append((key, lease, limits))
                }
            }
            if !requests.isEmpty { return .short(requests) }
            guard !budgeted.isEmpty else { return .held(amount: 0, scopes: []) }
            let available = budgeted.lazy.map(\.lease.free).min() ?? 0
            guard available >= minimum, available > 0 else { return .refused(tightest: Self.tightest(budgeted)) }
            let amount = min(worstCase, available)
            for (key, _, _) in budgeted {
                state.leases[key, default: Lease()].hold(amount, at: now)
            }
            return .held(amount: amount, scopes: budgeted.map(\.key.scope))
        }
    }

    /// `left - right`, at least 0; `Int64.max` where it would overflow (`right` is negative only then).
    static func saturating(_ left: Int64, minus right: Int64) -> Int64 {
        let (difference, overflow) = left.subtractingReportingOverflow(right)
        return overflow ? Int64.max : max(difference, 0)
    }

    /// How a refusal names the budget with the least left for a call: what its lease has free and what the store
    /// had left beside the leases when it last granted.
    static func tightest(_ budgeted: [(key: LeaseKey, lease: Lease, limits: Limits)]) -> String {
        var tightest = ""
        var least = Int64.max
        for (key, lease, limits) in budgeted {
            for (left, limit, period) in [(lease.leftToday, limits.daily, "daily"), (lease.leftThisMonth, limits.monthly, "monthly")] {
                guard let limit, let left else { continue }
                let available = max(left, 0) + max(lease.free, 0)
                if available < least {
                    least = available
                    tightest =
                        "the \(period) budget of \(key.scope.replacingOccurrences(of: ":", with: " ")) (\(Self.dollars(limit)) $, \(Self.dollars(available)) $ left)"
                }
            }
        }
        return tightest
    }

    /// Takes what the store answered for `request` (its limits, and what it granted) into the lease.
    public func apply(_ grant: Grant, for request: Request, now: Int64) {
        state.withLock { state in Self.apply(grant, for: request, now: now, to: &state) }
    }

    static func apply(_ grant: Grant, for request: Request, now: Int64, to state: inout State) {
        let scope = request.key.scope
        guard state.generations[scope] ?? 0 == request.generation else {
            // Read under limits that have changed since: its limits are not kept, and what it granted goes back.
            if grant.granted > 0 { state.leases[request.key, default: Lease()].releasing += grant.granted }
            return
        }
        state.limits[scope] = KnownLimits(limits: grant.limits, readAt: now)
        guard grant.limits != nil else { return }
        var lease = state.leases[request.key] ?? Lease()
        lease.granted += grant.granted
        lease.leftToday = grant.leftToday.map { $0 - grant.granted }
        lease.leftThisMonth = grant.leftThisMonth.map { $0 - grant.granted }
        lease.heldSinceGrant = 0
        lease.grantedAt = now
        lease.lastUsed = now
        state.leases[request.key] = lease
    }

    /// Ends a call: releases what it held in `held` (the scopes with a budget, `amount` each) and counts `cost`
    /// (picodollars, one call) as spent by each of `scopes` for the day and the month of `periods`. A lease takes
    /// back at most what the call held: a cost past it (a provider counting more than the call's bound) is in the
    /// spend alone, so the lease's row still covers every other call's hold.
    public func settle(held: [String], amount: Int64, scopes: [String], periods: GatewayBudget.Periods, cost: Int64) {
        state.withLock { state in
            if amount > 0 {
                for scope in held {
                    let key = LeaseKey(scope: scope, periods: periods)
                    state.leases[key, default: Lease()].held -= amount
                    state.leases[key]?.settled += min(cost, amount)
                }
            }
            for scope in Set(scopes) {
                for period in [periods.day, periods.month] {
                    state.spend[SpendKey(scope: scope, period: period), default: .none].add(SpendDelta(amount: cost, calls: 1))
                }
            }
        }
    }

    /// Forgets `scope`'s limits, so that the next call asks the store again, and gives back what its leases have
    /// free at the next flush: its budget changed.
    public func forget(scope: String) {
        state.withLock { state in
            state.limits[scope] = nil
            state.generations[scope, default: 0] += 1
            for (key, lease) in state.leases where key.scope == scope && lease.free > 0 {
                state.leases[key]?.granted -= lease.free
                state.leases[key]?.releasing += lease.free
            }
        }
    }

    /// What the next flush writes: every cost settled and not yet written, and what leases give back (a lease not
    /// used for a second, such as one of a day that has passed, gives back all it has free; with `releasingAll`,
    /// every lease does). Marked as under way until `finished` is called with the outcome.
    public func takeFlush(now: Int64, releasingAll: Bool = false) -> Flush {
        state.withLock { state in
            var flush = Flush()
            flush.spend = state.spend
            state.spend = [:]
            for (key, lease) in state.leases {
                let id = leaseID(key)
                let settled = lease.settled - lease.flushing
                let idle = releasingAll || now - lease.lastUsed >= Self.idleMilliseconds
                let released = (idle ? max(lease.free, 0) : 0) + lease.releasing
                guard settled != 0 || released > 0 else { continue }
                state.leases[key]?.flushing += settled
                state.leases[key]?.granted -= idle ? max(lease.free, 0) : 0
                state.leases[key]?.releasing = 0
                flush.settledTaken[key] = settled
                flush.released[key] = released
                flush.leases.append(Flush.LeaseChange(key: key, leaseID: id, decrease: settled + released))
            }
            return flush
        }
    }

    /// Ends a flush: written, its costs leave the leases (and a lease with nothing left is forgotten: the store
    /// deletes its row); failed, everything goes back to be written next time.
    public func finished(_ flush: Flush, written: Bool) {
        state.withLock { state in
            for (key, settled) in flush.settledTaken {
                state.leases[key]?.flushing -= settled
                if written {
                    state.leases[key]?.settled -= settled
                    state.leases[key]?.granted -= settled
                } else {
                    // Given back here already: the store keeps counting it until a flush is written.
                    state.leases[key]?.releasing += flush.released[key] ?? 0
                }
            }
            if written {
                for (key, lease) in state.leases where lease.granted == 0 && lease.held == 0 && lease.settled == 0 && lease.releasing == 0 {
                    state.leases[key] = nil
                }
            } else {
                for (key, delta) in flush.spend { state.spend[key, default: .none].add(delta) }
            }
        }
    }

    /// The size of a grant: what is `wanted` if it is no more than a 32nd of what is `left`, else no more than
    /// that (but at least what is `needed`), and never more than what is left.
    public static func grantSize(needed: Int64, wanted: Int64, left: Int64) -> Int64 {
        guard left > 0 else { return 0 }
        return min(left, max(needed, min(wanted, left / 32)))
    }

    static func dollars(_ amount: Int64) -> String { "\(Picodollars.dollars(amount))" }
}
