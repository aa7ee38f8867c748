import Hummingbird

/// Which requests only read. Reads are every GET, and the POST routes that search or compute without
/// storing anything (MLflow's searches, prompt rendering, risk classification).
enum RouteAccess {
    static let readingPostEndpoints: Set<String> = ["search", "get-latest-versions", "render", "classify"]

    static func isRead(_ request: Request) -> Bool {
        if request.method == .get || request.method == .head { return true }
        guard request.method == .post, let last = request.uri.path.split(separator: "/").last else { return false }
        return readingPostEndpoints.contains(String(last))
    }
}
