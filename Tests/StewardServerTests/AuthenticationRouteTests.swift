import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StewardCore
import StewardServer
import StewardStore
import StewardTestSupport
import Testing

/// Authentication and coarse authorization over the real router, walking every route it has.
@Suite("Authentication routes")
struct AuthenticationRouteTests {
    static let secured = ServerConfiguration(authenticationRequired: true)

    /// Every route of the router as a concrete path: captures become `x`.
    static func routes() async throws -> [(method: HTTPRequest.Method, path: String)] {
        try await TestStorage.with(.sqlite, started: false) { storage in
            buildRouter(services: StewardServices(storage: storage, configuration: secured), configuration: secured).routes.map { route in
                let path = "\(route.path)".split(separator: "/").map {
                    $0.hasPrefix("{") || $0.hasPrefix(":") || $0.hasPrefix("*") ? "x" : String($0)
                }
                return (route.method, "/" + path.joined(separator: "/"))
            }
        }
    }

    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)", .contentType: "application/json"] }

    @Test("Authentication is on by default unless the server listens on loopback only")
    func defaults() {
        #expect(!ServerConfiguration().authenticationRequired && !ServerConfiguration(host: "::1").authenticationRequired)
        #expect(ServerConfiguration(host: "0.0.0.0").authenticationRequired && ServerConfiguration(host: "10.1.2.3").authenticationRequired)
        #expect(!ServerConfiguration(host: "0.0.0.0", authenticationRequired: false).authenticationRequired)
    }

    @Test("With auth on, every route but /health, /version and the OpenAPI document answers 401 without a valid token, and the UI sends to sign-in")
    func everyRouteNeedsAToken() async throws {
        let routes = try await Self.routes()
        #expect(routes.count > 80, "the walk sees the whole router")
        #expect(routes.contains { $0.path == "/api/v1/systems/x/promote" } && routes.contains { $0.path == "/api/2.0/mlflow/runs/search" })
        try await withApplication(.sqlite, configuration: Self.secured) { client, _ in
            for route in routes {
                for headers: HTTPFields in [[:], Self.bearer("stw_forged"), [.authorization: "Basic \(Data("ana:".utf8).base64EncodedString())"]] {
                    try await client.execute(uri: route.path, method: route.method, headers: headers, body: ByteBuffer(string: "{}")) { response in
                        if ["/health", "/version"].contains(route.path) {
                            #expect(response.status == .ok)
                        } else if route.path == "/" || route.path.hasPrefix("/ui") {
                            // The web UI signs in with a session cookie, never a token: without one, every page but the
                            // sign-in page and the assets sends the browser to sign in, and no form changes anything.
                            let location = response.headers[.location] ?? ""
                            if route.path == "/ui/sign-in" {
                                // A form that does not say where it came from is refused before it is read.
                                #expect(response.status == (route.method == .get ? .ok : .forbidden), "\(route.method) \(route.path)")
                            } else if route.path.hasPrefix("/ui/assets/") {
                                #expect(response.status == .ok)
                            } else {
                                #expect(response.status == .seeOther, "\(route.method) \(route.path)")
                                #expect(location == "/ui/" || location.hasPrefix("/ui/sign-in?next="), "\(route.method) \(route.path) \(location)")
                            }
                        } else if route.path == "/api/v1/openapi.json" {
                            // Open, and strict as every native route: this probe's body is refused.
                            #expect(response.status == .badRequest)
                        } else if route.path.hasPrefix("/v1/") {
                            // The LLM gateway takes a system's gateway key, and refuses in OpenAI's shape.
                            #expect(response.status == .unauthorized, "\(route.method) \(route.path) \(headers)")
                            #expect(String(buffer: response.body).contains("\"invalid_api_key\""), "\(route.method) \(route.path)")
                        } else {
                            #expect(response.status == .unauthorized, "\(route.method) \(route.path) \(headers)")
                            #expect(String(buffer: response.body).contains("\"UNAUTHENTICATED\""), "\(route.method) \(route.path)")
                            #expect(response.headers[.wwwAuthenticate] != nil)
                        }
                    }
                }
            }
        }
    }

    @Test("A viewer reads but every route that changes data answers 403, audited, before it changes anything")
    func viewersOnlyRead() async throws {
        let routes = try await Self.routes()
        let readingPosts: Set<String> = ["search", "get-latest-versions", "render", "classify"]
        try await withApplication(.sqlite, configuration: Self.secured) { client, services in
            let viewer = try await services.identity.createUser(name: "vic", role: .viewer, actor: IdentityService.bootstrap).token
            let before = try await services.count("audit_events")
            nonisolated(unsafe) var writes = 0
            // A user's token does not open the LLM gateway, which takes systems' gateway keys (GatewayRouteTests).
            // The web UI takes no token (UIRouteTests).
            for route in routes
            where !["/health", "/version", "/"].contains(route.path) && !route.path.hasPrefix("/v1/") && !route.path.hasPrefix("/ui") {
                let reads =
                    route.method == .get || (route.method == .post && readingPosts.contains(String(route.path.split(separator: "/").last ?? "")))
                try await client.execute(
                    uri: route.path, method: route.method, headers: Self.bearer(viewer),
                    body: route.method == .get ? nil : ByteBuffer(string: "{}")
                ) {
                    response in
                    let body = String(buffer: response.body)
                    if reads {
                        #expect(response.status != .unauthorized, "\(route.method) \(route.path): \(body)")
                        let adminOnly = route.path.hasPrefix("/api/v1/users") || route.path.hasPrefix("/api/v1/audit")
                        #expect((response.status == .forbidden) == adminOnly, "\(route.method) \(route.path): \(body)")
                    } else {
                        writes += 1
                        #expect(response.status == .forbidden, "\(route.method) \(route.path): \(body)")
                        #expect(body.contains("\"PERMISSION_DENIED\""), "\(route.method) \(route.path)")
                    }
                }
            }
            #expect(writes > 40)
            #expect(try await services.count("audit_events") == before + writes, "every refusal at the door is audited, and nothing else")
            #expect(try await services.count("experiments") == 1)
            #expect(try await services.count("ai_systems") == 0)
        }
    }

    @Test("Tokens work as Bearer or as the Basic password of their own user; only digests are stored")
    func tokens() async throws {
        try await withApplication(.sqlite, configuration: Self.secured) { client, services in
            let token = try await services.identity.createUser(name: "carl", role: .contributor, actor: IdentityService.bootstrap).token
            try await client.execute(uri: "/api/v1/whoami", method: .get, headers: Self.bearer(token)) { response in
                #expect(String(buffer: response.body) == #"{"user":{"authenticated":true,"name":"carl","role":"contributor"}}"#)
            }
            for (user, status) in [("carl", HTTPResponse.Status.ok), ("rita", .unauthorized)] {
                let basic = "Basic " + Data("\(user):\(token)".utf8).base64EncodedString()
                try await client.execute(
                    uri: "/api/2.0/mlflow/experiments/create", method: .post, headers: [.authorization: basic],
                    body: ByteBuffer(string: #"{"name": "by-\#(user)"}"#)
                ) { response in
                    #expect(response.status == status, "\(user): \(String(buffer: response.body))")
                }
            }
            let stored = try await services.storage.database.read { db in
                try await db.raw("SELECT token_digest FROM api_tokens").all().map { try $0.decode(column: "token_digest", as: String.self) }
            }
            #expect(stored == [AccessToken.digest(token)])
        }
    }

    /// A request with a bearer token: status and decoded body.
    static func send(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String, json: String? = nil
    ) async throws -> (status: HTTPResponse.Status, body: JSONBody) {
        try await client.execute(uri: uri, method: method, headers: bearer(token), body: json.map { ByteBuffer(string: $0) }) { response in
            (response.status, (try? JSONBody(response.body)) ?? JSONBody(object: [:]))
        }
    }

    @Test("Users list and revoke their own tokens, any role; admins change roles and delete users; revoked tokens stop at once")
    func tokenLifecycleRoutes() async throws {
        try await withApplication(.sqlite, configuration: Self.secured) { client, services in
            let admin = try await services.identity.createUser(name: "ada", role: .admin, actor: IdentityService.bootstrap).token
            let created = try await Self.send(client, .post, "/api/v1/users", token: admin, json: #"{"name": "vic", "role": "viewer"}"#)
            #expect(created.status == .created)
            let vic = try #require(created.body.string("token"))
            let issued = try await Self.send(
                client, .post, "/api/v1/users/vic/tokens", token: admin, json: #"{"label": "notebook", "expires_in_days": 30}"#)
            #expect(issued.status == .created)
            let second = try #require(issued.body.string("token"))
            let info = try #require(issued.body.dictionary("token_info"))
            let id = try #require(info.string("id"))
            #expect(id == AccessToken.id(ofDigest: AccessToken.digest(second)) && info.string("label") == "notebook" && info.string("user") == "vic")
            let createdAt = try #require(info["created_at"] as? Int)
            #expect(info["expires_at"] as? Int == createdAt + 30 * 86_400_000)

            // The viewer lists its own tokens (never the tokens themselves), but nobody else's.
            let listed = try await Self.send(client, .get, "/api/v1/users/vic/tokens", token: vic)
            #expect(listed.status == .ok)
            #expect(listed.body.array("tokens").map { $0.string("label") } == ["first token", "notebook"])
            #expect(listed.body.array("tokens").allSatisfy { $0["token"] == nil && $0.string("id")?.count == 16 })
            #expect(try await Self.send(client, .get, "/api/v1/users/ada/tokens", token: vic).status == .forbidden)

            // A viewer may revoke its own token, not another's, however the path is spelled (the route declares who may:
            // the user its name parameter names); the revoked token fails the next request.
            for path in [
                "/api/v1/users/ada/tokens/\(id)", "/api/v1/users/%61da/tokens/\(id)", "/api/v1//users/ada/tokens/\(id)",
                "/api/v1/users/ada/tokens/\(id)/", "/api/v1/users/VIC/tokens/\(id)", "/api/v1/users/vic/tokens/\(id)/..",
            ] {
                let refused = try await Self.send(client, .delete, path, token: vic)
                #expect(refused.status == .forbidden || refused.status == .notFound, "\(path): \(refused.status)")
            }
            #expect(try await Self.send(client, .get, "/api/v1/whoami", token: second).status == .ok)
            let revoked = try await Self.send(client, .delete, "/api/v1/users/%76ic/tokens/\(id)", token: vic)
            #expect(revoked.status == .ok && revoked.body.object.isEmpty)
            #expect(try await Self.send(client, .get, "/api/v1/whoami", token: second).status == .unauthorized)
            let again = try await Self.send(client, .delete, "/api/v1/users/vic/tokens/\(id)", token: vic)
            #expect(again.status == .notFound && again.body.string("error_code") == "RESOURCE_DOES_NOT_EXIST")
            let malformed = try await Self.send(client, .delete, "/api/v1/users/vic/tokens/not-an-id", token: vic)
            #expect(malformed.status == .badRequest && malformed.body.string("error_code") == "INVALID_PARAMETER_VALUE")
            let tooLong = try await Self.send(client, .post, "/api/v1/users/vic/tokens", token: admin, json: #"{"expires_in_days": 0}"#)
            #expect(tooLong.status == .badRequest && tooLong.body.string("error_code") == "INVALID_PARAMETER_VALUE")

            // Roles: admins only, never leaving no admin; the new role holds from the next request.
            #expect(try await Self.send(client, .patch, "/api/v1/users/vic", token: vic, json: #"{"role": "admin"}"#).status == .forbidden)
            let last = try await Self.send(client, .patch, "/api/v1/users/ada", token: admin, json: #"{"role": "viewer"}"#)
            #expect(last.status == .badRequest && last.body.string("message")?.contains("last admin") == true)
            let badRole = try await Self.send(client, .patch, "/api/v1/users/vic", token: admin, json: #"{"role": "owner"}"#)
            #expect(badRole.status == .badRequest)
            let promoted = try await Self.send(client, .patch, "/api/v1/users/vic", token: admin, json: #"{"role": "contributor"}"#)
            #expect(promoted.status == .ok && promoted.body.dictionary("user")?.string("role") == "contributor")
            #expect(try await Self.send(client, .get, "/api/v1/whoami", token: vic).body.dictionary("user")?.string("role") == "contributor")

            // Deleting a user takes its tokens with it.
            #expect(try await Self.send(client, .delete, "/api/v1/users/vic", token: admin).status == .ok)
            #expect(try await Self.send(client, .get, "/api/v1/whoami", token: vic).status == .unauthorized)
            #expect(try await Self.send(client, .delete, "/api/v1/users/vic", token: admin).status == .notFound)
            #expect(try await Self.send(client, .delete, "/api/v1/users/ada", token: admin).status == .badRequest)
        }
    }

    @Test("With auth off, governance decisions still need an authenticated identity with the right role")
    func governanceNeedsIdentityWithAuthOff() async throws {
        try await withApplication(.sqlite) { client, services in
            let compliance = try await services.identity.createUser(name: "cora", role: .compliance, actor: IdentityService.bootstrap).token
            let created = try await client.call(.post, "/api/v1/systems", json: #"{"name": "chat", "questionnaire": {"customer_facing": true}}"#)
            #expect(created.status == .created)
            let id = try #require(created.body.dictionary("system")?.string("id"))
            #expect(created.body.dictionary("system")?.string("risk_tier") == "medium")
            try await client.expectError(
                .post, "/api/v1/systems/\(id)/tier", json: #"{"tier": "low", "rationale": "r"}"#, status: .unauthorized, code: "UNAUTHENTICATED")
            try await client.expectError(.put, "/api/v1/policy", json: "tiers: {}", status: .unauthorized, code: "UNAUTHENTICATED")
            try await client.execute(
                uri: "/api/v1/systems/\(id)/tier", method: .post, headers: Self.bearer(compliance),
                body: ByteBuffer(string: #"{"tier": "low", "rationale": "internal pilot"}"#)
            ) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
            }
            let events = try await services.audit.events(AuditQuery(systemID: id), actor: .user("cora", role: .compliance))
            #expect(
                events.map { "\($0.action) \($0.outcome.rawValue) \($0.actor)" } == [
                    "system.create allowed anonymous", "system.tier_override refused anonymous", "system.tier_override allowed cora",
                ])
        }
    }

    @Test(
        "Run writes served under remembered credentials stop the moment another replica revokes the token or lowers its role",
        arguments: TestEngine.available)
    func rememberedCredentialsFollowOtherReplicas(engine: TestEngine) async throws {
        try await TestStorage.with(engine, started: false) { storage async throws in
            // Live, so that the store's services run (PostgreSQL's pool among them).
            try await buildApplication(configuration: Self.secured, storage: storage, logger: TestStorage.logger).test(.live) { client in
                let services = TrackingServices(storage)
                let carl = try await services.identity.createUser(name: "carl", role: .contributor, actor: IdentityService.bootstrap).token
                let experiment = try await Self.send(client, .post, "/api/2.0/mlflow/experiments/create", token: carl, json: #"{"name": "e"}"#)
                let experimentID = try #require(experiment.body.string("experiment_id"))
                let run = try await Self.send(
                    client, .post, "/api/2.0/mlflow/runs/create", token: carl, json: #"{"experiment_id": "\#(experimentID)"}"#)
                let runID = try #require(run.body.dictionary("run")?.dictionary("info")?.string("run_id"))
                var step = 0
                /// Logs a metric at the next step with each of the run-logging routes' shapes, answering the statuses.
                /// Logs at the next step through each run-logging route, in this order or (`reversed`) with the writes of
                /// several statements first, answering the statuses in route order.
                func log(_ token: String, reversed: Bool = false) async throws -> [HTTPResponse.Status] {
                    step += 1
                    let requests: [(path: String, json: String)] = [
                        (
                            "/api/2.0/mlflow/runs/log-batch",
                            #"{"run_id": "\#(runID)", "metrics": [{"key": "loss", "value": 0.5, "timestamp": 1, "step": \#(step)}]}"#
                        ),
                        (
                            "/ajax-api/2.0/mlflow/runs/log-metric",
                            #"{"run_id": "\#(runID)", "key": "acc", "value": 0.5, "timestamp": 1, "step": \#(step)}"#
                        ),
                        ("/api/2.0/mlflow/runs/log-parameter", #"{"run_id": "\#(runID)", "key": "p\#(step)", "value": "v"}"#),
                        ("/api/2.0/mlflow/runs/set-tag", #"{"run_id": "\#(runID)", "key": "t", "value": "\#(step)"}"#),
                    ]
                    var statuses: [Int: HTTPResponse.Status] = [:]
                    for index in reversed ? Array(requests.indices.reversed()) : Array(requests.indices) {
                        statuses[index] = try await Self.send(client, .post, requests[index].path, token: token, json: requests[index].json).status
                    }
                    return requests.indices.map { statuses[$0]! }
                }
                let everything = ["metrics", "params", "tags", "audit_events"]
                func rows() async throws -> [Int] {
                    var counts: [Int] = []
                    for table in everything { counts.append(try await services.count(table)) }
                    return counts
                }

                // Remembered after the first request, then served from memory (on PostgreSQL) while nothing changes.
                for _ in 0..<3 { #expect(try await log(carl) == [.ok, .ok, .ok, .ok]) }
                // A body over the limit, which cannot be kept to serve the request again: refused as too large.
                let oversized = String(repeating: " ", count: 17 << 20) + "{}"
                let tooLarge = try await Self.send(client, .post, "/api/2.0/mlflow/runs/log-batch", token: carl, json: oversized)
                #expect(tooLarge.body.string("error_code") == "RESOURCE_LIMIT_EXCEEDED", "\(tooLarge.status)")
                #expect(try await services.count("metrics") == 6)

                try await TestStorage.withReplica(of: services.storage) { replica in
                    let there = IdentityService(repository: SQLIdentityRepository(database: replica), audit: SQLAuditRepository(database: replica))
                    // Each change below moves the stamp, and the first request after it is served from memory (on
                    // PostgreSQL) under the stamp before it. A change that leaves carl's token as it was: carl's writes go
                    // on, the transaction of several statements (set-tag) first.
                    let rita = try await there.createUser(name: "rita", role: .reviewer, actor: IdentityService.bootstrap).token
                    #expect(try await log(carl, reversed: true) == [.ok, .ok, .ok, .ok])
                    #expect(try await services.count("metrics") == 8)

                    // A viewer now: refused (audited; the transaction of several statements first), and nothing written.
                    _ = try await there.setRole(user: "carl", role: .viewer, actor: IdentityService.bootstrap)
                    let before = try await rows()
                    #expect(try await log(carl, reversed: true) == [.forbidden, .forbidden, .forbidden, .forbidden])
                    #expect(try await rows() == zip(before, [0, 0, 0, 4]).map(+), "four refusals audited, nothing logged")

                    // A contributor again: a malformed request, remembered as a viewer's, is served again and answered as
                    // malformed, with no refusal audited.
                    _ = try await there.setRole(user: "carl", role: .contributor, actor: IdentityService.bootstrap)
                    let promoted = try await rows()
                    let malformedAsContributor = try await Self.send(
                        client, .post, "/api/2.0/mlflow/runs/log-batch", token: carl, json: #"{"run_id": 7}"#)
                    #expect(malformedAsContributor.status == .badRequest)
                    #expect(try await log(carl) == [.ok, .ok, .ok, .ok])
                    #expect(try await rows() == zip(promoted, [2, 1, 0, 0]).map(+))

                    // Revoked: refused as unauthenticated, log-batch's one statement first, and nothing written.
                    let other = try await there.createToken(user: "carl", label: "second", actor: IdentityService.bootstrap).token
                    #expect(try await log(other) == [.ok, .ok, .ok, .ok])
                    try await there.revokeToken(
                        user: "carl", id: AccessToken.id(ofDigest: AccessToken.digest(carl)), actor: IdentityService.bootstrap)
                    let revoked = try await rows()
                    #expect(try await log(carl) == [.unauthorized, .unauthorized, .unauthorized, .unauthorized])
                    #expect(try await rows() == revoked)
                    // A malformed request first, answered once the credentials are confirmed (the other token, remembered
                    // under the latest stamp, then revoked).
                    #expect(try await log(other) == [.ok, .ok, .ok, .ok])
                    try await there.revokeToken(
                        user: "carl", id: AccessToken.id(ofDigest: AccessToken.digest(other)), actor: IdentityService.bootstrap)
                    let revokedBoth = try await rows()
                    let malformed = try await Self.send(client, .post, "/api/2.0/mlflow/runs/log-batch", token: other, json: #"{"run_id": 7}"#)
                    #expect(malformed.status == .unauthorized)
                    let concurrent = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                        for index in 0..<32 {
                            group.addTask {
                                index % 2 == 0
                                    ? try await Self.send(
                                        client, .post, "/api/2.0/mlflow/runs/log-batch", token: carl,
                                        json: #"{"run_id": "\#(runID)", "metrics": [{"key": "c", "value": 1, "timestamp": 1, "step": \#(index)}]}"#
                                    ).status
                                    : try await Self.send(
                                        client, .post, "/api/2.0/mlflow/runs/set-tag", token: other,
                                        json: #"{"run_id": "\#(runID)", "key": "c\#(index)", "value": "v"}"#
                                    ).status
                            }
                        }
                        return try await group.reduce(into: Set<HTTPResponse.Status>()) { $0.insert($1) }
                    }
                    #expect(concurrent == [.unauthorized])
                    // An oversized body under a revoked token, remembered or not: unauthenticated.
                    #expect(
                        try await Self.send(client, .post, "/api/2.0/mlflow/runs/log-batch", token: carl, json: oversized).status == .unauthorized)
                    #expect(try await rows() == revokedBoth)
                    // Other tokens are untouched.
                    #expect(try await log(rita) == [.ok, .ok, .ok, .ok])
                }
            }
        }
    }
}
