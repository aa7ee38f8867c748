import Foundation
import SQLKit
import StewardStore
import StewardTestSupport
import Testing

@testable import StewardCore

/// The webhook outbox over the SQL store, on every available engine: notifications are written with the alert
/// change they tell of, tried at once, retried on the schedule while the receiver may recover, given up after the
/// last retry or on an answer that will not change, and claimed by one sender at a time. (The HTTP side, with a
/// real receiver and a server killed mid-retry, is in the compatibility suite.)
@Suite("Webhook outbox")
struct WebhookOutboxTests {
    /// Answers each URL's posts from a script (a status, or nil for a receiver that cannot be reached; 204 once
    /// the script runs out) and records them.
    final class ScriptedReceiver: WebhookSender, @unchecked Sendable {
        struct Unreachable: Error {}

        private let lock = NSLock()
        private var script: [String: [Int?]]
        private(set) var received: [(url: String, headers: [String: String], body: Data)] = []

        init(_ script: [String: [Int?]]) { self.script = script }

        func answer(_ url: String, with answers: [Int?]) { lock.withLock { script[url] = answers } }

        func posts(to url: String) -> [(headers: [String: String], body: Data)] {
            lock.withLock { received.filter { $0.url == url }.map { ($0.headers, $0.body) } }
        }

        func post(_ body: Data, to url: URL, headers: [String: String]) async throws -> Int {
            let answer: Int?? = lock.withLock {
                received.append((url.absoluteString, headers, body))
                guard var answers = script[url.absoluteString], !answers.isEmpty else { return .some(204) }
                let next = answers.removeFirst()
                script[url.absoluteString] = answers
                return .some(next)
            }
            guard case .some(.some(let status)) = answer else { throw Unreachable() }
            return status
        }
    }

    static let secret = "outbox-secret"

    static func setUp(_ storage: StewardStorage, _ receiver: ScriptedReceiver, _ clock: TestClock) async throws -> (
        TrackingServices, String
    ) {
        let services = TrackingServices(
            storage,
            notifications: AlertNotifications(
                sender: receiver, secret: secret, allowedHosts: EndpointAllowList(hosts: ["hooks.test"]), retryDelays: [.seconds(1), .seconds(5)]),
            now: { clock.now })
        try await GovernanceStoreTests.registeredModel(services)
        let system = try await GovernanceStoreTests.lowRiskSystem(services).id
        _ = try await services.alerts.setAlertRules(
            systemID: system,
            document: "window: 1h\nconditions: ['error_rate <= 0.1', 'requests <= 5']\nwebhooks: [http://hooks.test/a, http://hooks.test/b]\n",
            actor: MonitoringStoreTests.admin)
        let events = (0..<10).map { #"{"request_id": "r\#($0)", "time": \#(clock.now - 1000), "error": true}"# }.joined(separator: "\n")
        _ = try await services.events.ingest(systemID: system, body: Data(events.utf8))
        return (services, system)
    }

    static func outbox(_ storage: StewardStorage) async throws -> Int {
        try await TrackingServices(storage).count("webhook_outbox")
    }

    @Test(
        "A failed notification waits in the outbox and is retried on schedule until it is delivered; each attempt is signed",
        arguments: TestEngine.available)
    func retriedUntilDelivered(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let clock = TestClock(1_800_000_000_000)
            let receiver = ScriptedReceiver(["http://hooks.test/b": [nil, nil, 503]])
            let (services, system) = try await Self.setUp(storage, receiver, clock)
            let start = clock.now

            let evaluation = try await services.alerts.evaluateAlerts(systemID: system)
            #expect(evaluation.fired.count == 2 && evaluation.deliveries.count == 4)
            let sent = evaluation.deliveries.filter { $0.url.hasSuffix("/a") }
            #expect(sent.allSatisfy { $0.succeeded && $0.attempts == 1 && $0.nextAttemptAt == nil })
            let waiting = evaluation.deliveries.filter { $0.url.hasSuffix("/b") }
            #expect(waiting.allSatisfy { $0.status == nil && $0.attempts == 1 && $0.nextAttemptAt == start + 1000 })
            #expect(try await Self.outbox(storage) == 2)
            let listed = try await services.webhooks.deliveries(systemID: system)
            #expect(listed.filter { $0.nextAttemptAt == nil }.count == 2 && listed.filter { $0.nextAttemptAt != nil }.count == 2)

            // Nothing is due before its time.
            #expect(try await services.webhooks.deliverDueWebhooks().isEmpty)
            clock.advance(1000)
            let second = try await services.webhooks.deliverDueWebhooks()
            // One /b notice meets the 503, the other goes through.
            #expect(second.count == 2 && second.filter(\.succeeded).count == 1)
            #expect(second.first { !$0.succeeded }?.nextAttemptAt == clock.now + 5000)
            clock.advance(5000)
            let third = try await services.webhooks.deliverDueWebhooks()
            #expect(third.count == 1 && third[0].succeeded && third[0].attempts == 3 && third[0].nextAttemptAt == nil)
            #expect(try await Self.outbox(storage) == 0)
            let log = try await services.webhooks.deliveries(systemID: system)
            #expect(log.count == 4 && log.allSatisfy { $0.succeeded && $0.nextAttemptAt == nil && $0.id.hasPrefix("whk") })

            // Every attempt of one notification carries its id and a signature over its body.
            let posts = receiver.posts(to: "http://hooks.test/b")
            #expect(posts.count == 5)
            let retried = try #require(third.first?.id)
            #expect(posts.filter { $0.headers["X-Steward-Delivery"] == retried }.count == 3)
            for (headers, body) in posts {
                let timestamp = try #require(headers["X-Steward-Timestamp"].flatMap { Int64($0) })
                #expect(headers["X-Steward-Signature"] == AlertNotifications.signature(body: body, timestamp: timestamp, secret: Self.secret))
                #expect(try JSONSerialization.jsonObject(with: body) as? [String: Any] != nil)
            }
        }
    }

    @Test("A notification is given up after the last retry, or at once on an answer that will not change", arguments: TestEngine.available)
    func givenUp(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let clock = TestClock(1_800_000_000_000)
            let receiver = ScriptedReceiver(["http://hooks.test/a": Array(repeating: 503, count: 6), "http://hooks.test/b": [400, 400]])
            let (services, system) = try await Self.setUp(storage, receiver, clock)
            _ = try await services.alerts.evaluateAlerts(systemID: system)
            clock.advance(1000)
            _ = try await services.webhooks.deliverDueWebhooks()
            clock.advance(5000)
            let last = try await services.webhooks.deliverDueWebhooks()
            #expect(last.count == 2 && last.allSatisfy { $0.attempts == 3 && $0.status == 503 && $0.error == "HTTP 503" && $0.nextAttemptAt == nil })
            clock.advance(60_000)
            #expect(try await services.webhooks.deliverDueWebhooks().isEmpty)
            #expect(try await Self.outbox(storage) == 0)
            let log = try await services.webhooks.deliveries(systemID: system)
            #expect(log.filter { $0.url.hasSuffix("/b") }.map(\.attempts) == [1, 1])
            #expect(receiver.posts(to: "http://hooks.test/a").count == 6 && receiver.posts(to: "http://hooks.test/b").count == 2)
        }
    }

    @Test("A claimed notification is left to its sender until the claim lapses; two senders never send one twice", arguments: TestEngine.available)
    func claims(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let clock = TestClock(1_800_000_000_000)
            let receiver = ScriptedReceiver(["http://hooks.test/a": [nil, nil], "http://hooks.test/b": [nil, nil]])
            let (services, system) = try await Self.setUp(storage, receiver, clock)
            _ = try await services.alerts.evaluateAlerts(systemID: system)
            #expect(try await Self.outbox(storage) == 4)
            clock.advance(1000)
            // A sender claims everything due and stops before sending (a server killed mid-delivery).
            let repository = SQLWebhookOutbox(database: storage.database)
            let taken = try await repository.claimWebhookMessages(now: clock.now, until: clock.now + 60_000, limit: 10)
            #expect(taken.count == 4)
            #expect(try await services.webhooks.deliverDueWebhooks().isEmpty)
            clock.advance(60_000)
            // Two senders at once after the claim lapsed: every notification is tried exactly once.
            async let one = services.webhooks.deliverDueWebhooks()
            async let other = services.webhooks.deliverDueWebhooks()
            let attempts = try await one + other
            #expect(attempts.count == 4 && Set(attempts.map(\.id)).count == 4)
            #expect(attempts.allSatisfy { $0.succeeded && $0.attempts == 2 })
            #expect(receiver.received.count == 8)
            #expect(try await Self.outbox(storage) == 0)

            // The sender whose claim lapsed comes back with its result: it is not recorded over the other's.
            let stale = try await repository.recordWebhookAttempt(
                WebhookDelivery(
                    id: taken[0].id, systemID: system, url: taken[0].url, event: taken[0].event, attempts: 2, status: 503, error: "HTTP 503",
                    deliveredAt: clock.now, nextAttemptAt: clock.now + 5000), claim: taken[0].claim)
            #expect(!stale)
            let log = try await services.webhooks.deliveries(systemID: system)
            #expect(log.count == 4 && log.allSatisfy { $0.succeeded && $0.nextAttemptAt == nil })
        }
    }

    @Test(
        "An evaluation's notifications are its own until it has tried them; a change another evaluation made first is not made twice",
        arguments: TestEngine.available)
    func evaluationsAndReplicas(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let clock = TestClock(1_800_000_000_000)
            let (services, system) = try await Self.setUp(storage, ScriptedReceiver([:]), clock)
            let repository = SQLAlertRepository(database: storage.database)
            let outbox = SQLWebhookOutbox(database: storage.database)
            let now = clock.now
            let alert = Alert(
                id: "alr-1", systemID: system, rule: "requests <= 5", category: .performance, status: .firing, value: 10, threshold: 5, firedAt: now,
                resolvedAt: nil)
            func message(_ id: String, claim: String) -> WebhookMessage {
                WebhookMessage(
                    id: id, systemID: system, url: "http://hooks.test/a", event: "alert.fired", body: "{}", createdAt: now, attempts: 0,
                    nextAttemptAt: now, claim: claim)
            }
            let opened = AlertChange(
                kind: .opened, alert: alert, audit: AlertService.auditEntry(alert, "alert.fired"), messages: [message("whk-1", claim: "mine")])
            #expect(try await repository.saveAlertChanges([opened], now: now, claimUntil: now + 60_000).count == 1)
            // Due, but claimed by the evaluation that wrote it: no dispatcher takes it until the claim lapses.
            #expect(try await outbox.claimWebhookMessages(now: now, until: now + 60_000, limit: 10).isEmpty)

            // A second replica opens the same rule's alert: a conflict, and nothing of it is written.
            let twin = Alert(
                id: "alr-2", systemID: system, rule: "requests <= 5", category: .performance, status: .firing, value: 11, threshold: 5, firedAt: now,
                resolvedAt: nil)
            let conflict = await #expect(throws: StewardError.self) {
                try await repository.saveAlertChanges(
                    [
                        AlertChange(
                            kind: .opened, alert: twin, audit: AlertService.auditEntry(twin, "alert.fired"),
                            messages: [message("whk-2", claim: "theirs")])
                    ],
                    now: now, claimUntil: now + 60_000)
            }
            #expect(conflict?.code == .resourceConflict)
            #expect(try await services.alerts.alerts(systemID: system).map(\.id) == ["alr-1"])
            #expect(try await Self.outbox(storage) == 1)

            // Both replicas resolve it: only the first resolution is written, audited and notified.
            var resolved = alert
            resolved.status = .resolved
            resolved.resolvedAt = now + 1
            let resolution = AlertChange(
                kind: .resolved, alert: resolved, audit: AlertService.auditEntry(resolved, "alert.resolved"),
                messages: [message("whk-3", claim: "a")])
            let again = AlertChange(
                kind: .resolved, alert: resolved, audit: AlertService.auditEntry(resolved, "alert.resolved"),
                messages: [message("whk-4", claim: "b")])
            #expect(try await repository.saveAlertChanges([resolution], now: now + 1, claimUntil: now + 60_000).count == 1)
            #expect(try await repository.saveAlertChanges([again], now: now + 1, claimUntil: now + 60_000).isEmpty)
            // A stale value update does not bring the resolved alert back.
            #expect(
                try await repository.saveAlertChanges(
                    [AlertChange(kind: .updated, alert: alert, audit: nil, messages: [])], now: now + 2, claimUntil: now
                ).isEmpty)
            #expect(try await services.alerts.alerts(systemID: system).map(\.status) == [.resolved])
            #expect(try await Self.outbox(storage) == 2)
            let audit = try await SQLAuditRepository(database: storage.database).events(AuditQuery()).filter { $0.action.hasPrefix("alert.") }
            #expect(audit.map(\.action) == ["alert.fired", "alert.resolved"])
        }
    }

    @Test("An alert change and its notifications are written together or not at all", arguments: TestEngine.available)
    func writtenTogether(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let clock = TestClock(1_800_000_000_000)
            let receiver = ScriptedReceiver([:])
            let (services, system) = try await Self.setUp(storage, receiver, clock)
            // The outbox refuses every row: the evaluation fails and leaves no alert, audit event or notification.
            let failing: [String] =
                engine == .sqlite
                ? ["CREATE TRIGGER outbox_down BEFORE INSERT ON webhook_outbox BEGIN SELECT RAISE(ABORT, 'outbox down'); END"]
                : [
                    "CREATE FUNCTION outbox_down() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'outbox down'; END $$ LANGUAGE plpgsql",
                    "CREATE TRIGGER outbox_down BEFORE INSERT ON webhook_outbox FOR EACH ROW EXECUTE FUNCTION outbox_down()",
                ]
            try await storage.database.write { db in for statement in failing { try await db.raw("\(unsafeRaw: statement)").run() } }
            let auditBefore = try await TrackingServices(storage).count("audit_events")
            await #expect(throws: (any Error).self) { try await services.alerts.evaluateAlerts(systemID: system) }
            #expect(try await services.alerts.alerts(systemID: system).isEmpty)
            #expect(try await TrackingServices(storage).count("audit_events") == auditBefore)
            #expect(receiver.received.isEmpty)

            try await storage.database.write { db in
                try await db.raw(engine == .sqlite ? "DROP TRIGGER outbox_down" : "DROP TRIGGER outbox_down ON webhook_outbox").run()
            }
            let evaluation = try await services.alerts.evaluateAlerts(systemID: system)
            #expect(evaluation.fired.count == 2 && evaluation.deliveries.count == 4 && evaluation.deliveries.allSatisfy(\.succeeded))
            #expect(try await TrackingServices(storage).count("audit_events") == auditBefore + 2)
        }
    }
}

extension WebhookService {
    /// What the server's dispatcher does in one round, waiting for every attempt: claims the due notifications
    /// and tries each once, at the same time.
    func deliverDueWebhooks(limit: Int = 64) async throws -> [WebhookDelivery] {
        let claimed = try await claimDue(limit: limit)
        return try await withThrowingTaskGroup(of: WebhookDelivery?.self) { group in
            for message in claimed { group.addTask { try await self.send(message) } }
            var deliveries: [WebhookDelivery] = []
            for try await delivery in group { if let delivery { deliveries.append(delivery) } }
            return deliveries
        }
    }
}
