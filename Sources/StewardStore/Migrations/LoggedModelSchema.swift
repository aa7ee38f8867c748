/// MLflow 3's logged models: a model's own record, params, tags and the metrics logged against it.
enum LoggedModelSchema {
    static let v2 = Migration(version: 2, name: "logged_models") { engine in
        let double = engine == .sqlite ? "REAL" : "DOUBLE PRECISION"
        let clustered = engine == .sqlite ? " WITHOUT ROWID" : ""
        return [
            """
            CREATE TABLE logged_models (
                model_id TEXT PRIMARY KEY,
                experiment_id BIGINT NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                artifact_location TEXT NOT NULL,
                creation_timestamp_ms BIGINT NOT NULL,
                last_updated_timestamp_ms BIGINT NOT NULL,
                status TEXT NOT NULL,
                status_message TEXT,
                model_type TEXT NOT NULL,
                source_run_id TEXT,
                lifecycle_stage TEXT NOT NULL
            )
            """,
            "CREATE INDEX logged_models_by_experiment ON logged_models (experiment_id, lifecycle_stage, creation_timestamp_ms)",
            "CREATE INDEX logged_models_by_run ON logged_models (source_run_id)",
            """
            CREATE TABLE logged_model_tags (
                model_id TEXT NOT NULL REFERENCES logged_models (model_id) ON DELETE CASCADE,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (model_id, key)
            )\(clustered)
            """,
            """
            CREATE TABLE logged_model_params (
                model_id TEXT NOT NULL REFERENCES logged_models (model_id) ON DELETE CASCADE,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (model_id, key)
            )\(clustered)
            """,
            """
            CREATE TABLE logged_model_metrics (
                model_id TEXT NOT NULL REFERENCES logged_models (model_id) ON DELETE CASCADE,
                key TEXT NOT NULL,
                value \(double) NOT NULL,
                is_nan INTEGER NOT NULL,
                timestamp_ms BIGINT NOT NULL,
                step BIGINT NOT NULL,
                run_uuid TEXT NOT NULL,
                dataset_name TEXT NOT NULL,
                dataset_digest TEXT NOT NULL,
                PRIMARY KEY (model_id, key, step, timestamp_ms, run_uuid, dataset_name, dataset_digest)
            )\(clustered)
            """,
            "CREATE INDEX logged_model_metrics_by_key ON logged_model_metrics (key, value)",
        ]
    }
}
