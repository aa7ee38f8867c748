import Foundation
import Hummingbird
import StewardCore

/// The audit log (`/api/v1/audit`): filtered reads as JSON or NDJSON, and chain verification. There is no
/// route that edits or deletes an event.
struct AuditController<Context: IdentifiedRequestContext>: Sendable {
    let audit: AuditService

    func addRoutes(to group: RouterGroup<Context>) {
        group.native(.get, "audit", query: ["system", "actor", "since", "until", "after", "limit", "format"], use: events)
        group.native(.get, "audit/verify", use: verify)
    }

    /// `?system=&actor=&since=&until=` (times in epoch milliseconds or ISO 8601: `2026-12-01`,
    /// `2026-12-01T09:30:00Z`), `after=` and `limit=` to page, and `format=ndjson` for one event per line.
    @Sendable func events(_ request: Request, context: Context) async throws -> Response {
        func number(_ name: String) throws -> Int64? {
            guard let text = try NativeMessage.query(name, request) else { return nil }
            guard let value = Int64(text) else { throw StewardError.invalidParameter("\(name) must be an integer, got '\(text)'.") }
            return value
        }
        func time(_ name: String) throws -> Int64? {
            guard let text = try NativeMessage.query(name, request) else { return nil }
            guard let value = EpochClock.milliseconds(parsing: text) else {
                throw StewardError.invalidParameter(
                    "\(name) must be a time: epoch milliseconds, or ISO 8601 such as 2026-12-01 or 2026-12-01T09:30:00Z; got '\(text)'.")
            }
            return value
        }
        let query = AuditQuery(
            systemID: try NativeMessage.query("system", request), actor: try NativeMessage.query("actor", request), since: try time("since"),
            until: try time("until"), afterSequence: try number("after") ?? 0, limit: Int(clamping: try number("limit") ?? 1000))
        let events = try await audit.events(query, actor: context.principal)
        switch try NativeMessage.query("format", request) ?? "json" {
        case "ndjson":
            let encoder = NativeMessage.encoder
            var text = ""
            for event in events { text += String(decoding: try encoder.encode(event), as: UTF8.self) + "\n" }
            return NativeMessage.text(text, contentType: "application/x-ndjson")
        case "json":
            return try NativeMessage.json(AuditEventsBody(events: events))
        case let other:
            throw StewardError.invalidParameter("Unknown format '\(other)': use json or ndjson.")
        }
    }

    @Sendable func verify(_ request: Request, context: Context) async throws -> Response {
        try audit.requireReader(context.principal)
        switch try await audit.verify() {
        case .success(let verified):
            return try NativeMessage.json(
                AuditVerifyBody(intact: true, checked: verified.count, headHash: verified.headHash, firstBadSequence: nil, reason: nil))
        case .failure(let broken):
            return try NativeMessage.json(
                AuditVerifyBody(intact: false, checked: 0, headHash: nil, firstBadSequence: broken.sequence, reason: broken.reason))
        }
    }
}

struct AuditEventsBody: Encodable { let events: [AuditEvent] }

struct AuditVerifyBody: Encodable {
    let intact: Bool
    let checked: Int
    let headHash: String?
    let firstBadSequence: Int64?
    let reason: String?
}
