import Hummingbird
import StewardCore

/// The governance policy (`/api/v1/policy`): read it, or replace it with a new YAML version.
struct PolicyController<Context: IdentifiedRequestContext>: Sendable {
    let policies: PolicyService

    func addRoutes(to group: RouterGroup<Context>) {
        group.native(.get, "policy", query: ["format"], use: show)
        group.native(.put, "policy", use: replace)
    }

    struct Body: Encodable { let policy: WirePolicy }

    /// The policy as JSON, or its YAML document with `?format=yaml`.
    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        let policy = try await policies.policy()
        if try NativeMessage.query("format", request) == "yaml" {
            return NativeMessage.text(policy.policy.document, contentType: "application/yaml; charset=utf-8")
        }
        return try NativeMessage.json(Body(policy: WirePolicy(policy)))
    }

    /// Replaces the policy with the YAML document in the body.
    @Sendable func replace(_ request: Request, context: Context) async throws -> Response {
        let document = try await NativeMessage.text(of: request)
        return try NativeMessage.json(Body(policy: WirePolicy(try await policies.setPolicy(document: document, actor: context.principal))))
    }
}
