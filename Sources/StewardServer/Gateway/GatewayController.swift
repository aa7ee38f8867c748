import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import StewardCore
import StewardJSON

/// The LLM gateway's OpenAI-compatible routes under `/v1`: `POST chat/completions` (answers and server-sent event
/// streams), `POST embeddings` and `GET models`. A call is authenticated by its system's gateway key (sent as
/// OpenAI's API key), may use only the models the system lists, goes to the model's provider and then to its
/// fallbacks on 429, 5xx or no answer in time, and becomes an inference event of the system with its tokens,
/// cost and latency.
struct GatewayController<Context: IdentifiedRequestContext>: Sendable {
    let calls: GatewayCalls
    var gateway: GatewayService { calls.gateway }
    /// Request bodies larger than this are refused (413).
    static var largestRequest: Int { 16 << 20 }

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("chat/completions") { request, context in try await call(.chat, request, context) }
        group.post("embeddings") { request, context in try await call(.embeddings, request, context) }
        group.get("models", use: models)
    }

    /// The caller from `Authorization: Bearer <key>`.
    func caller(_ request: Request) async throws -> GatewayService.Caller {
        try await gateway.caller(key: try Self.key(authorization: request.headers[.authorization]))
    }

    /// The key of `Authorization: Bearer <key>`; 401 without one.
    static func key(authorization header: String?) throws -> String {
        guard let header, header.lowercased().hasPrefix("bearer ") else {
            throw StewardError(.unauthenticated, "You didn't provide an API key: send the system's gateway key as 'Authorization: Bearer sgw_…'.")
        }
        return header.dropFirst(7).trimmingCharacters(in: .whitespaces)
    }

    @Sendable func models(_ request: Request, context: Context) async throws -> Response {
        let caller = try await caller(request)
        let configuration = try await gateway.configuration().configuration
        let data = try await gateway.models(for: caller).map { model in
            JSONValue.object([
                "id": .string(model.name), "object": .string("model"), "created": .integer(0),
                "owned_by": .string(configuration.provider(named: model.provider)?.name ?? model.provider),
            ])
        }
        return Self.json(.object(["object": .string("list"), "data": .array(data)]), status: .ok, requestID: nil)
    }

    func call(_ kind: GatewayCall.Kind, _ request: Request, _ context: Context) async throws -> Response {
        let started = ContinuousClock.now
        let time = EpochClock.now()
        // Refused before its body is read.
        let caller = try await caller(request)
        let body = try await request.body.collect(upTo: Self.largestRequest)
        let calls = calls
        let headers = request.headers
        // The connection's closing cancels the call: a client that goes away before the answer ends the provider's
        // call (a stream's client that goes away ends it at the next chunk).
        return try await AbandonedCalls.shared.run(on: context.connection) {
            try await calls.answer(
                kind, caller: caller, body: body, requestIDHeader: headers[HTTPField.Name("X-Request-Id")!],
                unitHeader: headers[HTTPField.Name("X-Steward-Unit")!], cacheControl: headers[.cacheControl], started: started, time: time)
        }.response
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status, requestID: String?) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let requestID { headers[HTTPField.Name("X-Steward-Request-Id")!] = requestID }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: value.description)))
    }
}
