/// Inference events of registered systems, with labels and feedback joined later by request id, and each
/// system's retention setting. Events go with their system.
enum MonitoringSchema {
    static let v6 = Migration(version: 6, name: "monitoring") { _ in
        [
            """
            CREATE TABLE inference_events (
                system_id TEXT NOT NULL REFERENCES ai_systems (id) ON DELETE CASCADE,
                request_id TEXT NOT NULL,
                time_ms BIGINT NOT NULL,
                model_name TEXT,
                model_version BIGINT,
                features TEXT NOT NULL,
                prediction TEXT,
                score DOUBLE PRECISION,
                latency_ms DOUBLE PRECISION,
                tokens_in BIGINT,
                tokens_out BIGINT,
                cost_usd DOUBLE PRECISION,
                failed INTEGER NOT NULL,
                safety_flags TEXT NOT NULL,
                label TEXT,
                feedback DOUBLE PRECISION,
                labeled_at BIGINT,
                PRIMARY KEY (system_id, request_id)
            )
            """,
            "CREATE INDEX inference_events_by_time ON inference_events (system_id, time_ms)",
            """
            CREATE TABLE monitoring_settings (
                system_id TEXT PRIMARY KEY REFERENCES ai_systems (id) ON DELETE CASCADE,
                retention_days BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
        ]
    }
}

extension MonitoringSchema {
    /// Reference profiles of a system's features, versioned; the latest is the one drift is measured against.
    static let v7 = Migration(version: 7, name: "reference_profiles") { _ in
        [
            """
            CREATE TABLE reference_profiles (
                system_id TEXT NOT NULL REFERENCES ai_systems (id) ON DELETE CASCADE,
                version BIGINT NOT NULL,
                source TEXT NOT NULL,
                profile TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (system_id, version)
            )
            """
        ]
    }
}

extension MonitoringSchema {
    /// Alert rules per system, alerts with their lifecycle (one firing alert per rule at most), and the log of
    /// webhook deliveries.
    static let v8 = Migration(version: 8, name: "alerts") { _ in
        [
            """
            CREATE TABLE alert_rules (
                system_id TEXT PRIMARY KEY REFERENCES ai_systems (id) ON DELETE CASCADE,
                document TEXT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE alerts (
                id TEXT PRIMARY KEY,
                system_id TEXT NOT NULL REFERENCES ai_systems (id) ON DELETE CASCADE,
                rule TEXT NOT NULL,
                category TEXT NOT NULL,
                status TEXT NOT NULL,
                value DOUBLE PRECISION NOT NULL,
                threshold DOUBLE PRECISION NOT NULL,
                fired_at BIGINT NOT NULL,
                resolved_at BIGINT
            )
            """,
            "CREATE INDEX alerts_by_system ON alerts (system_id, fired_at)",
            "CREATE UNIQUE INDEX alerts_one_firing_per_rule ON alerts (system_id, rule) WHERE status = 'firing'",
            """
            CREATE TABLE webhook_deliveries (
                system_id TEXT NOT NULL REFERENCES ai_systems (id) ON DELETE CASCADE,
                url TEXT NOT NULL,
                event TEXT NOT NULL,
                attempts BIGINT NOT NULL,
                status BIGINT,
                error TEXT,
                delivered_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX webhook_deliveries_by_system ON webhook_deliveries (system_id, delivered_at)",
        ]
    }
}

extension MonitoringSchema {
    /// Per-bucket profiles of events, their operation and their features over the reference's bins (status and
    /// drift over a window merge them instead of reading the events), and the registered model version a
    /// reference profile was made for.
    static let v9 = Migration(version: 9, name: "window_profiles") { _ in
        [
            """
            CREATE TABLE window_profiles (
                id TEXT PRIMARY KEY,
                system_id TEXT NOT NULL REFERENCES ai_systems (id) ON DELETE CASCADE,
                reference_version BIGINT NOT NULL,
                bucket_start BIGINT NOT NULL,
                bucket_ms BIGINT NOT NULL,
                events BIGINT NOT NULL,
                compacted INTEGER NOT NULL,
                profile TEXT NOT NULL
            )
            """,
            "CREATE INDEX window_profiles_by_bucket ON window_profiles (system_id, reference_version, bucket_start)",
            "CREATE INDEX window_profiles_parts ON window_profiles (system_id, compacted, bucket_start)",
            "ALTER TABLE reference_profiles ADD COLUMN model_name TEXT",
            "ALTER TABLE reference_profiles ADD COLUMN model_version BIGINT",
        ]
    }
}

extension MonitoringSchema {
    /// Window profiles written before they carried each bucket's operation are dropped, for the server to profile
    /// the stored events again at start; labeled events get an index of their own (status reads only them).
    static let v10 = Migration(version: 10, name: "operation_profiles") { _ in
        [
            "DELETE FROM window_profiles",
            "CREATE INDEX inference_events_labeled ON inference_events (system_id, time_ms) WHERE labeled_at IS NOT NULL",
        ]
    }
}

extension MonitoringSchema {
    /// The webhook outbox: notifications written with the alert change they tell of and kept until delivered or
    /// given up (then they move to `webhook_deliveries`), with the attempts made, when the next is due and which
    /// sender's claim (a random token) holds them until when. Delivery log rows get the notification's id (rows
    /// logged before have none).
    static let v12 = Migration(version: 12, name: "webhook_outbox") { _ in
        [
            """
            CREATE TABLE webhook_outbox (
                id TEXT PRIMARY KEY,
                system_id TEXT NOT NULL REFERENCES ai_systems (id) ON DELETE CASCADE,
                url TEXT NOT NULL,
                event TEXT NOT NULL,
                body TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                attempts BIGINT NOT NULL,
                next_attempt_at BIGINT NOT NULL,
                last_status BIGINT,
                last_error TEXT,
                last_attempt_at BIGINT,
                claim TEXT,
                claimed_until BIGINT
            )
            """,
            "CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at)",
            "CREATE INDEX webhook_outbox_by_system ON webhook_outbox (system_id, created_at)",
            "ALTER TABLE webhook_deliveries ADD COLUMN id TEXT",
        ]
    }
}

extension MonitoringSchema {
    /// The last scheduled alert-evaluation turn claimed per system, and by whom: every replica runs the scheduler,
    /// and one evaluates each turn. No foreign key: a turn outlives nothing it would need, and a deleted system's
    /// row is simply never claimed again.
    static let v27 = Migration(version: 27, name: "alert evaluation turns") { engine in
        let clustered = engine == .sqlite ? " WITHOUT ROWID" : ""
        return [
            """
            CREATE TABLE alert_turns (
                system_id TEXT PRIMARY KEY,
                due_at BIGINT NOT NULL,
                claimed_by TEXT NOT NULL,
                claimed_at BIGINT NOT NULL
            )\(clustered)
            """
        ]
    }
}
