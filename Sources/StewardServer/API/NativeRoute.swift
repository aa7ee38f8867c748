import HTTPTypes
import Hummingbird
import StewardCore

extension RouterGroup {
    /// Registers a native (`/api/v1`) route whose query string may hold only the `query` parameters it reads:
    /// any other is refused with a 400 naming it, since a misspelt option (`treshold=0.9`) would otherwise fall
    /// back to its default without a word.
    @discardableResult
    func native(
        _ method: HTTPRequest.Method, _ path: RouterPath, query: Set<String> = [],
        use handler: @escaping @Sendable (Request, Context) async throws -> Response
    ) -> Self {
        on(path, method: method) { request, context in
            try NativeMessage.refuseUnknownQueryParameters(of: request, allowed: query)
            return try await handler(request, context)
        }
    }
}

extension NativeMessage {
    /// Refuses a query parameter the route does not read, naming the closest one it does.
    static func refuseUnknownQueryParameters(of request: Request, allowed: Set<String>) throws {
        for (name, _) in MLflowRequest.parseQuery(request.uri.query) where !allowed.contains(name) {
            var message = "Unknown query parameter '\(name)'"
            let close = allowed.map { ($0, EditDistance.between($0, name)) }.filter { $0.1 <= max(1, name.count / 3) }
            if let best = close.min(by: { ($0.1, $0.0) < ($1.1, $1.0) }) { message += ": did you mean '\(best.0)'?" } else { message += "." }
            message += allowed.isEmpty ? " This route takes none." : " This route takes: " + allowed.sorted().joined(separator: ", ") + "."
            throw StewardError.invalidParameter(message)
        }
    }
}
