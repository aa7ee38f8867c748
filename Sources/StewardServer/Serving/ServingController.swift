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
///
/// Most scoring requests on the embedded store are answered before they reach the router, by the same rules, in
/// `ServingFastPath`; this route answers the rest (PostgreSQL, credentials, bodies it refuses).
struct ServingController<Context: IdentifiedRequestContext>: Sendable {
    let deployments: DeploymentService
    let traffic: ServingTraffic

    func addRoutes(to router: Router<Context>) {
        router.route(.post, "serve/:system/invocations", use: invoke)
    }

    @Sendable func invoke(_ request: Request, context: Context) async throws -> Response {
        let system = try NativeMessage.parameter("system", context)
        let body = try await request.body.collect(upTo: ServingTraffic.maximumBodyBytes)
        let payload = try PyfuncPayload(Data(buffer: body))
        guard let deployment = try await deployments.live(system: system) else {
            throw StewardError(
                .resourceDoesNotExist,
                "System '\(system)' has no deployment to serve; create one with POST /api/v1/systems/{id}/deployments (steward deploy create).")
        }
        let unit = ServingTraffic.unit(header: request.headers[ServingTraffic.unitHeader], payload: payload, deployment: deployment)
        let requestID = ServingTraffic.requestID(header: request.headers[ServedAnswer.requestIDHeader])
        let arm = deployment.arms[try deployment.split().arm(unit: unit)]
        let result = await traffic.call(arm, of: deployment, body: body, requestID: requestID, unit: unit, rows: payload.rows)
        traffic.shadow(deployment, body: body, requestID: requestID, unit: unit, rows: payload.rows)
        return ServedAnswer(result, arm: arm, requestID: requestID).response
    }
}
