import HTTPTypes
import Hummingbird
import NIOCore
import StewardCore

/// The forms a document (a model card, a system's technical documentation) is served in, shared by the HTTP
/// routes and `steward card`.
public enum DocumentFormat: String, CaseIterable, Sendable {
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

    /// The format asked for by `?format=` (`json`, `markdown`, `html`), else by the `Accept` header.
    init(requestedBy request: Request) throws(StewardError) {
        if let name = MLflowRequest.parseQuery(request.uri.query).last(where: { $0.0 == "format" })?.1 {
            guard let named = DocumentFormat(name: name) else { throw .invalidParameter("Unknown format '\(name)': use json, markdown or html.") }
            self = named
        } else {
            self = DocumentFormat(accept: request.headers[.accept] ?? "")
        }
    }

    /// `text` served in this format; an HTML page may load nothing.
    func response(_ text: String) -> Response {
        // The answer depends on Accept when no format is named, so caches must keep one per Accept.
        var headers: HTTPFields = [.contentType: contentType, .xContentTypeOptions: "nosniff", .vary: "Accept"]
        if self == .html { headers[HTTPField.Name("Content-Security-Policy")!] = ModelCardRenderer.contentSecurityPolicy }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    public var contentType: String {
        switch self {
        case .json: "application/json"
        case .markdown: "text/markdown; charset=utf-8"
        case .html: "text/html; charset=utf-8"
        }
    }

    /// A system's technical documentation in this format: JSON as the route always answered it.
    func render(_ documentation: TechnicalDocumentation) throws -> String {
        switch self {
        case .json: String(decoding: try NativeMessage.encoder.encode(documentation), as: UTF8.self)
        case .markdown: DocumentationRenderer.markdown(documentation)
        case .html: DocumentationRenderer.html(documentation)
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
