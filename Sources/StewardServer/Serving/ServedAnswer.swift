import HTTPTypes
import Hummingbird
import NIOCore
import StewardCore

/// What the serving route answers for one request an arm served: the model server's answer as it came, or, when
/// the model server failed, MLflow's error shape with 502 (unreachable), 504 (no answer in time) or 403 (a host the
/// server no longer allows); either way with
/// `X-Steward-Request-Id`, `X-Steward-Arm`, `X-Steward-Model` and `X-Steward-Model-Version`. One definition for the
/// router's path (`ServingController`) and the fast path (`ServingFastPath`).
struct ServedAnswer {
    static let requestIDHeader = HTTPField.Name("X-Steward-Request-Id")!
    static let armHeader = HTTPField.Name("X-Steward-Arm")!
    static let modelHeader = HTTPField.Name("X-Steward-Model")!
    static let versionHeader = HTTPField.Name("X-Steward-Model-Version")!

    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: ByteBuffer

    init(_ result: Result<ModelServerClient.Answer, ModelServerClient.Failure>, arm: Deployment.Arm, requestID: String) {
        var headers = HTTPFields()
        headers.reserveCapacity(7)
        headers[Self.requestIDHeader] = requestID
        headers[Self.armHeader] = arm.name
        headers[Self.modelHeader] = arm.model
        headers[Self.versionHeader] = String(arm.version)
        switch result {
        case .success(let answer):
            headers[.contentType] = answer.contentType ?? "application/json"
            status = HTTPResponse.Status(code: answer.status)
            body = answer.body
        case .failure(let failure):
            let message: String
            var code = StewardError.Code.temporarilyUnavailable
            switch failure {
            case .timedOut:
                status = .gatewayTimeout
                message = "The model server of arm '\(arm.name)' did not answer in time."
            case .unreachable(let reason):
                status = .badGateway
                message = "The model server of arm '\(arm.name)' could not be reached: \(reason)."
            case .notAllowed(let reason):
                status = .forbidden
                code = .permissionDenied
                message = "The model server of arm '\(arm.name)' is not called: \(reason)"
            }
            headers[.contentType] = "application/json"
            body = MLflowResponse.errorBody(StewardError(code, message))
        }
        self.headers = headers
    }

    var response: Response { Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body)) }
}
