import Foundation
import Hummingbird
import StewardCore

/// Writes MLflow JSON responses: proto field names, empty fields omitted, non-finite doubles as the strings
/// `NaN`, `Infinity` and `-Infinity`.
enum MLflowResponse {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }()

    private static let jsonHeaders: HTTPFields = [.contentType: "application/json"]

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        return Response(status: status, headers: jsonHeaders, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// `{}`, the body of every MLflow call that returns nothing.
    static func empty() -> Response {
        Response(status: .ok, headers: jsonHeaders, body: ResponseBody(byteBuffer: ByteBuffer(staticString: "{}")))
    }

    /// An error in MLflow's shape: `{"error_code": ..., "message": ...}`.
    static func error(_ error: StewardError) -> Response {
        struct Body: Encodable {
            var error_code: String
            var message: String
        }
        let data = (try? encoder.encode(Body(error_code: error.code.rawValue, message: error.message))) ?? Data("{}".utf8)
        return Response(status: status(for: error.code), headers: jsonHeaders, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The HTTP status of each error code, as MLflow's server assigns them.
    static func status(for code: StewardError.Code) -> HTTPResponse.Status {
        switch code {
        case .invalidParameterValue, .badRequest, .resourceAlreadyExists: .badRequest
        case .resourceDoesNotExist, .endpointNotFound: .notFound
        case .unauthenticated: .unauthorized
        case .permissionDenied: .forbidden
        case .resourceConflict, .aborted: .conflict
        case .requestLimitExceeded: .tooManyRequests
        case .internalError: .internalServerError
        case .temporarilyUnavailable: .serviceUnavailable
        case .notImplemented: .notImplemented
        }
    }
}
