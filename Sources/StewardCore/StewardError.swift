/// A failure that Steward reports to its caller: a stable code from MLflow's error vocabulary and a message
/// a person can act on.
///
/// Every layer throws this type for client-visible failures so that the HTTP layer maps errors to statuses in
/// exactly one place; anything else that escapes is an internal error.
public struct StewardError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The error codes of MLflow's wire protocol, which native routes reuse.
    public enum Code: String, Sendable, Equatable {
        case invalidParameterValue = "INVALID_PARAMETER_VALUE"
        case badRequest = "BAD_REQUEST"
        case resourceAlreadyExists = "RESOURCE_ALREADY_EXISTS"
        case resourceDoesNotExist = "RESOURCE_DOES_NOT_EXIST"
        case endpointNotFound = "ENDPOINT_NOT_FOUND"
        case unauthenticated = "UNAUTHENTICATED"
        case permissionDenied = "PERMISSION_DENIED"
        case resourceConflict = "RESOURCE_CONFLICT"
        case aborted = "ABORTED"
        case requestLimitExceeded = "REQUEST_LIMIT_EXCEEDED"
        /// A request larger than the route accepts (HTTP 413).
        case resourceLimitExceeded = "RESOURCE_LIMIT_EXCEEDED"
        case internalError = "INTERNAL_ERROR"
        case temporarilyUnavailable = "TEMPORARILY_UNAVAILABLE"
        /// A safety check configured for the system refused the request's content (or the answer's).
        case contentBlocked = "CONTENT_BLOCKED"
        /// A server Steward called for the request (an LLM provider) failed or answered what cannot be used.
        case upstreamFailed = "UPSTREAM_FAILED"
        /// A server Steward called for the request did not answer in time.
        case upstreamTimedOut = "UPSTREAM_TIMED_OUT"
        case notImplemented = "NOT_IMPLEMENTED"
        /// Stored content no longer matches the digest recorded for it (a model version's files, a test set).
        case dataLoss = "DATA_LOSS"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public static func invalidParameter(_ message: String) -> StewardError {
        StewardError(.invalidParameterValue, message)
    }

    public static func notFound(_ message: String) -> StewardError {
        StewardError(.resourceDoesNotExist, message)
    }

    public static func alreadyExists(_ message: String) -> StewardError {
        StewardError(.resourceAlreadyExists, message)
    }
}
