import Foundation
import Hummingbird
import StewardCore
import StewardJSON

/// Errors on the gateway's `/v1` routes in OpenAI's shape, `{"error": {"message", "type", "param", "code"}}`,
/// with OpenAI's statuses, so the `openai` SDKs raise the exceptions they raise against OpenAI (and retry what
/// they retry there: 429 and 5xx).
enum OpenAIError {
    static func render(_ error: StewardError) -> Response {
        let (status, headers, body) = answer(error)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body))
    }

    /// `error` as the gateway answers it: OpenAI's body with the status its code maps to.
    static func answer(_ error: StewardError) -> (status: HTTPResponse.Status, headers: HTTPFields, body: ByteBuffer) {
        let (type, code) = kind(of: error.code)
        return (
            MLflowResponse.status(for: error.code), [.contentType: "application/json"],
            ByteBuffer(string: body(message: error.message, type: type, code: code).description)
        )
    }

    /// OpenAI's error body.
    static func body(message: String, type: String, code: String? = nil) -> JSONValue {
        .object(["error": .object(["message": .string(message), "type": .string(type), "param": .null, "code": code.map(JSONValue.string) ?? .null])])
    }

    /// A provider's Anthropic error (`{"type": "error", "error": {"type", "message"}}`, as an answer or a stream's
    /// event) in OpenAI's shape, keeping its type and message; `type` and `message` stand in for what it lacks.
    static func body(translating anthropic: JSONValue?, type: String, message: String) -> JSONValue {
        var type = type
        var message = message
        if case .object(let fields)? = anthropic, case .object(let error)? = fields["error"] {
            if case .string(let given)? = error["type"] { type = given }
            if case .string(let given)? = error["message"] { message = given }
        }
        return body(message: message, type: type)
    }

    /// OpenAI's error type and code for a Steward error.
    static func kind(of code: StewardError.Code) -> (type: String, code: String?) {
        switch code {
        case .invalidParameterValue, .badRequest, .resourceAlreadyExists: ("invalid_request_error", nil)
        case .unauthenticated: ("invalid_request_error", "invalid_api_key")
        case .contentBlocked: ("invalid_request_error", "content_blocked")
        case .permissionDenied: ("permission_error", "model_not_allowed")
        case .resourceDoesNotExist: ("invalid_request_error", "model_not_found")
        case .endpointNotFound: ("invalid_request_error", "unknown_url")
        case .requestLimitExceeded: ("insufficient_quota", "budget_exceeded")
        case .resourceLimitExceeded: ("invalid_request_error", "request_too_large")
        case .upstreamFailed: ("api_error", "upstream_failed")
        case .upstreamTimedOut: ("api_error", "upstream_timeout")
        case .resourceConflict, .aborted, .dataLoss: ("api_error", "conflict")
        case .temporarilyUnavailable: ("api_error", "unavailable")
        case .internalError, .notImplemented: ("api_error", nil)
        }
    }
}
