import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StewardCore
import StewardServer
import StewardStore
import StewardTestSupport
import Testing

/// Attacks an ordinary contributor could make on what governance promises, each performed over HTTP against a
/// server with authentication on, and what the server must answer instead.
@Suite("Integrity routes")
struct IntegrityRouteTests {
    static let secured = ServerConfiguration(authenticationRequired: true)

    /// A secured server with a contributor, a reviewer, a compliance officer, a viewer and an admin.
    struct Team {
        let client: any TestClientProtocol
        let services: TrackingServices
        let tokens: [String: String]

        static func with(_ engine: TestEngine, _ body: @escaping @Sendable (Team) async throws -> Void) async throws {
            try await withApplication(engine, configuration: IntegrityRouteTests.secured) { client, services in
                var tokens: [String: String] = [:]
                for (name, role) in [("carol", Role.contributor), ("rita", .reviewer), ("cora", .compliance), ("vic", .viewer), ("ada", .admin)] {
                    tokens[name] = try await services.identity.createUser(name: name, role: role, actor: IdentityService.bootstrap).token
                }
                try await body(Team(client: client, services: services, tokens: tokens))
            }
        }

        @discardableResult
        func call(
            _ user: String, _ method: HTTPRequest.Method, _ uri: String, json: String? = nil, body: ByteBuffer? = nil
        ) async throws -> (status: HTTPResponse.Status, body: JSONBody, text: String) {
            let headers: HTTPFields = [.authorization: "Bearer \(tokens[user] ?? "")", .contentType: "application/json"]
            return try await client.execute(uri: uri, method: method, headers: headers, body: body ?? json.map { ByteBuffer(string: $0) }) {
                response in (response.status, (try? JSONBody(response.body)) ?? JSONBody(object: [:]), String(buffer: response.body))
            }
        }

        /// Expects an error answer with this status and code, whose message contains `text`.
        func refused(
            _ user: String, _ method: HTTPRequest.Method, _ uri: String, json: String? = nil, status: HTTPResponse.Status, code: String,
            _ text: String = "", sourceLocation: SourceLocation = #_sourceLocation
        ) async throws {
            let answer = try await call(user, method, uri, json: json)
            #expect(answer.status == status, "\(method) \(uri) \(json ?? ""): \(answer.text)", sourceLocation: sourceLocation)
            #expect(answer.body.string("error_code") == code, "\(answer.text)", sourceLocation: sourceLocation)
            #expect(answer.body.string("message")?.contains(text) == true, "\(answer.text)", sourceLocation: sourceLocation)
        }

        /// The audit events of one action, oldest first.
        func audited(_ action: String) async throws -> [AuditEvent] {
            try await services.audit.events(AuditQuery(limit: 10_000), actor: .user("cora", role: .compliance)).filter { $0.action == action }
        }

        /// A system of `tier` (from its questionnaire) owned by carol, with model `model` registered by carol from a
        /// run of hers and linked to it.
        func system(_ name: String, model: String, questionnaire: String = "{}") async throws -> String {
            let created = try await call(
                "carol", .post, "/api/v1/systems", json: #"{"name": "\#(name)", "questionnaire": \#(questionnaire)}"#)
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.body.dictionary("system")?.string("id"))
            try await register(model)
            let linked = try await call("carol", .post, "/api/v1/systems/\(id)/models", json: #"{"name": "\#(model)"}"#)
            #expect(linked.status == .ok, "\(linked.text)")
            return id
        }

        /// Registers `model` (created when new) with one more version from a fresh run of carol's.
        func register(_ model: String) async throws {
            let experiment = try await services.experiments.createExperiment(name: "e-\(UUID().uuidString)", artifactLocation: nil, tags: [])
            let run = try await services.runs.createRun(experimentID: experiment, userID: "carol", runName: nil, startTime: nil, tags: [])
            if (try? await services.registry.registeredModel(name: model)) == nil {
                try await call("carol", .post, "/api/2.0/mlflow/registered-models/create", json: #"{"name": "\#(model)"}"#)
            }
            let version = try await call(
                "carol", .post, "/api/2.0/mlflow/model-versions/create",
                json: #"{"name": "\#(model)", "source": "runs:/\#(run.info.runID)/model", "run_id": "\#(run.info.runID)"}"#)
            #expect(version.status == .ok, "\(version.text)")
        }
    }

    @Test("Look-alikes of a protected alias are refused; other spellings of it are protected", arguments: TestEngine.available)
    func lookAlikeAliases(engine: TestEngine) async throws {
        try await Team.with(engine) { team in
            _ = try await team.system("scoring", model: "scorer")
            let before = try await team.audited("promotion").count
            // Turkish dotted capital I, Cyrillic letters, a combining letter (which counts as alphabetic), a zero for an o.
            for alias in ["PRODUCTİON", "рrоduсtіоn", "produc\u{363}tion", "pr0duction"] {
                try await team.refused(
                    "carol", .post, "/api/2.0/mlflow/registered-models/alias", json: #"{"name": "scorer", "alias": "\#(alias)", "version": "1"}"#,
                    status: .badRequest, code: "INVALID_PARAMETER_VALUE", "reads as the protected alias")
            }
            // The same alias in capitals or fullwidth letters is the protected alias itself: a promotion, refused here.
            for alias in ["PRODUCTION", "ｐｒｏｄｕｃｔｉｏｎ", "CHAMPION"] {
                try await team.refused(
                    "carol", .post, "/api/2.0/mlflow/registered-models/alias", json: #"{"name": "scorer", "alias": "\#(alias)", "version": "1"}"#,
                    status: .forbidden, code: "PERMISSION_DENIED", "model_card")
            }
            let model = try await team.call("carol", .get, "/api/2.0/mlflow/registered-models/get?name=scorer")
            #expect(model.body.dictionary("registered_model")?["aliases"] == nil, "\(model.text)")
            let refusals = try await team.audited("promotion").dropFirst(before)
            #expect(refusals.count == 7 && refusals.allSatisfy { $0.outcome == .refused })
            #expect(AliasName.imitates("рrоduсtіоn", "production") && !AliasName.imitates("PRODUCTION", "production"))
            #expect(!AliasName.imitates("candidate", "production") && !AliasName.imitates("productions", "production"))
        }
    }

    @Test("Unknown, misplaced and repeated fields are refused with the field probably meant, and change nothing", arguments: TestEngine.available)
    func strictFields(engine: TestEngine) async throws {
        try await Team.with(engine) { team in
            // A flat field meant for the questionnaire would have classified a credit system as low risk.
            try await team.refused(
                "carol", .post, "/api/v1/classify", json: #"{"domain": "credit", "customer_facing": true, "personal_data": true}"#,
                status: .badRequest, code: "INVALID_PARAMETER_VALUE", "did you mean 'questionnaire.customer_facing'?")
            try await team.refused(
                "carol", .post, "/api/v1/systems", json: #"{"name": "loans", "domain": "credit", "owner": "carol"}"#,
                status: .badRequest, code: "INVALID_PARAMETER_VALUE", "Unknown field 'domain': did you mean 'questionnaire.domain'?")
            try await team.refused(
                "carol", .post, "/api/v1/systems", json: #"{"name": "loans", "owner": "carol"}"#,
                status: .badRequest, code: "INVALID_PARAMETER_VALUE", "did you mean 'business_owner' or 'technical_owner'?")
            try await team.refused(
                "carol", .post, "/api/v1/systems", json: #"{"name": "loans", "questionnaire": {"domian": "credit"}}"#,
                status: .badRequest, code: "INVALID_PARAMETER_VALUE", "Unknown field 'questionnaire.domian': did you mean 'domain'?")
            try await team.refused(
                "carol", .post, "/api/v1/systems", json: #"{"name": "loans", "data_sources": [{"name": "bureau", "personal": true}]}"#,
                status: .badRequest, code: "INVALID_PARAMETER_VALUE", "Unknown field 'data_sources[0].personal'")
            #expect(try await team.services.count("ai_systems") == 0)

            let id = try await team.system("loans", model: "scorer", questionnaire: #"{"domain": "credit"}"#)
            let approval = try await team.call(
                "carol", .post, "/api/v1/systems/\(id)/approvals", json: #"{"model": "scorer", "version": "1", "alias": "production"}"#)
            let request = try #require(approval.body.dictionary("approval")?.string("id"), "\(approval.text)")
            try await team.refused(
                "rita", .post, "/api/v1/approvals/\(request)/decisions", json: #"{"decision": "reject", "decision": "approve"}"#,
                status: .badRequest, code: "INVALID_PARAMETER_VALUE", "'decision' appears twice")
            try await team.refused(
                "carol", .post, "/api/v1/systems/\(id)/evidence",
                json: #"{"type": "explainabilty", "reference": "r", "model": "scorer", "version": "1"}"#,
                status: .badRequest, code: "INVALID_PARAMETER_VALUE", "did you mean 'explainability'?")
            try await team.refused(
                "carol", .post, "/api/v1/systems/\(id)/evidence", json: #"{"type": "evaluation", "reference": "r"}"#,
                status: .badRequest, code: "INVALID_PARAMETER_VALUE", "POST /api/v1/evaluations")
            try await team.refused(
                "carol", .get, "/api/v1/systems/\(id)/controls?model=scorer&version=1&alais=champion",
                status: .badRequest, code: "INVALID_PARAMETER_VALUE", "Unknown query parameter 'alais': did you mean 'alias'?")
            try await team.refused(
                "carol", .get, "/api/v1/systems?format=csv", status: .badRequest, code: "INVALID_PARAMETER_VALUE", "This route takes none.")
            #expect(try await team.services.count("approval_decisions") == 0)
            #expect(try await team.services.count("evidence") == 0)
        }
    }

    @Test("Autonomous actions alone make a system critical, as safety-critical ones are")
    func tierTable() async throws {
        try await Team.with(.sqlite) { team in
            for answers in [#"{"autonomous_actions": true}"#, #"{"safety_critical": true}"#] {
                let classified = try await team.call("vic", .post, "/api/v1/classify", json: #"{"questionnaire": \#(answers)}"#)
                #expect(classified.body.string("tier") == "critical", "\(classified.text)")
            }
        }
    }

    @Test("Refusals at the door and the last-admin refusal are audited", arguments: TestEngine.available)
    func refusalsAreAudited(engine: TestEngine) async throws {
        try await Team.with(engine) { team in
            let id = try await team.system("scoring", model: "scorer")
            let attempts: [(HTTPRequest.Method, String, String)] = [
                (.post, "/api/v1/systems/\(id)/tier", #"{"tier": "low", "rationale": "mine"}"#),
                (.put, "/api/v1/policy", "version: 1"),
                (.patch, "/api/v1/users/carol", #"{"role": "admin"}"#),
                (.post, "/api/2.0/mlflow/registered-models/alias", #"{"name": "scorer", "alias": "production", "version": "1"}"#),
                (.post, "/api/v1/systems/\(id)/promote", #"{"model": "scorer", "version": "1", "alias": "production"}"#),
            ]
            for (method, uri, body) in attempts {
                try await team.refused("vic", method, uri, json: body, status: .forbidden, code: "PERMISSION_DENIED", "may only read")
            }
            let denied = try await team.audited("access.denied")
            #expect(denied.count == attempts.count && denied.allSatisfy { $0.outcome == .refused && $0.actor == "vic" })
            #expect(denied.map(\.target) == attempts.map { "route:\($0.0) \($0.1)" })
            #expect(denied.filter { $0.systemID == id }.count == 2)

            try await team.refused(
                "ada", .patch, "/api/v1/users/ada", json: #"{"role": "viewer"}"#, status: .badRequest, code: "INVALID_PARAMETER_VALUE", "last admin")
            try await team.refused("ada", .delete, "/api/v1/users/ada", status: .badRequest, code: "INVALID_PARAMETER_VALUE", "last admin")
            #expect(try await team.audited("user.role").map(\.outcome) == [.refused])
            #expect(try await team.audited("user.delete").map(\.outcome) == [.refused])
            #expect(try await team.services.identity.users(actor: .user("ada", role: .admin)).first { $0.name == "ada" }?.role == .admin)
        }
    }
}
