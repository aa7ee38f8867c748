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

    enum CodingKeys: String, CodingKey {
        case id
        case systemID = "system_id"
        case rule, category, status, value, threshold, firedAt, resolvedAt
    }

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

/// One attempt series to deliver a notification to a webhook, as the delivery log records it.
public struct WebhookDelivery: Sendable, Equatable, Codable {
    public let systemID: String
    public let url: String
    public let event: String
    public let attempts: Int
    public let status: Int?
    public let error: String?
    public let deliveredAt: Int64

    public var succeeded: Bool { status.map { (200..<300).contains($0) } ?? false }

    enum CodingKeys: String, CodingKey {
        case systemID = "system_id"
        case url, event, attempts, status, error, deliveredAt
    }

    public init(systemID: String, url: String, event: String, attempts: Int, status: Int?, error: String?, deliveredAt: Int64) {
        self.systemID = systemID
        self.url = url
        self.event = event
        self.attempts = attempts
        self.status = status
        self.error = error
        self.deliveredAt = deliveredAt
    }
}

/// Sends a POST with a JSON body; the HTTP status, or an error when the host could not be reached. It must
/// not follow redirects.
public protocol WebhookSender: Sendable {
    func post(_ body: Data, to url: URL, headers: [String: String]) async throws -> Int
}

/// How alerts leave the server: the sender, the key that signs every body, the hosts that may be called and
/// the pauses between attempts.
public struct AlertNotifications: Sendable {
    public let sender: any WebhookSender
    let secret: SymmetricKey
    public let allowedHosts: EndpointAllowList
    public let retryDelays: [Duration]

    public init(sender: any WebhookSender, secret: String, allowedHosts: EndpointAllowList, retryDelays: [Duration] = [.seconds(1), .seconds(5)]) {
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

    /// Posts the body, retrying after each pause while the receiver is unreachable or answers 5xx or 429.
    func deliver(_ body: Data, to url: URL, event: String, systemID: String, now: @Sendable () -> Int64) async -> WebhookDelivery {
        var attempts = 0
        var status: Int?
        var failure: String?
        for pause in [Duration.zero] + retryDelays {
            if pause > .zero { try? await Task.sleep(for: pause) }
            attempts += 1
            do {
                _ = try allowedHosts.check(url.absoluteString)
                let timestamp = now()
                let code = try await sender.post(
                    body, to: url,
                    headers: [
                        "Content-Type": "application/json", "X-Steward-Event": event, "X-Steward-Timestamp": "\(timestamp)",
                        "X-Steward-Signature": Self.signature(body: body, timestamp: timestamp, key: secret),
                    ])
                status = code
                failure = (200..<300).contains(code) ? nil : "HTTP \(code)"
                if (200..<500).contains(code) && code != 429 { break }
            } catch let error as StewardError where error.code == .permissionDenied {
                failure = error.message
                break
            } catch {
                status = nil
                failure = "\(error)"
            }
        }
        return WebhookDelivery(
            systemID: systemID, url: url.absoluteString, event: event, attempts: attempts, status: status, error: failure, deliveredAt: now())
    }
}
