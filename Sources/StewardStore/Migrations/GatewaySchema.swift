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
