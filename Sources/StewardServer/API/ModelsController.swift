import Foundation
import HTTPTypes
import Hummingbird
import StewardCore

/// Steward's own registry endpoints (`/api/v1/models/...`, `/api/v1/prompts/...`): model cards, registry history
/// and prompt rendering. Errors use the same JSON shape as the MLflow routes.
struct ModelsController<Context: RequestContext>: Sendable {
    let registry: ModelRegistryService

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("models/:name/versions/:version/card", use: card)
        group.patch("models/:name/versions/:version/card", use: editCard)
        group.get("models/:name/history", use: history)
        group.post("prompts/:name/render", use: renderPrompt)
    }

    /// The card in the format asked for by `?format=` (`json`, `markdown`, `html`) or else by `Accept`.
    @Sendable func card(_ request: Request, context: Context) async throws -> Response {
        let card = try await registry.modelCard(
            name: try NativeMessage.parameter("name", context), version: try NativeMessage.parameter("version", context))
        let format: ModelCardFormat
        if let name = MLflowRequest.parseQuery(request.uri.query).last(where: { $0.0 == "format" })?.1 {
            guard let named = ModelCardFormat(name: name) else {
                throw StewardError.invalidParameter("Unknown card format '\(name)': use json, markdown or html.")
            }
            format = named
        } else {
            format = ModelCardFormat(accept: request.headers[.accept] ?? "")
        }
        var headers: HTTPFields = [.contentType: format.contentType, .xContentTypeOptions: "nosniff"]
        if format == .html { headers[HTTPField.Name("Content-Security-Policy")!] = ModelCardRenderer.contentSecurityPolicy }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: format.render(card))))
    }

    /// Sets the editable card fields given in the body (`purpose`, `owners`, `intended_use`, `out_of_scope_uses`,
    /// `limitations`, `ethical_considerations`); an empty string removes one.
    @Sendable func editCard(_ request: Request, context: Context) async throws -> Response {
        let name = try NativeMessage.parameter("name", context)
        let version = try NativeMessage.parameter("version", context)
        var request = request
        let body = try await MLflowRequest.collectBody(of: &request, maximumBytes: 1 << 20)
        let data = Data(buffer: body)
        try MLflowRequest.refuseNUL(in: data)
        guard let fields = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw StewardError.invalidParameter("The body must be a JSON object of card fields to strings.")
        }
        var notes: [String: String] = [:]
        for (key, value) in fields {
            if let text = value as? String {
                notes[key] = text
            } else if let list = value as? [String], key == ModelCard.Note.owners.rawValue {
                notes[key] = list.joined(separator: ", ")
            } else {
                throw StewardError.invalidParameter("Card field '\(key)' must be a string.")
            }
        }
        try await registry.setCardNotes(name: name, version: version, notes: notes)
        let card = try await registry.modelCard(name: name, version: version)
        return MLflowResponse.json(WireMember("model_card", WireModelCard(card: card)))
    }

    @Sendable func history(_ request: Request, context: Context) async throws -> Response {
        let events = try await registry.history(name: try NativeMessage.parameter("name", context))
        return MLflowResponse.json(WirePage("events", events.map(WireRegistryEvent.init)))
    }

    struct RenderRequest: Decodable {
        var version: WireText?
        var alias: String?
        var variables: [String: String]?
    }

    @Sendable func renderPrompt(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let body = try await MLflowRequest.collectBody(of: &request, maximumBytes: 1 << 20)
        let message = try MLflowRequest.decode(RenderRequest.self, from: body.readableBytes == 0 ? Data("{}".utf8) : Data(buffer: body))
        let (version, result) = try await registry.renderPrompt(
            name: try NativeMessage.parameter("name", context), version: message.version?.text, alias: message.alias,
            variables: message.variables ?? [:])
        return MLflowResponse.json(WireRenderedPrompt(version: version, result: result))
    }
}
