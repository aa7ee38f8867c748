import Hummingbird
import StewardCore

/// Writes MLflow JSON responses: proto field names, empty fields omitted, non-finite doubles as the strings
/// `NaN`, `Infinity` and `-Infinity`.
enum MLflowResponse {
    private static let jsonHeaders: HTTPFields = [.contentType: "application/json"]

    static func json(_ value: some JSONWritable, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: jsonHeaders, body: ResponseBody(byteBuffer: JSONWriter.encode(value)))
    }

    /// `{}`, the body of every MLflow call that returns nothing.
    static func empty() -> Response {
        Response(status: .ok, headers: jsonHeaders, body: ResponseBody(byteBuffer: ByteBuffer(staticString: "{}")))
    }

    /// An error in MLflow's shape: `{"error_code": ..., "message": ...}`.
    static func error(_ error: StewardError) -> Response {
        Response(status: status(for: error.code), headers: jsonHeaders, body: ResponseBody(byteBuffer: errorBody(error)))
    }

    /// The body of `error(_:)`.
    static func errorBody(_ error: StewardError) -> ByteBuffer {
        struct Body: JSONWritable {
            let error: StewardError
            func write(to writer: inout JSONWriter) {
                writer.object { writer in
                    writer.member("error_code", error.code.rawValue)
                    writer.member("message", error.message)
                }
            }
        }
        return JSONWriter.encode(Body(error: error))
    }
    /// The HTTP status of each error code, as MLflow's server assigns them.
    static func status(for code: StewardError.Code) -> HTTPResponse.Status {
        switch code {
        case .invalidParameterValue, .badRequest, .resourceAlreadyExists, .contentBlocked: .badRequest
        case .resourceDoesNotExist, .endpointNotFound: .notFound
        case .unauthenticated: .unauthorized
        case .permissionDenied: .forbidden
        // MLflow answers DATA_LOSS with a 500, which its client retries; stored content that changed under its
        // digest will not heal by asking again, and it is not the server failing.
        case .resourceConflict, .aborted, .dataLoss: .conflict
        case .requestLimitExceeded: .tooManyRequests
        case .resourceLimitExceeded: .contentTooLarge
        case .internalError: .internalServerError
        case .temporarilyUnavailable: .serviceUnavailable
        case .upstreamFailed: .badGateway
        case .upstreamTimedOut: .gatewayTimeout
        case .notImplemented: .notImplemented
        }
    }
}
