import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StewardCore

/// The deployment router, `POST /serve/{system}/invocations`: takes the request and answer bodies of MLflow's
/// pyfunc scoring protocol, so a client that calls a model server calls Steward instead. It picks the arm of the
/// system's live deployment (sticky by unit key: the `X-Steward-Unit` header, else the deployment's unit field
/// in the first row; without either, per request), forwards the body as it came, returns the model server's
/// answer with `X-Steward-Request-Id`, `X-Steward-Arm`, `X-Steward-Model` and `X-Steward-Model-Version`, and
/// records the request as inference events. Shadow arms get copies after the answer is on its way. A model
/// server that cannot be reached answers 502, one that does not answer in time 504; both are failed events.
/// Errors are MLflow's JSON shape, as the model server's own would be.
struct ServingController<Context: IdentifiedRequestContext>: Sendable {
    let deployments: DeploymentService
    let traffic: ServingTraffic
    /// Scoring bodies larger than this are refused.
    let maximumBodyBytes: Int

    static var unitHeader: HTTPField.Name { HTTPField.Name("X-Steward-Unit")! }
    static var requestIDHeader: HTTPField.Name { HTTPField.Name("X-Steward-Request-Id")! }

    func addRoutes(to router: Router<Context>) {
        router.route(.post, "serve/:system/invocations", use: invoke)
    }

    @Sendable func invoke(_ request: Request, context: Context) async throws -> Response {
        let system = try NativeMessage.parameter("system", context)
        let body = try await request.body.collect(upTo: maximumBodyBytes)
        let payload = try PyfuncPayload(Data(buffer: body))
        guard let deployment = try await deployments.live(system: system) else {
            throw StewardError(
                .resourceDoesNotExist,
                "System '\(system)' has no deployment to serve; create one with POST /api/v1/systems/{id}/deployments (steward deploy create).")
        }
        let unit =
            request.headers[Self.unitHeader].flatMap { $0.isEmpty ? nil : $0 }
            ?? deployment.unitField.flatMap { field in
                payload.rows.first?[field].flatMap { value in value == .missing ? nil : value.cell }
            }
        let requestID =
            request.headers[Self.requestIDHeader].flatMap { (1...200).contains($0.utf8.count) ? $0 : nil } ?? UUID().uuidString.lowercased()
        let arm = deployment.arms[try deployment.split().arm(unit: unit)]
        let result = await traffic.call(arm, of: deployment, body: body, requestID: requestID, unit: unit, rows: payload.rows)
        for shadow in deployment.shadowArms {
            traffic.shadow(
                ServingTraffic.ShadowCopy(deployment: deployment, arm: shadow, body: body, requestID: requestID, unit: unit, rows: payload.rows))
        }
        var headers: HTTPFields = [
            Self.requestIDHeader: requestID, HTTPField.Name("X-Steward-Arm")!: arm.name, HTTPField.Name("X-Steward-Model")!: arm.model,
            HTTPField.Name("X-Steward-Model-Version")!: String(arm.version),
        ]
        switch result {
        case .success(let answer):
            headers[.contentType] = answer.contentType ?? "application/json"
            return Response(status: HTTPResponse.Status(code: answer.status), headers: headers, body: ResponseBody(byteBuffer: answer.body))
        case .failure(let failure):
            let (status, message): (HTTPResponse.Status, String) =
                switch failure {
                case .timedOut: (.gatewayTimeout, "The model server of arm '\(arm.name)' did not answer in time.")
                case .unreachable(let reason): (.badGateway, "The model server of arm '\(arm.name)' could not be reached: \(reason).")
                }
            var response = MLflowResponse.error(StewardError(.temporarilyUnavailable, message))
            response.status = status
            for field in headers { response.headers.append(field) }
            return response
        }
    }
}
