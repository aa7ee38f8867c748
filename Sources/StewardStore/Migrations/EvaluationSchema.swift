/// Gate specs per system (every change a new version) and evaluations of model versions. An evaluation
/// references its model version, so it follows a rename and vanishes with the version.
enum EvaluationSchema {
    static let v5 = Migration(version: 5, name: "evaluations") { _ in
        [
            """
            CREATE TABLE gate_specs (
                system_id TEXT NOT NULL REFERENCES ai_systems (id) ON DELETE CASCADE,
                version BIGINT NOT NULL,
                document TEXT NOT NULL,
                author TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (system_id, version)
            )
            """,
            """
            CREATE TABLE evaluations (
                id TEXT PRIMARY KEY,
                system_id TEXT NOT NULL REFERENCES ai_systems (id) ON DELETE CASCADE,
                model_name TEXT NOT NULL,
                version BIGINT NOT NULL,
                task TEXT NOT NULL,
                dataset_name TEXT NOT NULL,
                dataset_digest TEXT NOT NULL,
                row_count BIGINT NOT NULL,
                run_id TEXT NOT NULL,
                report TEXT NOT NULL,
                gate_version BIGINT,
                gate_result TEXT,
                created_by TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                FOREIGN KEY (model_name, version) REFERENCES model_versions (name, version) ON DELETE CASCADE ON UPDATE CASCADE
            )
            """,
            "CREATE INDEX evaluations_by_version ON evaluations (system_id, model_name, version, created_at)",
            """
            CREATE TABLE evaluation_datasets (
                system_id TEXT NOT NULL REFERENCES ai_systems (id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                version BIGINT NOT NULL,
                digest TEXT NOT NULL,
                format TEXT NOT NULL,
                row_count BIGINT NOT NULL,
                columns TEXT NOT NULL,
                location TEXT NOT NULL,
                created_by TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (system_id, name, version)
            )
            """,
        ]
    }
}
