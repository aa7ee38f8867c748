import HTTPTypes
import Hummingbird

/// `/health`, `/version` and MLflow 3's `server-info`, which clients read to decide which
/// features to use.
struct ServerInfoController<Context: IdentifiedRequestContext>: Sendable {
    /// What `/version` reports: the MLflow REST API level served (MLflow clients gate features on it), with
    /// Steward's own version as a PEP 440 local label.
    static var versionText: String { "\(StewardVersion.mlflowAPI)+steward.\(StewardVersion.current)" }

    func addRoutes(to router: Router<Context>) {
        router.route(.get, "health") { _, _ in Self.text("OK") }
        router.route(.get, "version") { _, _ in Self.text(Self.versionText) }
        router.route(.get, "api/3.0/mlflow/server-info", use: serverInfo)
        router.route(.get, "ajax-api/3.0/mlflow/server-info", use: serverInfo)
    }

    static func text(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    @Sendable func serverInfo(_ request: Request, context: Context) async throws -> Response {
        return MLflowResponse.json(WireServerInfo())
    }
}
