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
