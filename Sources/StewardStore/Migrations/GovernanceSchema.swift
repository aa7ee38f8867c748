/// Identity, the AI Register, policies, evidence, approvals, incidents and the audit chain.
///
/// Evidence and approvals for a model version reference that version, so they follow it through a rename and
/// vanish with it: a later model that reuses the name and number never inherits them.
///
/// `audit_events` is append-only by contract: no statement in Steward updates or deletes it. Its integrity does
/// not rest on that: each row carries the hash of the one before, and `audit_chain_head` keeps the last
/// sequence and hash, so that edits, deletions and truncation all show when the chain is verified.
enum GovernanceSchema {
    static let v4 = Migration(version: 4, name: "governance") { engine in
        let clustered = engine == .sqlite ? " WITHOUT ROWID" : ""
        return [
            """
            CREATE TABLE users (
                name TEXT PRIMARY KEY,
                role TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                created_by TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE api_tokens (
                token_digest TEXT PRIMARY KEY,
                user_name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
                label TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )\(clustered)
            """,
            "CREATE INDEX api_tokens_by_user ON api_tokens (user_name)",
            """
            CREATE TABLE ai_systems (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                status TEXT NOT NULL,
                profile TEXT NOT NULL,
                questionnaire TEXT NOT NULL,
                risk_tier TEXT NOT NULL,
                tier_rationale TEXT NOT NULL,
                tier_source TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                created_by TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE system_components (
                name TEXT PRIMARY KEY REFERENCES registered_models (name) ON DELETE CASCADE ON UPDATE CASCADE,
                system_id TEXT NOT NULL REFERENCES ai_systems (id) ON DELETE CASCADE,
                kind TEXT NOT NULL,
                linked_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX system_components_by_system ON system_components (system_id)",
            """
            CREATE TABLE governance_policies (
                version BIGINT PRIMARY KEY,
                document TEXT NOT NULL,
                author TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE evidence (
                id TEXT PRIMARY KEY,
                system_id TEXT NOT NULL REFERENCES ai_systems (id) ON DELETE CASCADE,
                type TEXT NOT NULL,
                reference TEXT NOT NULL,
                digest TEXT NOT NULL,
                model_name TEXT,
                version BIGINT,
                author TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                FOREIGN KEY (model_name, version) REFERENCES model_versions (name, version) ON DELETE CASCADE ON UPDATE CASCADE
            )
            """,
            "CREATE INDEX evidence_by_system ON evidence (system_id, created_at)",
            """
            CREATE TABLE approval_requests (
                id TEXT PRIMARY KEY,
                system_id TEXT NOT NULL REFERENCES ai_systems (id) ON DELETE CASCADE,
                model_name TEXT NOT NULL,
                version BIGINT NOT NULL,
                alias TEXT NOT NULL,
                requested_by TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                FOREIGN KEY (model_name, version) REFERENCES model_versions (name, version) ON DELETE CASCADE ON UPDATE CASCADE
            )
            """,
            "CREATE INDEX approval_requests_by_version ON approval_requests (system_id, model_name, version)",
            """
            CREATE TABLE approval_decisions (
                request_id TEXT NOT NULL REFERENCES approval_requests (id) ON DELETE CASCADE,
                approver TEXT NOT NULL,
                role TEXT NOT NULL,
                verdict TEXT NOT NULL,
                comment TEXT NOT NULL,
                decided_at BIGINT NOT NULL,
                PRIMARY KEY (request_id, approver)
            )\(clustered)
            """,
            """
            CREATE TABLE incidents (
                id TEXT PRIMARY KEY,
                system_id TEXT NOT NULL REFERENCES ai_systems (id) ON DELETE CASCADE,
                model_name TEXT,
                version BIGINT,
                severity TEXT NOT NULL,
                title TEXT NOT NULL,
                description TEXT NOT NULL,
                status TEXT NOT NULL,
                opened_by TEXT NOT NULL,
                opened_at BIGINT NOT NULL,
                resolved_at BIGINT,
                resolution TEXT NOT NULL
            )
            """,
            "CREATE INDEX incidents_by_system ON incidents (system_id, opened_at)",
            """
            CREATE TABLE incident_entries (
                incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
                position BIGINT NOT NULL,
                entry_time BIGINT NOT NULL,
                actor TEXT NOT NULL,
                kind TEXT NOT NULL,
                text TEXT NOT NULL,
                PRIMARY KEY (incident_id, position)
            )\(clustered)
            """,
            """
            CREATE TABLE audit_events (
                sequence BIGINT PRIMARY KEY,
                event_time BIGINT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                outcome TEXT NOT NULL,
                target TEXT NOT NULL,
                system_id TEXT,
                details TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            )
            """,
            "CREATE INDEX audit_events_by_system ON audit_events (system_id, sequence)",
            "CREATE INDEX audit_events_by_actor ON audit_events (actor, sequence)",
            "CREATE INDEX audit_events_by_time ON audit_events (event_time)",
            """
            CREATE TABLE audit_chain_head (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                sequence BIGINT NOT NULL,
                hash TEXT NOT NULL
            )
            """,
            "INSERT INTO audit_chain_head (id, sequence, hash) VALUES (1, 0, '\(String(repeating: "0", count: 64))')",
        ]
    }

    /// Tokens get a public id (the first 16 hex digits of their digest, so existing tokens get theirs here) by
    /// which they are listed and revoked, and an optional expiry.
    static let v11 = Migration(version: 11, name: "token_lifecycle") { _ in
        [
            "ALTER TABLE api_tokens ADD COLUMN id TEXT",
            "ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT",
            "UPDATE api_tokens SET id = substr(token_digest, 1, 16)",
            "CREATE UNIQUE INDEX api_tokens_by_id ON api_tokens (id)",
        ]
    }
}

extension GovernanceSchema {
    /// Sign-in sessions of the web UI, by the digest of their secret; deleting the user or the token they were
    /// opened with deletes them.
    static let v24 = Migration(version: 24, name: "sign-in sessions") { engine in
        let clustered = engine == .sqlite ? " WITHOUT ROWID" : ""
        return [
            """
            CREATE TABLE sign_in_sessions (
                session_digest TEXT PRIMARY KEY,
                token_digest TEXT NOT NULL REFERENCES api_tokens (token_digest) ON DELETE CASCADE,
                user_name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL
            )\(clustered)
            """,
            "CREATE INDEX sign_in_sessions_by_token ON sign_in_sessions (token_digest)",
            "CREATE INDEX sign_in_sessions_by_user ON sign_in_sessions (user_name)",
            "CREATE INDEX sign_in_sessions_by_expiry ON sign_in_sessions (expires_at)",
        ]
    }
}

extension GovernanceSchema {
    /// A counter that every change of a user or an API token moves, by triggers, so that a server may keep whom a
    /// token stands for in memory while the counter stays the same (`IdentityService.authenticate`), and a token
    /// revoked on any replica stops working with the next request on every other. PostgreSQL also gets the serving
    /// stamp that SQLite has had since migration 18, so that both stamps exist on both engines (`ChangeStamp`).
    static let v26 = Migration(version: 26, name: "credentials change stamp") { engine in
        let stamped: [(ChangeStamp, [String])] =
            engine == .sqlite
            ? [(.credentials, ["users", "api_tokens"])] : [(.serving, ["deployments", "ai_systems"]), (.credentials, ["users", "api_tokens"])]
        return stamped.flatMap { stamp, tables -> [String] in
            let table = stamp.table
            var statements = ["CREATE TABLE \(table) (value BIGINT NOT NULL)", "INSERT INTO \(table) (value) VALUES (0)"]
            switch engine {
            case .sqlite:
                for watched in tables {
                    for event in ["INSERT", "UPDATE", "DELETE"] {
                        statements.append(
                            "CREATE TRIGGER \(table)_\(watched)_\(event.lowercased()) AFTER \(event) ON \(watched) BEGIN UPDATE \(table) SET value = value + 1; END"
                        )
                    }
                }
            case .postgres:
                statements.append(
                    "CREATE FUNCTION bump_\(table)() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN UPDATE \(table) SET value = value + 1; RETURN NULL; END$$"
                )
                for watched in tables {
                    statements.append(
                        "CREATE TRIGGER \(table)_\(watched) AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON \(watched) FOR EACH STATEMENT EXECUTE FUNCTION bump_\(table)()"
                    )
                }
            }
            return statements
        }
    }
}
