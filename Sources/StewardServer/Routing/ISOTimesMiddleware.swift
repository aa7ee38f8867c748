import Foundation
import Hummingbird
import NIOCore
import StewardCore
import StewardJSON

/// Gives, beside every time an `/api/v1` JSON answer states in epoch milliseconds, the same time as people read
/// it: ISO 8601 in UTC with milliseconds, under the member's name with `_iso` appended (`created_at:
/// 1764547200000` comes with `created_at_iso: "2025-12-01T00:00:00.000Z"`). A member states a time when its name
/// ends in `_at` or is `time`, `from` or `to`, and its value is an integer: the API's own naming rule, so one
/// place covers every route, and a route added later follows it. Maps whose keys are users' names (metrics,
/// counts, categories, features, flags, details) are left as they are: a category named `to` is no time.
/// The twins are for reading; the audit chain hashes events without them.
struct ISOTimesMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        guard response.headers[.contentType]?.hasPrefix("application/json") == true, request.uri.path != "/api/v1/openapi.json" else {
            return response
        }
        let body = try await response.body.collected()
        guard case .success(let value) = JSONValue.decode(Data(buffer: body)) else {
            response.body = ResponseBody(byteBuffer: body)
            return response
        }
        response.body = ResponseBody(byteBuffer: JSONWriter.encode(Self.annotated(value), capacity: body.readableBytes + 256))
        return response
    }

    /// `value` with an `_iso` twin beside each time member, at any depth.
    static func annotated(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            var result: [String: JSONValue] = [:]
            for (key, member) in members {
                result[key] = userKeyed.contains(key) ? member : annotated(member)
                if case .integer(let milliseconds) = member, isTime(key), members[key + "_iso"] == nil {
                    result[key + "_iso"] = .string(EpochClock.iso(Int64(milliseconds)))
                }
            }
            return .object(result)
        case .array(let items):
            return .array(items.map(annotated))
        default:
            return value
        }
    }

    /// Members whose value maps users' names to values.
    static var userKeyed: Set<String> { userKeyedMembers }

    static func isTime(_ key: String) -> Bool {
        key.hasSuffix("_at") || key == "time" || key == "from" || key == "to"
    }
}

/// Members whose value maps users' names to values (a stored property outside the generic middleware).
private let userKeyedMembers: Set<String> = [
    "metrics", "undefined_metrics", "counts", "categories", "features", "by_flag", "details", "tags", "params",
]
