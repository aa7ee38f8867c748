import Crypto
import Foundation

/// An alert: a rule of a system that failed. It fires once and stays firing (its value updated) while the rule
/// keeps failing; it resolves when the rule holds again. A new failure after that is a new alert.
public struct Alert: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        case firing
        case resolved
    }

    public let id: String
    public let systemID: String
    public let rule: String
    public let category: AlertRules.Category
    public var status: Status
    public var value: Double
    public let threshold: Double
    public let firedAt: Int64
    public var resolvedAt: Int64?

    public init(
        id: String, systemID: String, rule: String, category: AlertRules.Category, status: Status, value: Double, threshold: Double, firedAt: Int64,
        resolvedAt: Int64?
    ) {
        self.id = id
        self.systemID = systemID
        self.rule = rule
        self.category = category
        self.status = status
        self.value = value
        self.threshold = threshold
        self.firedAt = firedAt
        self.resolvedAt = resolvedAt
    }
}

/// A notification's delivery to a webhook: final (delivered, refused, or given up after every retry) as the
/// delivery log records it, or still pending, with when it is tried next.
public struct WebhookDelivery: Sendable, Equatable, Codable {
    /// The notification's id, sent as `X-Steward-Delivery` with every attempt, so a receiver can drop repeats.
    public let id: String
    public let systemID: String
    public let url: String
    public let event: String
    public let attempts: Int
    /// The HTTP status of the last attempt, nil when the receiver could not be reached.
    public let status: Int?
    public let error: String?
    /// When the last attempt was made.
    public let deliveredAt: Int64
    /// When the next attempt is due; nil once the delivery is final.
    public let nextAttemptAt: Int64?

    public var succeeded: Bool { status.map { (200..<300).contains($0) } ?? false }

    public init(
        id: String, systemID: String, url: String, event: String, attempts: Int, status: Int?, error: String?, deliveredAt: Int64,
        nextAttemptAt: Int64? = nil
    ) {
        self.id = id
        self.systemID = systemID
        self.url = url
        self.event = event
        self.attempts = attempts
        self.status = status
        self.error = error
        self.deliveredAt = deliveredAt
        self.nextAttemptAt = nextAttemptAt
    }
}

/// A notification waiting in the outbox: written in the same transaction as the alert change it tells of, so
/// that no change goes unsent even if the server stops right after it; sent and retried from there.
public struct WebhookMessage: Sendable, Equatable {
    public let id: String
    public let systemID: String
    public let url: String
    public let event: String
    /// The JSON body, signed and sent as is on every attempt.
    public let body: String
    public let createdAt: Int64
    /// Attempts made so far.
    public var attempts: Int
    public var nextAttemptAt: Int64
    /// The claim its sender holds (a random token): an attempt is recorded only while the claim is still its
    /// own, so a sender whose claim lapsed and passed to another cannot overwrite the other's record.
    public var claim: String

    public init(
        id: String, systemID: String, url: String, event: String, body: String, createdAt: Int64, attempts: Int, nextAttemptAt: Int64,
        claim: String
    ) {
        self.id = id
        self.systemID = systemID
        self.url = url
        self.event = event
        self.body = body
        self.createdAt = createdAt
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.claim = claim
    }
}

/// One alert change an evaluation writes: an alert opened, its value updated while firing, or resolved, with the
/// audit event (opening and resolving) and the notifications it sends.
public struct AlertChange: Sendable {
    public enum Kind: Sendable {
        case opened
        case updated
        case resolved
    }

    public let kind: Kind
    public let alert: Alert
    public let audit: AuditEntry?
    public let messages: [WebhookMessage]

    public init(kind: Kind, alert: Alert, audit: AuditEntry?, messages: [WebhookMessage]) {
        self.kind = kind
        self.alert = alert
        self.audit = audit
        self.messages = messages
    }
}

/// Sends a POST with a JSON body; the HTTP status, or an error when the host could not be reached. It must
/// not follow redirects.
public protocol WebhookSender: Sendable {
    func post(_ body: Data, to url: URL, headers: [String: String]) async throws -> Int
}

/// How alerts leave the server: the sender, the key that signs every body, the hosts that may be called and
/// the pauses between attempts (after the last pause's attempt fails, the delivery is given up).
public struct AlertNotifications: Sendable {
    public let sender: any WebhookSender
    let secret: SymmetricKey
    public let allowedHosts: EndpointAllowList
    public let retryDelays: [Duration]

    /// About 43 minutes of retries over seven attempts.
    public static let defaultRetryDelays: [Duration] = [.seconds(1), .seconds(5), .seconds(30), .seconds(120), .seconds(600), .seconds(1800)]

    public init(sender: any WebhookSender, secret: String, allowedHosts: EndpointAllowList, retryDelays: [Duration] = defaultRetryDelays) {
        self.sender = sender
        self.secret = SymmetricKey(data: Data(secret.utf8))
        self.allowedHosts = allowedHosts
        self.retryDelays = retryDelays
    }

    /// `sha256=` and the hex HMAC-SHA256 of `timestamp.body`, which a receiver recomputes with the shared secret
    /// (the timestamp guards against replays).
    public static func signature(body: Data, timestamp: Int64, secret: String) -> String {
        signature(body: body, timestamp: timestamp, key: SymmetricKey(data: Data(secret.utf8)))
    }

    static func signature(body: Data, timestamp: Int64, key: SymmetricKey) -> String {
        var signed = Data("\(timestamp).".utf8)
        signed.append(body)
        let code = HMAC<SHA256>.authenticationCode(for: signed, using: key)
        return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }

    /// How long one attempt may take in all, however slowly the receiver answers (well under a claim).
    public static let attemptDeadline = Duration.seconds(15)

    /// One attempt to post a message: the outcome, final unless the receiver was unreachable, answered 5xx or
    /// 429, or not within `attemptDeadline`, and a retry is left. A host no longer on the allow-list is refused
    /// without a request. Nil when the attempt was cancelled (the server stopping): it does not count, and the
    /// message is tried again once its claim lapses.
    func attempt(_ message: WebhookMessage, now: @escaping @Sendable () -> Int64) async -> WebhookDelivery? {
        let attempts = message.attempts + 1
        var status: Int?
        var failure: String?
        var retryable = false
        do {
            guard let url = URL(string: message.url) else { throw StewardError.invalidParameter("'\(message.url)' is not a URL.") }
            _ = try allowedHosts.check(url.absoluteString)
            let timestamp = now()
            let body = Data(message.body.utf8)
            let headers = [
                "Content-Type": "application/json", "X-Steward-Event": message.event, "X-Steward-Delivery": message.id,
                "X-Steward-Timestamp": "\(timestamp)", "X-Steward-Signature": Self.signature(body: body, timestamp: timestamp, key: secret),
            ]
            let sender = sender
            let code = try await withThrowingTaskGroup(of: Int?.self) { group in
                group.addTask { try await sender.post(body, to: url, headers: headers) }
                group.addTask {
                    try await Task.sleep(for: Self.attemptDeadline)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let code = first else { throw AttemptTimeout() }
                return code
            }
            status = code
            failure = (200..<300).contains(code) ? nil : "HTTP \(code)"
            retryable = code >= 500 || code == 429
        } catch let error as StewardError {
            failure = error.message
        } catch is AttemptTimeout {
            failure = "No answer within \(Self.attemptDeadline)."
            retryable = true
        } catch {
            if Task.isCancelled || error is CancellationError { return nil }
            failure = "\(error)"
            retryable = true
        }
        if Task.isCancelled { return nil }
        let time = now()
        let pause = retryable && attempts <= retryDelays.count ? retryDelays[attempts - 1] : nil
        return WebhookDelivery(
            id: message.id, systemID: message.systemID, url: message.url, event: message.event, attempts: attempts, status: status, error: failure,
            deliveredAt: time, nextAttemptAt: pause.map { time + EpochClock.milliseconds($0) })
    }

    struct AttemptTimeout: Error {}
}
