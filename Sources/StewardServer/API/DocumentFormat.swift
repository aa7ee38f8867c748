import NIOCore
import StewardCore

/// The forms a model card is served in, shared by the HTTP route and `steward card`.
public enum ModelCardFormat: String, CaseIterable, Sendable {
    case json
    case markdown
    case html

    /// A format by name (`md` is Markdown), for `?format=` and the command line.
    public init?(name: String) {
        switch name.lowercased() {
        case "json": self = .json
        case "markdown", "md": self = .markdown
        case "html": self = .html
        default: return nil
        }
    }

    /// The format an `Accept` header prefers; JSON unless HTML or Markdown is named.
    init(accept: String) {
        let accept = accept.lowercased()
        self = accept.contains("text/html") ? .html : accept.contains("text/markdown") ? .markdown : .json
    }

    public var contentType: String {
        switch self {
        case .json: "application/json"
        case .markdown: "text/markdown; charset=utf-8"
        case .html: "text/html; charset=utf-8"
        }
    }

    /// The card as a document of this format: JSON as `{"model_card": {...}}`.
    public func render(_ card: ModelCard) -> String {
        switch self {
        case .json: String(buffer: JSONWriter.encode(WireMember("model_card", WireModelCard(card: card))))
        case .markdown: ModelCardRenderer.markdown(card)
        case .html: ModelCardRenderer.html(card)
        }
    }
}
