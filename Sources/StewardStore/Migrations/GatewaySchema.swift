/// The LLM gateway: its configuration versions, the systems' keys (by digest) and, per system, how many calls
/// named a model the system does not list.
enum GatewaySchema {
    static let v19 = Migration(version: 19, name: "gateway") { engine in
        let clustered = engine == .sqlite ? " WITHOUT ROWID" : ""
        return [
            """
            CREATE TABLE gateway_configurations (
                version BIGINT PRIMARY KEY,
                document TEXT NOT NULL,
                author TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE gateway_keys (
                key_digest TEXT PRIMARY KEY,
                id TEXT NOT NULL,
                system_id TEXT NOT NULL REFERENCES ai_systems (id) ON DELETE CASCADE,
                label TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )\(clustered)
            """,
            "CREATE INDEX gateway_keys_by_system ON gateway_keys (system_id, id)",
            """
            CREATE TABLE gateway_unlisted_calls (
                system_id TEXT PRIMARY KEY REFERENCES ai_systems (id) ON DELETE CASCADE,
                calls BIGINT NOT NULL
            )\(clustered)
            """,
        ]
    }
}

extension GatewaySchema {
    /// Budgets per system and per key (limits in picodollars), what each spent per UTC day and month, and the
    /// reservations calls hold while they run (a reservation a crash left behind stops counting when it expires).
    static let v20 = Migration(version: 20, name: "gateway budgets") { engine in
        let clustered = engine == .sqlite ? " WITHOUT ROWID" : ""
        return [
            """
            CREATE TABLE gateway_budgets (
                scope TEXT PRIMARY KEY,
                system_id TEXT NOT NULL REFERENCES ai_systems (id) ON DELETE CASCADE,
                daily_limit BIGINT,
                monthly_limit BIGINT,
                updated_at BIGINT NOT NULL
            )\(clustered)
            """,
            "CREATE INDEX gateway_budgets_by_system ON gateway_budgets (system_id)",
            """
            CREATE TABLE gateway_spend (
                scope TEXT NOT NULL,
                period TEXT NOT NULL,
                amount BIGINT NOT NULL,
                calls BIGINT NOT NULL,
                PRIMARY KEY (scope, period)
            )\(clustered)
            """,
            """
            CREATE TABLE gateway_reservations (
                id TEXT NOT NULL,
                scope TEXT NOT NULL,
                day TEXT NOT NULL,
                month TEXT NOT NULL,
                amount BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                PRIMARY KEY (id, scope)
            )\(clustered)
            """,
            "CREATE INDEX gateway_reservations_by_scope ON gateway_reservations (scope, expires_at)",
        ]
    }
}

extension GatewaySchema {
    /// Each system's safety checks for its gateway calls, as the YAML its owners wrote.
    static let v21 = Migration(version: 21, name: "gateway safety checks") { engine in
        let clustered = engine == .sqlite ? " WITHOUT ROWID" : ""
        return [
            """
            CREATE TABLE gateway_safety (
                system_id TEXT PRIMARY KEY REFERENCES ai_systems (id) ON DELETE CASCADE,
                document TEXT NOT NULL,
                author TEXT NOT NULL,
                updated_at BIGINT NOT NULL
            )\(clustered)
            """
        ]
    }

    /// Judge scores joined to events by request id (posted, or graded by a prompt experiment's judge), and the
    /// judge a prompt experiment names.
    static let v23 = Migration(version: 23, name: "judge scores") { _ in
        [
            "ALTER TABLE inference_events ADD COLUMN judge_score DOUBLE PRECISION",
            "ALTER TABLE gateway_prompt_experiments ADD COLUMN judge TEXT",
        ]
    }
}

extension GatewaySchema {
    /// A/B tests of a registered prompt's versions in a system's gateway calls, one per system and prompt.
    static let v22 = Migration(version: 22, name: "gateway prompt experiments") { engine in
        let clustered = engine == .sqlite ? " WITHOUT ROWID" : ""
        return [
            """
            CREATE TABLE gateway_prompt_experiments (
                system_id TEXT NOT NULL REFERENCES ai_systems (id) ON DELETE CASCADE,
                prompt TEXT NOT NULL,
                id TEXT NOT NULL,
                arms TEXT NOT NULL,
                salt TEXT NOT NULL,
                primary_metric TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (system_id, prompt)
            )\(clustered)
            """
        ]
    }
}
