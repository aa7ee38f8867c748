import HTTPTypes
import Hummingbird
import StewardCore

/// What a route asks of its caller's role, declared where the route is registered: a viewer may read, every other
/// role may also write. Refusals are audited (`access.denied`) before the handler reads anything.
enum RouteAccess: Sendable {
    /// Reads only (every GET, and POSTs that search or compute without storing: MLflow's searches, prompt
    /// rendering, risk classification): every role.
    case read
    /// Changes data: every role but viewer.
    case write
    /// Revokes a token of the user the route's `name` parameter names: that user whatever their role (so the
    /// owner of a leaked token can always revoke it), anyone else as `write`.
    case ownToken

    /// The access a route of this method has unless it declares another: reads for GET and HEAD, writes otherwise.
    static func inferred(from method: HTTPRequest.Method) -> RouteAccess {
        method == .get || method == .head ? .read : .write
    }

    /// Refuses (audited) a request whose principal may only read, when this access is not a read.
    func require<Context: IdentifiedRequestContext>(_ request: Request, _ context: Context) async throws {
        guard let role = context.principal.role, !role.canWrite, let identity = context.identity else { return }
        switch self {
        case .read: return
        case .ownToken:
            if let raw = context.parameters.get("name"), IdentityService.sameName(raw.removingPercentEncoding ?? raw, context.principal.name) {
                return
            }
        case .write: break
        }
        let systemID = request.uri.path.hasPrefix("/api/v1/systems/") ? context.parameters.get("id") : nil
        try await identity.refuseChange(by: context.principal, request: "\(request.method) \(request.uri.path)", systemID: systemID)
    }
}

extension RouterMethods where Context: IdentifiedRequestContext {
    /// Registers a route with the role it needs (`access`, else inferred from the method), checked before `handler`.
    @discardableResult
    func route(
        _ method: HTTPRequest.Method, _ path: RouterPath, access: RouteAccess? = nil,
        use handler: @escaping @Sendable (Request, Context) async throws -> Response
    ) -> Self {
        let access = access ?? .inferred(from: method)
        return on(path, method: method) { request, context in
            try await access.require(request, context)
            return try await handler(request, context)
        }
    }
}
