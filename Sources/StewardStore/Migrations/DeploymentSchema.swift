/// Deployments of AI systems (their arms and analysis rules as JSON, written and read only here), and the
/// deployment, arm and unit key of each served inference event.
enum DeploymentSchema {
    static let v15 = Migration(version: 15, name: "deployments") { _ in
        [
            """
            CREATE TABLE deployments (
                id TEXT PRIMARY KEY,
                system_id TEXT NOT NULL REFERENCES ai_systems (id) ON DELETE CASCADE,
                mode TEXT NOT NULL,
                arms TEXT NOT NULL,
                salt TEXT NOT NULL,
                unit_field TEXT,
                analysis TEXT NOT NULL,
                state TEXT NOT NULL,
                step_started_at BIGINT NOT NULL,
                p_value DOUBLE PRECISION,
                reason TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                revision BIGINT NOT NULL
            )
            """,
            "CREATE INDEX deployments_by_system ON deployments (system_id, created_at)",
            "ALTER TABLE inference_events ADD COLUMN deployment_id TEXT",
            "ALTER TABLE inference_events ADD COLUMN arm TEXT",
            "ALTER TABLE inference_events ADD COLUMN unit_key TEXT",
            "CREATE INDEX inference_events_by_deployment ON inference_events (deployment_id, arm) WHERE deployment_id IS NOT NULL",
        ]
    }

    /// The arm whose staged rollout the analysis found to have won, kept after its graduation: the fact the
    /// `rollout` control reads.
    static let v16 = Migration(version: 16, name: "deployment rollout winners") { _ in
        ["ALTER TABLE deployments ADD COLUMN won_arm TEXT"]
    }

    /// The deployment's events by arm and time: an arm's latest latencies are read from the index's end instead of
    /// sorting every event of the arm.
    static let v17 = Migration(version: 17, name: "deployment events by time") { _ in
        [
            "DROP INDEX inference_events_by_deployment",
            "CREATE INDEX inference_events_by_deployment ON inference_events (deployment_id, arm, time_ms) WHERE deployment_id IS NOT NULL",
        ]
    }

    /// A counter that every change of a deployment or a system (what decides which deployment serves a system)
    /// moves, by triggers, so that a commit by any connection or process moves it too. SQLite's data version moves
    /// with every commit, served-request events included (twenty a second): the serving path would forget the live
    /// deployment it knows at each. PostgreSQL gets the same counter in migration 26.
    static let v18 = Migration(version: 18, name: "serving change stamp") { engine in
        guard engine == .sqlite else { return [] }
        let bump = "BEGIN UPDATE serving_stamp SET value = value + 1; END"
        return [
            "CREATE TABLE serving_stamp (value BIGINT NOT NULL)",
            "INSERT INTO serving_stamp (value) VALUES (0)",
            "CREATE TRIGGER serving_stamp_deployment_insert AFTER INSERT ON deployments \(bump)",
            "CREATE TRIGGER serving_stamp_deployment_update AFTER UPDATE ON deployments \(bump)",
            "CREATE TRIGGER serving_stamp_deployment_delete AFTER DELETE ON deployments \(bump)",
            "CREATE TRIGGER serving_stamp_system_insert AFTER INSERT ON ai_systems \(bump)",
            "CREATE TRIGGER serving_stamp_system_update AFTER UPDATE ON ai_systems \(bump)",
            "CREATE TRIGGER serving_stamp_system_delete AFTER DELETE ON ai_systems \(bump)",
        ]
    }
}

extension DeploymentSchema {
    /// Each p-value a deployment's analysis stored, with when and the challenger's weight then: the sequential
    /// test over time.
    static let v25 = Migration(version: 25, name: "deployment p-values") { engine in
        let clustered = engine == .sqlite ? " WITHOUT ROWID" : ""
        return [
            """
            CREATE TABLE deployment_p_values (
                deployment_id TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
                revision BIGINT NOT NULL,
                recorded_at BIGINT NOT NULL,
                p_value DOUBLE PRECISION NOT NULL,
                challenger_weight DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (deployment_id, revision)
            )\(clustered)
            """
        ]
    }
}
