import Foundation
import SQLKit
import StewardCore
import StewardStore
import StewardTestSupport
import Testing

/// Users and API tokens over the SQL store, on every available engine: token ids, expiry and revocation, role
/// changes and deletions that never leave the store without an admin, and the migration that gives tokens
/// issued before it their ids.
@Suite("Identity store")
struct IdentityStoreTests {
    static func identity(_ storage: StewardStorage, clock: TestClock) -> (IdentityService, SQLAuditRepository) {
        let audit = SQLAuditRepository(database: storage.database)
        return (IdentityService(repository: SQLIdentityRepository(database: storage.database), audit: audit, now: { clock.now }), audit)
    }

    static let admin = IdentityService.bootstrap

    @Test("A token revoked, or a role changed, on one replica applies on another from its next request", arguments: TestEngine.available)
    func changesReachOtherReplicas(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let clock = TestClock()
            let (here, _) = Self.identity(storage, clock: clock)
            let (_, token) = try await here.createUser(name: "carl", role: .contributor, actor: Self.admin)
            let (_, other) = try await here.createUser(name: "rita", role: .reviewer, actor: Self.admin)
            try await TestStorage.withReplica(of: storage) { replica in
                let there = IdentityService(
                    repository: SQLIdentityRepository(database: replica), audit: SQLAuditRepository(database: replica), now: { clock.now })
                // Read once, then known from memory while nothing changes.
                for _ in 0..<3 { #expect(try await there.authenticate(token: token) == .user("carl", role: .contributor)) }
                #expect(try await there.authenticate(token: other) == .user("rita", role: .reviewer))

                _ = try await here.setRole(user: "carl", role: .reviewer, actor: Self.admin)
                #expect(try await there.authenticate(token: token) == .user("carl", role: .reviewer))

                try await here.revokeToken(user: "carl", id: AccessToken.id(ofDigest: AccessToken.digest(token)), actor: Self.admin)
                #expect(try await there.authenticate(token: token) == nil)
                #expect(try await here.authenticate(token: token) == nil)
                #expect(try await there.authenticate(token: other) == .user("rita", role: .reviewer), "other tokens keep working")

                // And the other way round: a user deleted there is gone here.
                #expect(try await here.authenticate(token: other) != nil)
                try await there.deleteUser(name: "rita", actor: Self.admin)
                #expect(try await here.authenticate(token: other) == nil)
            }
        }
    }

    @Test("Tokens are listed by id, expire on time, and stop working the moment they are revoked", arguments: TestEngine.available)
    func tokenLifecycle(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let clock = TestClock()
            let (identity, audit) = Self.identity(storage, clock: clock)
            let (_, first) = try await identity.createUser(name: "carl", role: .contributor, actor: Self.admin)
            _ = try await identity.createUser(name: "rita", role: .reviewer, actor: Self.admin)
            let carl = Principal.user("carl", role: .contributor)
            clock.advance(1)
            let (daily, dailyRecord) = try await identity.createToken(user: "carl", label: "ci", expiresInDays: 1, actor: carl)
            clock.advance(1)
            let (lasting, lastingRecord) = try await identity.createToken(user: "carl", label: "laptop", actor: carl)
            #expect(dailyRecord.expiresAt == dailyRecord.createdAt + 86_400_000 && lastingRecord.expiresAt == nil)
            #expect(dailyRecord.id == AccessToken.id(ofDigest: AccessToken.digest(daily)) && AccessToken.isValidID(dailyRecord.id))

            let listed = try await identity.tokens(user: "carl", actor: carl)
            #expect(listed.map(\.label) == ["first token", "ci", "laptop"])
            #expect(listed.map(\.id) == [AccessToken.id(ofDigest: AccessToken.digest(first)), dailyRecord.id, lastingRecord.id])
            for token in [first, daily, lasting] { #expect(try await identity.authenticate(token: token)?.name == "carl") }

            // Expiry: the daily token works until its last millisecond, not after.
            clock.advance(86_400_000 - 2)
            #expect(try await identity.authenticate(token: daily) != nil)
            clock.advance(1)
            #expect(try await identity.authenticate(token: daily) == nil)
            #expect(try await identity.authenticate(token: lasting) != nil)

            // Only the owner and admins list or revoke; a refusal is audited and changes nothing.
            let rita = Principal.user("rita", role: .reviewer)
            let listing = await #expect(throws: StewardError.self) { try await identity.tokens(user: "carl", actor: rita) }
            #expect(listing?.code == .permissionDenied)
            let refused = await #expect(throws: StewardError.self) { try await identity.revokeToken(user: "carl", id: lastingRecord.id, actor: rita) }
            #expect(refused?.code == .permissionDenied)
            #expect(try await identity.authenticate(token: lasting) != nil)

            try await identity.revokeToken(user: "carl", id: lastingRecord.id, actor: carl)
            #expect(try await identity.authenticate(token: lasting) == nil)
            #expect(try await identity.tokens(user: "carl", actor: Self.admin).map(\.id) == [listed[0].id, dailyRecord.id])
            let again = await #expect(throws: StewardError.self) { try await identity.revokeToken(user: "carl", id: lastingRecord.id, actor: carl) }
            #expect(again?.code == .resourceDoesNotExist)
            // A token is revoked through its own user only.
            let elsewhere = await #expect(throws: StewardError.self) {
                try await identity.revokeToken(user: "rita", id: listed[0].id, actor: Self.admin)
            }
            #expect(elsewhere?.code == .resourceDoesNotExist)
            #expect(try await identity.authenticate(token: first) != nil)
            for id in ["", "ABCDEF0123456789", "0123", "' OR 1=1 --"] {
                let malformed = await #expect(throws: StewardError.self) { try await identity.revokeToken(user: "carl", id: id, actor: carl) }
                #expect(malformed?.code == .invalidParameterValue, "\(id)")
            }
            try await identity.revokeToken(user: "carl", id: listed[0].id, actor: Self.admin)
            #expect(try await identity.authenticate(token: first) == nil)

            for days in [0, -1, 3651] {
                let wrong = await #expect(throws: StewardError.self) {
                    try await identity.createToken(user: "carl", label: "", expiresInDays: days, actor: carl)
                }
                #expect(wrong?.code == .invalidParameterValue, "\(days)")
            }
            let long = await #expect(throws: StewardError.self) {
                try await identity.createToken(user: "carl", label: String(repeating: "x", count: 201), actor: carl)
            }
            #expect(long?.code == .invalidParameterValue)

            let events = try await audit.events(AuditQuery()).filter { $0.action.hasPrefix("token.") }
            #expect(
                events.map { "\($0.action) \($0.outcome.rawValue) \($0.actor) \($0.details["token"] ?? "")" } == [
                    "token.create allowed carl \(dailyRecord.id)", "token.create allowed carl \(lastingRecord.id)",
                    "token.revoke refused rita \(lastingRecord.id)", "token.revoke allowed carl \(lastingRecord.id)",
                    "token.revoke allowed steward-cli \(listed[0].id)",
                ])
            #expect(events.first?.details["expires_at"] == "\(dailyRecord.expiresAt ?? 0)")
        }
    }

    @Test("Roles change and users go with their tokens, but never the last admin", arguments: TestEngine.available)
    func rolesAndDeletion(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let (identity, audit) = Self.identity(storage, clock: TestClock())
            _ = try await identity.createUser(name: "ada", role: .admin, actor: Self.admin)
            let carlToken = try await identity.createUser(name: "carl", role: .contributor, actor: Self.admin).token
            let ada = Principal.user("ada", role: .admin)

            let lockouts: [@Sendable () async throws -> Void] = [
                { _ = try await identity.setRole(user: "ada", role: .viewer, actor: ada) },
                { try await identity.deleteUser(name: "ada", actor: ada) },
            ]
            for change in lockouts {
                let last = await #expect(throws: StewardError.self) { try await change() }
                #expect(last?.code == .invalidParameterValue && last?.message.contains("last admin") == true)
            }
            #expect(try await identity.users(actor: ada).map { "\($0.name) \($0.role.rawValue)" } == ["ada admin", "carl contributor"])

            // A name that only looks like another (a Kelvin sign for the K) is refused, so no user can pass for another.
            let lookalike = await #expect(throws: StewardError.self) {
                _ = try await identity.createUser(name: "\u{212A}arl", role: .viewer, actor: ada)
            }
            #expect(lookalike?.code == .invalidParameterValue)
            #expect(!IdentityService.sameName("\u{212A}arl", "Karl") && "\u{212A}arl" == "Karl")

            let carl = Principal.user("carl", role: .contributor)
            let notAdmin = await #expect(throws: StewardError.self) { _ = try await identity.setRole(user: "carl", role: .admin, actor: carl) }
            #expect(notAdmin?.code == .permissionDenied)
            let unknown = await #expect(throws: StewardError.self) { _ = try await identity.setRole(user: "nobody", role: .admin, actor: ada) }
            #expect(unknown?.code == .resourceDoesNotExist)

            #expect(try await identity.setRole(user: "carl", role: .admin, actor: ada).role == .admin)
            #expect(try await identity.authenticate(token: carlToken)?.role == .admin)
            #expect(try await identity.setRole(user: "ada", role: .viewer, actor: ada).role == .viewer)
            let lastAgain = await #expect(throws: StewardError.self) { try await identity.deleteUser(name: "carl", actor: Self.admin) }
            #expect(lastAgain?.code == .invalidParameterValue)

            try await identity.deleteUser(name: "ada", actor: Self.admin)
            #expect(try await identity.users(actor: Self.admin).map(\.name) == ["carl"])
            let tokensLeft = try await storage.database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM api_tokens WHERE user_name = 'ada'").first()?.decode(column: "n", as: Int64.self)
            }
            #expect(tokensLeft == 0)
            let gone = await #expect(throws: StewardError.self) { try await identity.deleteUser(name: "ada", actor: Self.admin) }
            #expect(gone?.code == .resourceDoesNotExist)

            let actions = try await audit.events(AuditQuery()).filter { $0.action == "user.role" || $0.action == "user.delete" }
            #expect(
                actions.map { "\($0.action) \($0.outcome.rawValue) \($0.target) \($0.details["previous_role"] ?? "")" } == [
                    "user.role refused user:ada admin", "user.delete refused user:ada ", "user.role refused user:carl ",
                    "user.role allowed user:carl contributor", "user.role allowed user:ada admin", "user.delete refused user:carl ",
                    "user.delete allowed user:ada ",
                ], "refusals to remove the last admin are audited too")
        }
    }

    @Test("Two admins demoting each other at once leave one admin", arguments: TestEngine.available)
    func concurrentDemotions(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let (identity, _) = Self.identity(storage, clock: TestClock())
            for round in 0..<8 {
                let (first, second) = ("a\(round)", "b\(round)")
                _ = try await identity.createUser(name: first, role: .admin, actor: Self.admin)
                _ = try await identity.createUser(name: second, role: .admin, actor: Self.admin)
                // Every other admin from earlier rounds is demoted first, so that these two are the only ones.
                for user in try await identity.users(actor: Self.admin) where user.role == .admin && ![first, second].contains(user.name) {
                    _ = try await identity.setRole(user: user.name, role: .viewer, actor: Self.admin)
                }
                func demote(_ user: String, by admin: String) async -> String {
                    do {
                        _ = try await identity.setRole(user: user, role: .viewer, actor: .user(admin, role: .admin))
                        return "demoted"
                    } catch let error as StewardError {
                        return error.message.contains("last admin") ? "last admin" : error.message
                    } catch {
                        return "\(error)"
                    }
                }
                async let one = demote(second, by: first)
                async let other = demote(first, by: second)
                #expect([await one, await other].sorted() == ["demoted", "last admin"], "round \(round)")
                #expect(try await identity.users(actor: Self.admin).filter { $0.role == .admin }.count == 1, "round \(round)")
            }
        }
    }

    @Test("Tokens issued before token ids existed get theirs from the migration and keep working", arguments: TestEngine.available)
    func migrationGivesIDs(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let (identity, _) = Self.identity(storage, clock: TestClock())
            _ = try await identity.createUser(name: "olga", role: .viewer, actor: Self.admin)
            let token = AccessToken.generate()
            let digest = AccessToken.digest(token)
            // Back to the table as it was before version 11, holding a token of that time.
            try await storage.database.write { db in
                for statement in [
                    "DROP INDEX api_tokens_by_id", "ALTER TABLE api_tokens DROP COLUMN id", "ALTER TABLE api_tokens DROP COLUMN expires_at",
                    "DELETE FROM schema_migrations WHERE version = 11",
                ] {
                    try await db.raw("\(unsafeRaw: statement)").run()
                }
                try await db.raw(
                    "INSERT INTO api_tokens (token_digest, user_name, label, created_at) VALUES (\(bind: digest), 'olga', 'old', 1)"
                ).run()
            }
            #expect(try await Migrator().migrate(storage.database, logger: TestStorage.logger) == [11])
            let listed = try await identity.tokens(user: "olga", actor: Self.admin)
            #expect(listed.map(\.label).sorted() == ["first token", "old"])
            #expect(listed.contains { $0.id == String(digest.prefix(16)) && $0.expiresAt == nil })
            #expect(try await identity.authenticate(token: token)?.name == "olga")
            try await identity.revokeToken(user: "olga", id: String(digest.prefix(16)), actor: .user("olga", role: .viewer))
            #expect(try await identity.authenticate(token: token) == nil)
        }
    }
}
