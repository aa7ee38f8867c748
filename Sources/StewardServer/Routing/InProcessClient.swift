import Foundation
import Hummingbird
import Logging
import NIOCore
import StewardCore

/// Answers API requests with the server's own router, without a socket: the command line working on a data
/// folder sends the same requests as it would to `--server`, so both go through the same routes, decisions,
/// refusals and audit trail, and print the same answers.
public struct InProcessClient: Sendable {
    /// What a route answered.
    public struct Reply: Sendable {
        public let status: Int
        public let body: Data
    }

    let responder: RouterResponder<StewardRequestContext>
    let principal: Principal
    let logger: Logger

    /// A client over `services` that acts, unless a request carries a token, as `principal`.
    public init(services: StewardServices, principal: Principal, logger: Logger) {
        responder = buildRouter(services: services, configuration: ServerConfiguration(authenticationRequired: false)).buildResponder()
        self.principal = principal
        self.logger = logger
    }

    /// Sends one request; `target` is the path with its query, and `authorization` the header's value, if any.
    public func send(method: String, target: String, contentType: String?, authorization: String?, body: Data) async throws -> Reply {
        var headers = HTTPFields()
        if let contentType { headers[.contentType] = contentType }
        if let authorization { headers[.authorization] = authorization }
        let head = HTTPRequest(method: HTTPRequest.Method(method) ?? .get, scheme: "http", authority: "steward", path: target, headerFields: headers)
        var context = StewardRequestContext(source: InProcessSource(logger: logger))
        context.principal = principal
        let response = try await responder.respond(to: Request(head: head, body: RequestBody(buffer: ByteBuffer(bytes: body))), context: context)
        return Reply(status: response.status.code, body: Data(buffer: try await response.body.collected()))
    }

    /// The context source of a request that came through no channel.
    struct InProcessSource: RequestContextSource {
        let logger: Logger
    }
}
