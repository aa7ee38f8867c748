import HTTPTypes
import Hummingbird
import StewardCore

extension RouterGroup where Context: IdentifiedRequestContext {
    /// Registers a native (`/api/v1`) route that refuses what it would otherwise ignore: a query parameter other
    /// than the `query` ones it reads (a misspelt `treshold=0.9` would fall back to its default without a word), one
    /// given twice unless it is `repeatable` (which of the two counts would be left to chance), and a body when the
    /// route reads none (`readsBody` defaults to false for GET and DELETE, true otherwise). `access` is the role the
    /// route needs (`RouteAccess`).
    @discardableResult
    func native(
        _ method: HTTPRequest.Method, _ path: RouterPath, access: RouteAccess? = nil, query: Set<String> = [], repeatable: Set<String> = [],
        readsBody: Bool? = nil, use handler: @escaping @Sendable (Request, Context) async throws -> Response
    ) -> Self {
        let readsBody = readsBody ?? ![.get, .head, .delete].contains(method)
        return route(method, path, access: access) { request, context in
            try NativeMessage.refuseUnreadQuery(of: request, allowed: query, repeatable: repeatable)
            if !readsBody { try NativeMessage.refuseBody(of: request) }
            return try await handler(request, context)
        }
    }
}

extension NativeMessage {
    /// Refuses a query parameter the route does not read, naming the closest one it does, and one given twice
    /// that the route reads once.
    static func refuseUnreadQuery(of request: Request, allowed: Set<String>, repeatable: Set<String>) throws {
        var seen: Set<String> = []
        for (name, _) in MLflowRequest.parseQuery(request.uri.query) {
            guard allowed.contains(name) else {
                var message = "Unknown query parameter '\(name)'"
                if let best = EditDistance.closest(to: name, among: allowed, within: max(1, name.count / 3)) {
                    message += ": did you mean '\(best)'?"
                } else {
                    message += "."
                }
                message += allowed.isEmpty ? " This route takes none." : " This route takes: " + allowed.sorted().joined(separator: ", ") + "."
                throw StewardError.invalidParameter(message)
            }
            if !seen.insert(name).inserted, !repeatable.contains(name) {
                throw StewardError.invalidParameter("The query parameter '\(name)' appears twice; this route reads it once.")
            }
        }
    }

    /// Refuses a request body on a route that reads none, rather than dropping what the client meant to send.
    static func refuseBody(of request: Request) throws {
        let length = request.headers[.contentLength].flatMap { Int($0) } ?? 0
        guard length > 0 || request.headers[.transferEncoding] != nil else { return }
        throw StewardError.invalidParameter(
            "\(request.method) \(request.uri.path) reads no request body; send the request without one (options go in the query string).")
    }
}
