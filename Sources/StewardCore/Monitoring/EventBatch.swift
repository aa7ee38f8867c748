import Foundation
import StewardJSON

/// A posted batch of inference events (a JSON array, or JSON Lines with one event per line), checked row by
/// row: the valid events, and for every other row the reason it was refused, so that one bad row never takes
/// the good ones with it, nor vanishes silently.
public struct EventBatch: Sendable {
    public struct Rejection: Sendable, Equatable, Codable {
        /// 1-based position in the batch (the line, for JSON Lines).
        public let row: Int
        public let requestID: String?
        public let message: String
    }

    public var events: [InferenceEvent] = []
    public var rejected: [Rejection] = []

    /// The fields an event may have; anything else is refused, so a misspelt field is not dropped unnoticed.
    public static let fields: Set<String> = [
        "request_id", "time", "model", "model_version", "features", "prediction", "score", "latency_ms", "tokens_in", "tokens_out",
        "cost_usd", "error", "safety_flags",
    ]

    /// The largest batch accepted in one request.
    public static let maximumRows = 100_000

    /// Checks every row of the body; events without a time get `now` (milliseconds since the epoch).
    public init(body: Data, now: Int64) throws(StewardError) {
        var seen = Set<String>()
        for (row, parsed) in try BatchRows.rows(of: body, limit: Self.maximumRows) {
            let decoded = parsed.flatMap { value in Result { () throws(StewardError) in try EventRow(value) } }
            do throws(StewardError) {
                var event = try decoded.get().event
                event.time = try decoded.get().time.map { time throws(StewardError) in try Self.checked(time, now: now) } ?? now
                guard seen.insert(event.requestID).inserted else {
                    throw .invalidParameter("request_id '\(event.requestID)' appears twice in this batch.")
                }
                events.append(event)
            } catch {
                rejected.append(Rejection(row: row, requestID: try? decoded.get().event.requestID, message: error.message))
            }
        }
    }

    /// A time at most a day ahead of the server's clock.
    static func checked(_ time: Int64, now: Int64) throws(StewardError) -> Int64 {
        guard time <= now + 86_400_000 else { throw .invalidParameter("time is more than a day in the future.") }
        return time
    }

    /// One event as posted, decoded with every field checked (its time kept apart until `now` is known).
    struct EventRow: Sendable {
        var event: InferenceEvent
        var time: Int64?

        init(_ value: JSONValue) throws(StewardError) {
            let members = try JSONMembers(value, what: "An event")
            try members.refuseUnknown(EventBatch.fields, "an event")
            guard let requestID = try EventBatch.requestID(members), !requestID.isEmpty, requestID.count <= 200 else {
                throw StewardError.invalidParameter("request_id is required: a string of 1 to 200 characters.")
            }
            event = InferenceEvent(requestID: requestID, time: 0)
            if let milliseconds = try? members.field(Int64.self, "time", "") {
                guard milliseconds >= 0 else { throw StewardError.invalidParameter("time must not be negative.") }
                time = milliseconds
            } else if let text = try members.field(String.self, "time", "time must be an ISO 8601 date-time or milliseconds since the epoch.") {
                guard let date = EventBatch.parseDate(text) else {
                    throw StewardError.invalidParameter("time '\(text)' is not an ISO 8601 date-time.")
                }
                time = Int64((date.timeIntervalSince1970 * 1000).rounded())
            }
            event.model = try members.field(String.self, "model", "model must be a registered model's name.")
            if let model = event.model, model.isEmpty || model.count > 256 {
                throw StewardError.invalidParameter("model must be a registered model's name.")
            }
            let versionMessage = "model_version must be a version number (1, 2, …)."
            if let number = try? members.field(Int64.self, "model_version", "") {
                guard number >= 1 else { throw StewardError.invalidParameter(versionMessage) }
                event.version = number
            } else if let text = try members.field(String.self, "model_version", versionMessage) {
                guard let number = Int64(text), number >= 1 else { throw StewardError.invalidParameter(versionMessage) }
                event.version = number
            }
            if let features = try members.field(
                [String: FeatureValue].self, "features", "features must be an object of feature names to numbers, texts, true/false or null.")
            {
                guard features.count <= 1000 else { throw StewardError.invalidParameter("An event has at most 1000 features.") }
                guard features.keys.allSatisfy({ !$0.isEmpty && $0.count <= 200 }) else {
                    throw StewardError.invalidParameter("Feature names have 1 to 200 characters.")
                }
                event.features = features
            }
            event.prediction = try members.field(FeatureValue.self, "prediction", "prediction must be a number, a text, true/false or null.")
            event.score = try members.field(Double.self, "score", "score must be a number.")
            event.latencyMilliseconds = try EventBatch.nonNegative(members, "latency_ms", atMost: 1e12)
            event.costUSD = try EventBatch.nonNegative(members, "cost_usd", atMost: 1e9)
            event.tokensIn = try members.field(UInt32.self, "tokens_in", "tokens_in must be a whole number of at least 0.").map(Int64.init)
            event.tokensOut = try members.field(UInt32.self, "tokens_out", "tokens_out must be a whole number of at least 0.").map(Int64.init)
            if let failed = try? members.field(Bool.self, "error", "") {
                event.failed = failed
            } else if let flag = try members.field(Int.self, "error", "error must be true or false."), flag == 0 || flag == 1 {
                event.failed = flag == 1
            } else if members.has("error") {
                throw StewardError.invalidParameter("error must be true or false.")
            }
            let flags = try members.field([String].self, "safety_flags", "safety_flags must be a list of flag names.") ?? []
            guard flags.allSatisfy({ !$0.isEmpty && $0.count <= 100 }) else {
                throw StewardError.invalidParameter("safety_flags must be a list of flag names.")
            }
            event.safetyFlags = flags
        }
    }

    /// The request id, written as a string or a whole number.
    static func requestID(_ members: JSONMembers) throws(StewardError) -> String? {
        if let text = try? members.field(String.self, "request_id", "") { return text }
        return try members.field(Int64.self, "request_id", "request_id is required: a string of 1 to 200 characters.").map(String.init)
    }

    /// A number from 0 to `maximum` (a bound far past any real value, so that sums over a month stay finite).
    static func nonNegative(_ members: JSONMembers, _ name: String, atMost maximum: Double) throws(StewardError) -> Double? {
        let message = "\(name) must be a number from 0 to \(Int64(maximum))."
        guard let number = try members.field(Double.self, name, message) else { return nil }
        guard number >= 0, number <= maximum else { throw .invalidParameter(message) }
        return number
    }

    static func parseDate(_ text: String) -> Date? { EpochClock.date(text) }
}

extension UInt8 {
    var isASCIIWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}
