import Foundation
import HTTPTypes
import Hummingbird
import StewardCore
import StewardJSON

/// Steward's own registry endpoints (`/api/v1/models/...`, `/api/v1/prompts/...`): model cards, registry history
/// and prompt rendering. Errors use the same JSON shape as the MLflow routes.
struct ModelsController<Context: IdentifiedRequestContext>: Sendable {
    let registry: ModelRegistryService

    func addRoutes(to group: RouterGroup<Context>) {
        group.native(.get, "models/:name/versions/:version/card", query: ["format"], use: card)
        group.native(.patch, "models/:name/versions/:version/card", use: editCard)
        group.native(.get, "models/:name/history", use: history)
        group.native(.post, "prompts/:name/render", access: .read, use: renderPrompt)
    }

    /// The card in the format asked for by `?format=` (`json`, `markdown`, `html`) or else by `Accept`.
    @Sendable func card(_ request: Request, context: Context) async throws -> Response {
        let card = try await registry.modelCard(
            name: try NativeMessage.parameter("name", context), version: try NativeMessage.parameter("version", context))
        let format = try DocumentFormat(requestedBy: request)
        return format.response(format.render(card))
    }

    /// Sets the editable card fields given in the body (`purpose`, `owners`, `intended_use`, `out_of_scope_uses`,
    /// `limitations`, `ethical_considerations`); an empty string removes one.
    @Sendable func editCard(_ request: Request, context: Context) async throws -> Response {
        let name = try NativeMessage.parameter("name", context)
        let version = try NativeMessage.parameter("version", context)
        let fields = try await NativeMessage.decode([String: JSONValue].self, from: request)
        let editable = ModelCard.Note.allCases.map(\.rawValue).sorted()
        if let unknown = fields.keys.sorted().first(where: { !editable.contains($0) }) {
            throw StewardError.invalidParameter(
                "Unknown field '\(unknown)'. The fields of this request are: \(editable.joined(separator: ", ")). Nothing was changed.")
        }
        var notes: [String: String] = [:]
        for (key, value) in fields {
            switch value {
            case .string(let text): notes[key] = text
            case .array(let items) where key == ModelCard.Note.owners.rawValue && items.allSatisfy({ if case .string = $0 { true } else { false } }):
                notes[key] = items.compactMap { if case .string(let text) = $0 { text } else { nil } }.joined(separator: ", ")
            default: throw StewardError.invalidParameter("Card field '\(key)' must be a string.")
            }
        }
        try await registry.setCardNotes(name: name, version: version, notes: notes, actor: context.principal)
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
        let message = try await NativeMessage.decode(RenderRequest.self, from: request)
        let (version, result) = try await registry.renderPrompt(
            name: try NativeMessage.parameter("name", context), version: message.version?.text, alias: message.alias,
            variables: message.variables ?? [:])
        return MLflowResponse.json(WireRenderedPrompt(version: version, result: result))
    }
}
