import Hummingbird
import NIOCore
import StewardCore

/// Serves the OpenAPI 3.1 document of `/api/v1` (`OpenAPIDocument`), without credentials: it describes the routes,
/// never data.
struct OpenAPIController<Context: IdentifiedRequestContext>: Sendable {
    func addRoutes(to group: RouterGroup<Context>) {
        group.native(.get, "openapi.json", use: document)
    }

    @Sendable func document(_ request: Request, context: Context) async throws -> Response {
        let json = try OpenAPIDocument.json.get()
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: json)))
    }
}
