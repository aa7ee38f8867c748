import Foundation
import Hummingbird
import StewardCore

/// Establishes who a request acts for; whether its role may take the route is the route's declaration
/// (`RouteAccess`).
///
/// Tokens come as `Authorization: Bearer <token>` or as the password of HTTP Basic credentials (how MLflow
/// clients send `MLFLOW_TRACKING_TOKEN` and `MLFLOW_TRACKING_USERNAME`/`PASSWORD`). With authentication on,
/// every route but `/`, `/health`, `/version` and the API's OpenAPI document needs a valid token (401 otherwise). With it off, a request without a valid token acts under the Basic
/// user name it declares, unverified and without governance rights. With a verified user, runs are recorded as that user's, whatever the client
/// claims. Finer rules (who may approve, change the policy) live in the services.
struct AuthenticationMiddleware<Context: IdentifiedRequestContext>: RouterMiddleware {
    let identity: IdentityService
    let required: Bool

    /// Paths read without credentials (GET and HEAD only): for load balancers, version probes, API clients'
    /// generators, and the landing page a run link opens in a browser. None of them shows data.
    static var openPaths: Set<String> { ["/", "/health", "/version", "/api/v1/openapi.json"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method == .get || request.method == .head, Self.openPaths.contains(request.uri.path) { return try await next(request, context) }
        // The LLM gateway's routes take a system's gateway key, not a user's token; they check it themselves.
        if request.uri.path.hasPrefix("/v1/") { return try await next(request, context) }
        // The web UI signs its users in with a session cookie (`UISessionMiddleware`).
        if request.uri.path == "/ui" || request.uri.path.hasPrefix("/ui/") { return try await next(request, context) }
        var context = context
        context.identity = identity
        let credentials = Credentials(request.headers[.authorization])
        if case .token(let user, let token) = credentials, request.method == .post, confirmedInStorePaths.contains(request.uri.path),
            let (principal, pending) = identity.provisionalAuthentication(token: token), user == nil || user == principal.name
        {
            return try await provisionally(
                request, context: context, principal: principal, pending: pending, credentials: credentials, next: next)
        }
        return try await authenticated(request, context: context, credentials: credentials, next: next)
    }

    /// Serves `request` as `principal`, remembered from an earlier request, leaving `pending` to the store's
    /// transactions to confirm, and confirms it before answering if none did. When the credentials no longer
    /// hold, nothing has been written and the request is served again as if it had come first (its body is kept
    /// for that).
    private func provisionally(
        _ request: Request, context: Context, principal: Principal, pending: PendingCredentials, credentials: Credentials,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var request = request
        var provisional = context
        provisional.principal = principal
        do {
            _ = try await MLflowRequest.collectBody(of: &request, maximumBytes: MLflowRequest.maximumBodyBytes)
        } catch {
            // What was read of the body is gone, so the request cannot be served again: it is answered with this
            // error under the credentials as the store has them (or refused, as any request, when they no longer hold).
            return try await authenticated(request, context: context, credentials: credentials) { _, _ in throw error }
        }
        let outcome: Result<Response, any Error>
        do {
            outcome = .success(try await PendingCredentials.$current.withValue(pending) { try await next(request, provisional) })
        } catch is CredentialsChanged {
            return try await authenticated(request, context: context, credentials: credentials, next: next)
        } catch {
            outcome = .failure(error)
        }
        if !pending.isConfirmed {
            do {
                try await pending.confirm()
            } catch is CredentialsChanged {
                return try await authenticated(request, context: context, credentials: credentials, next: next)
            }
        }
        return try outcome.get()
    }

    /// Serves `request` under what the store says its credentials stand for.
    private func authenticated(
        _ request: Request, context: Context, credentials: Credentials, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        switch credentials {
        case .none:
            if required { return Self.challenge("Authentication required: send an API token (Authorization: Bearer …).") }
        case .malformed:
            return Self.challenge("The Authorization header is malformed; send 'Bearer <token>' or Basic credentials with the token as password.")
        case .token(let user, let token):
            if let principal = try await identity.authenticate(token: token), user == nil || user == principal.name {
                context.principal = principal
            } else if required || user == nil {
                return Self.challenge(
                    user.map { "The token is not valid for user '\($0)'." } ?? "The token is not valid; it may have been mistyped or never issued.")
            } else if let user {
                guard user.count <= 256, !user.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
                    return Self.challenge("The Basic user name must be at most 256 characters without control characters.")
                }
                context.principal = .declared(user)
            }
        }
        return try await next(request, context)
    }

    static func challenge(_ message: String) -> Response {
        var response = MLflowResponse.error(StewardError(.unauthenticated, message))
        response.headers[.wwwAuthenticate] = "Bearer realm=\"steward\""
        return response
    }

    /// What the Authorization header carries.
    enum Credentials {
        case none
        case malformed
        /// A token, with the Basic user name it came with (nil for Bearer).
        case token(user: String?, token: String)

        /// Parsed on every request, so without Foundation's character sets (which took 2.2% of an authenticated
        /// log-batch's CPU time: perf, `bench/stores.py`): spaces and tabs around the scheme and the value are
        /// skipped, the scheme is compared without regard to case.
        init(_ header: String?) {
            guard let header = header.map(Self.trimmed), !header.isEmpty else {
                self = .none
                return
            }
            guard let space = header.firstIndex(where: Self.isBlank) else {
                self = .malformed
                return
            }
            let scheme = header[..<space]
            let value = Self.trimmed(header[space...])
            if scheme.utf8.elementsEqual("bearer".utf8, by: Self.sameLetter) {
                self = .token(user: nil, token: String(value))
            } else if scheme.utf8.elementsEqual("basic".utf8, by: Self.sameLetter) {
                guard let decoded = Data(base64Encoded: String(value)).flatMap({ String(data: $0, encoding: .utf8) }) else {
                    self = .malformed
                    return
                }
                let pair = decoded.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                let user = String(pair[0])
                let password = pair.count > 1 ? String(pair[1]) : ""
                self = .token(user: user.isEmpty ? nil : user, token: password)
            } else {
                self = .malformed
            }
        }

        private static func isBlank(_ character: Character) -> Bool { character == " " || character == "\t" }

        private static func trimmed(_ text: some StringProtocol) -> Substring {
            let text = Substring(text)
            guard let first = text.firstIndex(where: { !isBlank($0) }), let last = text.lastIndex(where: { !isBlank($0) }) else { return "" }
            return text[first...last]
        }

        /// Whether an ASCII byte of a header equals a lowercase letter, in either case.
        private static func sameLetter(_ byte: UInt8, _ lowercase: UInt8) -> Bool { byte | 0x20 == lowercase }
    }
}

/// The routes served under credentials remembered from earlier requests, confirmed by the store in the transaction
/// that writes (`PendingCredentials`): a run's logged metrics, params and tags, the calls a training loop makes many
/// times a second, whose only effect is that transaction.
private let confirmedInStorePaths: Set<String> = Set(
    ["api", "ajax-api"].flatMap { prefix in
        ["log-batch", "log-metric", "log-parameter", "set-tag"].map { "/\(prefix)/2.0/mlflow/runs/\($0)" }
    })
