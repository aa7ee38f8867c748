import HTTPTypes
import Hummingbird
import NIOCore
import StewardCore

/// MLflow's proxied artifact endpoints (`/api/2.0/mlflow-artifacts/artifacts/...`) and the tracking-side
/// listing of a run's artifacts (`/api/2.0/mlflow/artifacts/list`).
///
/// Paths are taken from the raw request target and validated by `ArtifactPath` before any file is touched.
struct ArtifactsController<Context: IdentifiedRequestContext>: Sendable {
    let artifacts: ArtifactService

    func addProxyRoutes(to group: RouterGroup<Context>) {
        group.route(.get, "artifacts", use: list)
        group.route(.get, "artifacts/**", use: download)
        group.route(.put, "artifacts/**", use: upload)
        group.route(.delete, "artifacts/**", use: delete)
    }

    func addTrackingRoutes(to group: RouterGroup<Context>) {
        group.route(.get, "artifacts/list", use: listRunArtifacts)
    }

    /// The artifact path after `/mlflow-artifacts/artifacts/` in the raw (still percent-encoded) target.
    static func artifactPath(of request: Request) throws -> ArtifactPath {
        let raw = request.uri.path
        let marker = "/mlflow-artifacts/artifacts/"
        guard let range = raw.range(of: marker) else { throw StewardError.invalidParameter("Missing artifact path.") }
        return try ArtifactPath(encoded: String(raw[range.upperBound...]))
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let query = MLflowRequest.parseQuery(request.uri.query)
        let path = try ArtifactPath(decoded: query.last { $0.0 == "path" }?.1 ?? "")
        return MLflowResponse.json(FileListing(try await artifacts.list(path), under: nil))
    }

    @Sendable func download(_ request: Request, context: Context) async throws -> Response {
        let path = try Self.artifactPath(of: request)
        let content = try await artifacts.open(path)
        let body = ResponseBody(contentLength: Int(content.size)) { writer in
            try await content.stream { chunk in try await writer.write(chunk) }
            try await writer.finish(nil)
        }
        let headers: HTTPFields = [
            .contentType: Self.contentType(of: path.name),
            .contentDisposition: "attachment; filename=\"\(path.name.replacingOccurrences(of: "\"", with: ""))\"",
            .xContentTypeOptions: "nosniff",
        ]
        return Response(status: .ok, headers: headers, body: body)
    }

    @Sendable func upload(_ request: Request, context: Context) async throws -> Response {
        try await Self.store(request, in: artifacts, actor: context.principal)
        return MLflowResponse.empty()
    }

    /// Streams an upload into the store outside the handler: Swift 6.3's optimizer crashes (signal 11 while
    /// splitting the coroutine) when this is inlined into the handler specialised for the request context.
    @inline(never)
    static func store(_ request: Request, in artifacts: ArtifactService, actor: Principal) async throws {
        guard !request.uri.path.hasSuffix("/") else {
            throw StewardError.invalidParameter("Artifact path must include a filename (cannot end with '/').")
        }
        try await artifacts.upload(try artifactPath(of: request), contents: request.body, actor: actor)
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        try await artifacts.delete(try Self.artifactPath(of: request), actor: context.principal)
        return MLflowResponse.empty()
    }

    @Sendable func listRunArtifacts(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(ListArtifactsRequest.self, from: request)
        return MLflowResponse.json(
            FileListing(try await artifacts.listRunArtifacts(runID: try message.requiredRunID(), relativePath: message.path)))
    }

    /// MLflow's `ListArtifacts` response; a file or missing path lists as `{}`.
    struct FileListing: JSONWritable {
        struct File: JSONWritable {
            var path: String
            var is_dir: Bool
            var file_size: Int64?

            func write(to writer: inout JSONWriter) {
                writer.object { writer in
                    writer.member("path", path)
                    writer.member("is_dir", is_dir)
                    writer.member("file_size", file_size)
                }
            }
        }

        var root_uri: String?
        var files: [File]?

        func write(to writer: inout JSONWriter) {
            writer.object { writer in
                writer.member("root_uri", root_uri)
                writer.member("files", files)
            }
        }

        /// A listing below an entity's root: entry paths relative to the root, and the root named.
        init(_ rooted: ArtifactService.RootedListing) {
            self.init(rooted.listing, under: rooted.folder)
            root_uri = rooted.rootURI
        }

        init(_ listing: ArtifactListing, under prefix: String?) {
            guard case .directory(let entries) = listing, !entries.isEmpty else { return }
            files = entries.map { entry in
                File(
                    path: prefix.map { "\($0)/\(entry.name)" } ?? entry.name, is_dir: entry.isDirectory,
                    file_size: entry.size == 0 ? nil : entry.size)
            }
        }
    }

    /// A content type that never lets a browser render an artifact as a page: text is served as plain text.
    static func contentType(of name: String) -> String {
        let lowered = name.lowercased()
        let dot = lowered.lastIndex(of: ".").map { lowered[lowered.index(after: $0)...] } ?? ""
        switch dot {
        case "txt", "log", "md", "yaml", "yml", "json", "jsonl", "csv", "tsv", "py", "toml", "ini", "cfg", "html", "htm", "js", "xml", "svg":
            return "text/plain"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "gif": return "image/gif"
        case "pdf": return "application/pdf"
        default:
            return ["mlmodel", "mlproject", "requirements", "dockerfile", "license"].contains(lowered) ? "text/plain" : "application/octet-stream"
        }
    }
}

extension HTTPField.Name {
    /// Tells browsers not to guess a content type other than the one served.
    static var xContentTypeOptions: Self { Self("X-Content-Type-Options")! }
}
