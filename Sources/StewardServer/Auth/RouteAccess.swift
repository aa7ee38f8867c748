import Hummingbird
import StewardCore

/// Which requests only read. Reads are every GET, and the POST routes that search or compute without
/// storing anything (MLflow's searches, prompt rendering, risk classification). One change is open to every
/// role: revoking one's own token.
enum RouteAccess {
    static let readingPostEndpoints: Set<String> = ["search", "get-latest-versions", "render", "classify"]

    static func isRead(_ request: Request) -> Bool {
        if request.method == .get || request.method == .head { return true }
        guard request.method == .post, let last = request.uri.path.split(separator: "/").last else { return false }
        return readingPostEndpoints.contains(String(last))
    }

    /// `DELETE /api/v1/users/{name}/tokens/{id}` by `name` themself: the one change a read-only role may make, so
    /// that the owner of a leaked token can always revoke it.
    static func isOwnTokenRevocation(_ request: Request, by user: String) -> Bool {
        guard request.method == .delete else { return false }
        let parts = request.uri.path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 7, parts[0].isEmpty, parts[1] == "api", parts[2] == "v1", parts[3] == "users", parts[5] == "tokens" else { return false }
        return IdentityService.sameName(parts[4].removingPercentEncoding ?? parts[4], user)
    }

    /// The AI system a native route names (`/api/v1/systems/{id}/…`), for auditing a refusal against it.
    static func systemID(of request: Request) -> String? {
        let parts = request.uri.path.split(separator: "/").map(String.init)
        guard parts.count >= 4, parts[0] == "api", parts[1] == "v1", parts[2] == "systems" else { return nil }
        return parts[3].removingPercentEncoding ?? parts[3]
    }
}
