import Foundation
import SQLKit
import StewardCore

/// The gateway's configuration versions and keys in SQL.
public struct SQLGatewayRepository: GatewayRepository {
    let database: any StoreDatabase

    public init(database: any StoreDatabase) {
        self.database = database
    }

    public func currentConfiguration() async throws -> GatewayConfigurationVersion? {
        guard let stored = try await SQLDocumentVersions.current(in: "gateway_configurations", of: database) else { return nil }
        return GatewayConfigurationVersion(
            version: stored.version, configuration: try GatewayConfiguration(yaml: stored.document), author: stored.author,
            createdAt: stored.createdAt)
    }

    public func storeConfiguration(document: String, author: String, now: Int64, audit: AuditEntry) async throws -> Int64 {
        try await SQLDocumentVersions.store(
            document, author: author, now: now, audit: audit, in: "gateway_configurations", lock: 7_361_014, of: database)
    }

    public func addKey(_ key: GatewayKey, digest: String, audit: AuditEntry) async throws {
        let engine = database.engine
        try await database.write { db in
            guard try await db.raw("SELECT id FROM ai_systems WHERE id = \(bind: key.systemID)").first() != nil else {
                throw StewardError.notFound("AI system '\(key.systemID)' does not exist.")
            }
            try await db.raw(
                """
                INSERT INTO gateway_keys (key_digest, id, system_id, label, created_by, created_at)
                VALUES (\(bind: digest), \(bind: key.id), \(bind: key.systemID), \(bind: key.label), \(bind: key.createdBy), \(bind: key.createdAt))
                """
            ).run()
            try await SQLAuditLog.append(audit, now: key.createdAt, engine: engine, on: db)
        }
    }

    public func key(digest: String) async throws -> GatewayKey? {
        try await database.read { db in
            try await db.raw("SELECT id, system_id, label, created_by, created_at FROM gateway_keys WHERE key_digest = \(bind: digest)")
                .first().map(Self.key)
        }
    }

    public func keys(systemID: String) async throws -> [GatewayKey] {
        try await database.read { db in
            try await db.raw(
                "SELECT id, system_id, label, created_by, created_at FROM gateway_keys WHERE system_id = \(bind: systemID) ORDER BY created_at, id"
            ).all().map(Self.key)
        }
    }

    public func revokeKey(systemID: String, id: String, now: Int64, audit: AuditEntry) async throws -> Bool {
        let engine = database.engine
        return try await database.write { db in
            let deleted = try await db.raw("DELETE FROM gateway_keys WHERE system_id = \(bind: systemID) AND id = \(bind: id) RETURNING id").all()
            guard !deleted.isEmpty else { return false }
            try await SQLAuditLog.append(audit, now: now, engine: engine, on: db)
            return true
        }
    }

    public func storePromptExperiment(_ experiment: PromptExperiment, audit: AuditEntry) async throws {
        let engine = database.engine
        let arms = try SQLDeploymentRepository.text(experiment.arms)
        var encodedJudge: String?
        if let named = experiment.judge { encodedJudge = try SQLDeploymentRepository.text(named) }
        let judge = encodedJudge
        try await database.write { db in
            guard try await db.raw("SELECT id FROM ai_systems WHERE id = \(bind: experiment.systemID)").first() != nil else {
                throw StewardError.notFound("AI system '\(experiment.systemID)' does not exist.")
            }
            try await db.raw(
                """
                INSERT INTO gateway_prompt_experiments (system_id, prompt, id, arms, salt, primary_metric, judge, created_by, created_at)
                VALUES (\(bind: experiment.systemID), \(bind: experiment.prompt), \(bind: experiment.id), \(bind: arms), \(bind: experiment.salt),
                    \(bind: experiment.primaryMetric.rawValue), \(bind: judge), \(bind: experiment.createdBy), \(bind: experiment.createdAt))
                ON CONFLICT (system_id, prompt) DO UPDATE SET id = excluded.id, arms = excluded.arms, salt = excluded.salt,
                    primary_metric = excluded.primary_metric, judge = excluded.judge, created_by = excluded.created_by,
                    created_at = excluded.created_at
                """
            ).run()
            try await SQLAuditLog.append(audit, now: experiment.createdAt, engine: engine, on: db)
        }
    }

    public func promptExperiments(systemID: String) async throws -> [PromptExperiment] {
        let rows = try await database.read { db in
            try await db.raw(
                """
                SELECT system_id, prompt, id, arms, salt, primary_metric, judge, created_by, created_at FROM gateway_prompt_experiments
                WHERE system_id = \(bind: systemID) ORDER BY prompt
                """
            ).all()
        }
        var experiments: [PromptExperiment] = []
        for row in rows {
            var judge: PromptExperiment.OnlineJudge?
            if let text = try row.optionalString("judge") {
                judge = try JSONDecoder().decode(PromptExperiment.OnlineJudge.self, from: Data(text.utf8))
            }
            experiments.append(
                PromptExperiment(
                    id: try row.string("id"), systemID: try row.string("system_id"), prompt: try row.string("prompt"),
                    arms: try JSONDecoder().decode([PromptExperiment.Arm].self, from: Data(try row.string("arms").utf8)),
                    salt: try row.string("salt"),
                    primaryMetric: RolloutAnalysis.Metric(rawValue: try row.string("primary_metric")) ?? .conversion, judge: judge,
                    createdBy: try row.string("created_by"), createdAt: try row.int64("created_at")))
        }
        return experiments
    }

    public func endPromptExperiment(systemID: String, prompt: String, now: Int64, audit: AuditEntry) async throws -> Bool {
        let engine = database.engine
        return try await database.write { db in
            let deleted = try await db.raw(
                "DELETE FROM gateway_prompt_experiments WHERE system_id = \(bind: systemID) AND prompt = \(bind: prompt) RETURNING id"
            ).all()
            guard !deleted.isEmpty else { return false }
            try await SQLAuditLog.append(audit, now: now, engine: engine, on: db)
            return true
        }
    }

    public func observations(of experiment: PromptExperiment) async throws -> [ArmObservations] {
        try await SQLDeploymentRepository.observations(
            of: experiment.id, systemID: experiment.systemID, stepStartedAt: experiment.createdAt, in: database)
    }

    public func recordUnlistedModel(systemID: String, now: Int64, audit: AuditEntry) async throws {
        let engine = database.engine
        try await database.write { db in
            try await db.raw(
                """
                INSERT INTO gateway_unlisted_calls (system_id, calls) VALUES (\(bind: systemID), 1)
                ON CONFLICT (system_id) DO UPDATE SET calls = gateway_unlisted_calls.calls + 1
                """
            ).run()
            try await SQLAuditLog.append(audit, now: now, engine: engine, on: db)
        }
    }

    public func unlistedModelCalls(systemID: String) async throws -> Int64 {
        try await database.read { db in try await Self.unlistedModelCalls(systemIDs: [systemID], on: db)[systemID] ?? 0 }
    }

    /// The systems' counts of calls refused for an unlisted model (those with none are absent), for their register entries.
    static func unlistedModelCalls(systemIDs: [String], on db: any SQLDatabase) async throws -> [String: Int64] {
        var counts: [String: Int64] = [:]
        for row in try await db.raw("SELECT system_id, calls FROM gateway_unlisted_calls WHERE system_id IN \(SQLBind.group(systemIDs))").all() {
            counts[try row.string("system_id")] = try row.int64("calls")
        }
        return counts
    }

    public func setBudget(_ budget: GatewayBudget, scope: GatewayBudget.Scope, systemID: String, now: Int64, audit: AuditEntry) async throws {
        let engine = database.engine
        try await database.write { db in
            guard try await db.raw("SELECT id FROM ai_systems WHERE id = \(bind: systemID)").first() != nil else {
                throw StewardError.notFound("AI system '\(systemID)' does not exist.")
            }
            if case .key(let id) = scope,
                try await db.raw("SELECT id FROM gateway_keys WHERE system_id = \(bind: systemID) AND id = \(bind: id)").first() == nil
            {
                throw StewardError.notFound("System '\(systemID)' has no gateway key '\(id)'.")
            }
            if budget.dailyUSD == nil && budget.monthlyUSD == nil {
                try await db.raw("DELETE FROM gateway_budgets WHERE scope = \(bind: scope.text)").run()
            } else {
                let daily = budget.dailyUSD.map(Picodollars.of)
                let monthly = budget.monthlyUSD.map(Picodollars.of)
                try await db.raw(
                    """
                    INSERT INTO gateway_budgets (scope, system_id, daily_limit, monthly_limit, updated_at)
                    VALUES (\(bind: scope.text), \(bind: systemID), \(bind: daily), \(bind: monthly), \(bind: now))
                    ON CONFLICT (scope) DO UPDATE SET daily_limit = excluded.daily_limit, monthly_limit = excluded.monthly_limit,
                        updated_at = excluded.updated_at
                    """
                ).run()
            }
            try await SQLAuditLog.append(audit, now: now, engine: engine, on: db)
        }
    }

    public func budgets(systemID: String) async throws -> [GatewayBudget.Scope: GatewayBudget] {
        try await database.read { db in
            var budgets: [GatewayBudget.Scope: GatewayBudget] = [:]
            for row in try await db.raw("SELECT scope, daily_limit, monthly_limit FROM gateway_budgets WHERE system_id = \(bind: systemID)").all() {
                let text = try row.string("scope")
                let scope: GatewayBudget.Scope =
                    text.hasPrefix("key:") ? .key(String(text.dropFirst(4))) : .system(String(text.dropFirst("system:".count)))
                budgets[scope] = GatewayBudget(
                    dailyUSD: try row.optionalInt64("daily_limit").map(Picodollars.dollars),
                    monthlyUSD: try row.optionalInt64("monthly_limit").map(Picodollars.dollars))
            }
            return budgets
        }
    }

    public func grant(_ requests: [GatewayBudgetLedger.Request], now: Int64) async throws -> [GatewayBudgetLedger.Grant] {
        let engine = database.engine
        // Durable: on PostgreSQL the database may outlive (or fail over under) the servers spending the lease. A
        // server asks rarely, about every quarter of a second of its calls at most.
        return try await database.write { db in
            // On PostgreSQL the budgets' rows are locked (in one order, so two grants never wait on each other) until
            // the grant commits, as a flush locks them; SQLite runs one write transaction at a time.
            if engine == .postgres {
                let names = Set(requests.map(\.key.scope)).sorted()
                try await db.raw("SELECT scope FROM gateway_budgets WHERE scope IN (\(binds: names)) ORDER BY scope FOR UPDATE").run()
            }
            var grants: [GatewayBudgetLedger.Grant] = []
            for request in requests {
                let scope = request.key.scope
                let periods = request.key.periods
                guard
                    let row = try await db.raw("SELECT daily_limit, monthly_limit FROM gateway_budgets WHERE scope = \(bind: scope)").first()
                else {
                    grants.append(GatewayBudgetLedger.Grant(limits: nil, leftToday: nil, leftThisMonth: nil, granted: 0))
                    continue
                }
                // Holds of months before this one, and expired ones, count no more (never a later month's: a server
                // whose clock is ahead may already hold one).
                try await db.raw(
                    """
                    DELETE FROM gateway_reservations
                    WHERE scope = \(bind: scope) AND (month < \(bind: periods.month) OR expires_at <= \(bind: now))
                    """
                ).run()
                let limits = GatewayBudgetLedger.Limits(daily: try row.optionalInt64("daily_limit"), monthly: try row.optionalInt64("monthly_limit"))
                // One statement, so one snapshot even under read committed: a flush that moves costs from a lease
                // to the spend is seen whole or not at all (and its lock on the budget's row may be missing, when
                // the budget was removed and set again while the lease lived).
                var left: [Int64?] = []
                for (period, limit, column) in [(periods.day, limits.daily, "day"), (periods.month, limits.monthly, "month")] {
                    guard let limit else {
                        left.append(nil)
                        continue
                    }
                    let row = try await db.raw(
                        """
                        SELECT CAST(COALESCE((SELECT amount FROM gateway_spend WHERE scope = \(bind: scope) AND period = \(bind: period)), 0) AS BIGINT) AS spent,
                            CAST(COALESCE((SELECT SUM(amount) FROM gateway_reservations
                                WHERE scope = \(bind: scope) AND \(unsafeRaw: column) = \(bind: period)), 0) AS BIGINT) AS held
                        """
                    ).first()
                    left.append(limit - (try row?.int64("spent") ?? 0) - (try row?.int64("held") ?? 0))
                }
                let least = left.compactMap { $0 }.min() ?? 0
                let granted = GatewayBudgetLedger.grantSize(needed: request.needed, wanted: request.wanted, left: least)
                if granted > 0 {
                    // A lease never expires: one that a stopped server left behind keeps counting until its month ends.
                    try await db.raw(
                        """
                        INSERT INTO gateway_reservations (id, scope, day, month, amount, expires_at)
                        VALUES (\(bind: request.leaseID), \(bind: scope), \(bind: periods.day), \(bind: periods.month), \(bind: granted), \(bind: Int64.max))
                        ON CONFLICT (id, scope) DO UPDATE SET amount = gateway_reservations.amount + excluded.amount
                        """
                    ).run()
                }
                grants.append(GatewayBudgetLedger.Grant(limits: limits, leftToday: left[0], leftThisMonth: left[1], granted: granted))
            }
            return grants
        }
    }

    public func write(_ flush: GatewayBudgetLedger.Flush) async throws {
        let engine = database.engine
        let spend = flush.spend.sorted { ($0.key.scope, $0.key.period) < ($1.key.scope, $1.key.period) }
        let leases = flush.leases
        try await database.write { db in
            // The budgets' rows are locked as a grant locks them, so that a grant never reads the spend from before
            // this flush and the leases from after it (read committed sees both commits).
            if engine == .postgres && !leases.isEmpty {
                let names = Set(leases.map(\.key.scope)).sorted()
                try await db.raw("SELECT scope FROM gateway_budgets WHERE scope IN (\(binds: names)) ORDER BY scope FOR UPDATE").run()
            }
            for (key, delta) in spend {
                try await db.raw(
                    """
                    INSERT INTO gateway_spend (scope, period, amount, calls) VALUES (\(bind: key.scope), \(bind: key.period), \(bind: delta.amount), \(bind: delta.calls))
                    ON CONFLICT (scope, period) DO UPDATE SET amount = gateway_spend.amount + excluded.amount, calls = gateway_spend.calls + excluded.calls
                    """
                ).run()
            }
            for change in leases {
                // Never below 0: a call whose cost passed what it held would otherwise hand budget back.
                try await db.raw(
                    """
                    UPDATE gateway_reservations
                    SET amount = CASE WHEN amount > \(bind: change.decrease) THEN amount - \(bind: change.decrease) ELSE 0 END
                    WHERE id = \(bind: change.leaseID) AND scope = \(bind: change.key.scope)
                    """
                ).run()
                try await db.raw(
                    "DELETE FROM gateway_reservations WHERE id = \(bind: change.leaseID) AND scope = \(bind: change.key.scope) AND amount = 0"
                ).run()
            }
        }
    }

    public func spend(scope: GatewayBudget.Scope, period: String) async throws -> (amount: Int64, calls: Int64) {
        try await database.read { db in
            guard
                let row = try await db.raw("SELECT amount, calls FROM gateway_spend WHERE scope = \(bind: scope.text) AND period = \(bind: period)")
                    .first()
            else { return (0, 0) }
            return (try row.int64("amount"), try row.int64("calls"))
        }
    }

    public func spend(systemID: String, periods: GatewayBudget.Periods) async throws -> [(scope: String, period: String, amount: Int64, calls: Int64)]
    {
        // Model and prompt scopes by their prefix, compared exactly (a range or LIKE would depend on PostgreSQL's
        // collation, or on SQLite's case folding); a system's keys by their table.
        let model = "model:\(systemID)/"
        let prompt = "prompt:\(systemID)/"
        return try await database.read { db in
            try await db.raw(
                """
                SELECT scope, period, amount, calls FROM gateway_spend
                WHERE period IN (\(bind: periods.day), \(bind: periods.month)) AND (
                    scope = \(bind: "system:\(systemID)")
                    OR scope IN (SELECT 'key:' || id FROM gateway_keys WHERE system_id = \(bind: systemID))
                    OR substr(scope, 1, \(unsafeRaw: "\(model.unicodeScalars.count)")) = \(bind: model)
                    OR substr(scope, 1, \(unsafeRaw: "\(prompt.unicodeScalars.count)")) = \(bind: prompt))
                """
            ).all().map { row in (try row.string("scope"), try row.string("period"), try row.int64("amount"), try row.int64("calls")) }
        }
    }

    public func safetyPolicy(systemID: String) async throws -> SafetyPolicy? {
        // A row read, then parsed, outside `Optional.map`: a throwing `map` in this closure crashed the release
        // build's optimiser (Swift 6.3.1, while splitting the coroutine).
        let document = try await database.read { db in
            try await db.raw("SELECT document FROM gateway_safety WHERE system_id = \(bind: systemID)").first()?.string("document")
        }
        guard let document else { return nil }
        return try SafetyPolicy(yaml: document)
    }

    public func storeSafetyPolicy(_ policy: SafetyPolicy, systemID: String, author: String, now: Int64, audit: AuditEntry) async throws {
        let engine = database.engine
        try await database.write { db in
            guard try await db.raw("SELECT id FROM ai_systems WHERE id = \(bind: systemID)").first() != nil else {
                throw StewardError.notFound("AI system '\(systemID)' does not exist.")
            }
            try await db.raw(
                """
                INSERT INTO gateway_safety (system_id, document, author, updated_at) VALUES (\(bind: systemID), \(bind: policy.document), \(bind: author), \(bind: now))
                ON CONFLICT (system_id) DO UPDATE SET document = excluded.document, author = excluded.author, updated_at = excluded.updated_at
                """
            ).run()
            try await SQLAuditLog.append(audit, now: now, engine: engine, on: db)
        }
    }

    static func key(_ row: any SQLRow) throws -> GatewayKey {
        GatewayKey(
            id: try row.string("id"), systemID: try row.string("system_id"), label: try row.string("label"), createdBy: try row.string("created_by"),
            createdAt: try row.int64("created_at"))
    }
}
