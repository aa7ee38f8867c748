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

    /// The card fields people edit; `owners` may be a list or one comma-separated string.
    struct CardEdit: Decodable {
        var purpose: String?
        var owners: OwnerList?
        var intendedUse: String?
        var outOfScopeUses: String?
        var limitations: String?
        var ethicalConsiderations: String?

        struct OwnerList: Decodable {
            let text: String

            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let names = try? container.decode([String].self) {
                    text = names.joined(separator: ", ")
                } else {
                    text = try container.decode(String.self)
                }
            }
        }

        /// The notes to store, by their wire names; an empty value removes one.
        var notes: [String: String] {
            let given: [(ModelCard.Note, String?)] = [
                (.purpose, purpose), (.owners, owners?.text), (.intendedUse, intendedUse), (.outOfScopeUses, outOfScopeUses),
                (.limitations, limitations), (.ethicalConsiderations, ethicalConsiderations),
            ]
            return Dictionary(uniqueKeysWithValues: given.compactMap { note, value in value.map { (note.rawValue, $0) } })
        }
    }

    /// Sets the editable card fields given in the body (`purpose`, `owners`, `intended_use`, `out_of_scope_uses`,
    /// `limitations`, `ethical_considerations`); an empty string removes one. Read strictly, as every native body.
    @Sendable func editCard(_ request: Request, context: Context) async throws -> Response {
        let name = try NativeMessage.parameter("name", context)
        let version = try NativeMessage.parameter("version", context)
        let edit = try await NativeMessage.decode(CardEdit.self, from: request)
        try await registry.setCardNotes(name: name, version: version, notes: edit.notes, actor: context.principal)
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
