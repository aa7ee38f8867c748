import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StewardCore
import StewardServer
import StewardStore
import StewardTestSupport
import Synchronization
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

        /// A new experiment of carol's with one run: their ids and the run's artifact folder below the artifact root.
        func run(experiment name: String) async throws -> (experiment: String, run: String, folder: String) {
            let id = try #require(
                try await call("carol", .post, "/api/2.0/mlflow/experiments/create", json: #"{"name": "\#(name)"}"#).body.string("experiment_id"))
            let run = try #require(
                try await call("carol", .post, "/api/2.0/mlflow/runs/create", json: #"{"experiment_id": "\#(id)"}"#).body
                    .dictionary("run")?.dictionary("info")?.string("run_id"))
            return (id, run, "\(id)/\(run)/artifacts")
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
            // Capitals with a small l or a one for the I, and small capitals.
            for alias in ["PRODUCTİON", "рrоduсtіоn", "produc\u{363}tion", "pr0duction", "PRODUCTlON", "PRODUCT1ON", "ᴘʀᴏᴅᴜᴄᴛɪᴏɴ"] {
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
            #expect(refusals.count == 10 && refusals.allSatisfy { $0.outcome == .refused })
            #expect(AliasName.imitates("рrоduсtіоn", "production") && !AliasName.imitates("PRODUCTION", "production"))
            #expect(!AliasName.imitates("candidate", "production") && !AliasName.imitates("productions", "production"))
            #expect(!AliasName.imitates("Champion", "champion") && AliasName.imitates("Champl0n", "champion"))
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
            // A member matches its field exactly as written in snake case (or the property's own spelling), never in other capitals.
            try await team.refused(
                "carol", .post, "/api/v1/systems", json: #"{"name": "loans", "questionnaire": {"Domain": "credit"}}"#,
                status: .badRequest, code: "INVALID_PARAMETER_VALUE", "Unknown field 'questionnaire.Domain'")
            try await team.refused(
                "carol", .post, "/api/v1/systems", json: #"{"name": "loans", "questionnaire": {"customer_facing": true, "customerFacing": false}}"#,
                status: .badRequest, code: "INVALID_PARAMETER_VALUE",
                "'customerFacing' appears twice in 'questionnaire', also written 'customer_facing'")
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
            try await team.refused(
                "carol", .get, "/api/v1/systems/\(id)/controls?model=scorer&version=1&version=2",
                status: .badRequest, code: "INVALID_PARAMETER_VALUE", "The query parameter 'version' appears twice")
            try await team.refused(
                "carol", .get, "/api/v1/systems", json: #"{"name": "loans"}"#, status: .badRequest, code: "INVALID_PARAMETER_VALUE",
                "reads no request body")
            try await team.refused(
                "carol", .post, "/api/v1/systems/\(id)/alerts/evaluate", json: #"{"window": "1h"}"#, status: .badRequest,
                code: "INVALID_PARAMETER_VALUE", "reads no request body")
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

    /// Uploads `body` as the artifact at `path` (below the artifact root) as `user`.
    static func put(_ team: Team, _ user: String, _ path: String, _ body: String) async throws -> HTTPResponse.Status {
        try await team.call(user, .put, "/api/2.0/mlflow-artifacts/artifacts/\(path)", body: ByteBuffer(string: body)).status
    }

    static func download(_ team: Team, _ path: String) async throws -> String {
        try await team.call("vic", .get, "/api/2.0/mlflow-artifacts/artifacts/\(path)").text
    }

    @Test("A registered version's files cannot be changed; changed behind the server's back, nothing rests on them", arguments: TestEngine.available)
    func immutableVersions(engine: TestEngine) async throws {
        try await Team.with(engine) { team in
            let (id, run, folder) = try await team.run(experiment: "credit")
            #expect(try await Self.put(team, "carol", "\(folder)/model/model.pkl", "weights v1") == .ok)
            #expect(try await Self.put(team, "carol", "\(folder)/model/MLmodel", "flavors: {}") == .ok)
            let system = try await team.system("credit", model: "other")
            try await team.call("carol", .post, "/api/2.0/mlflow/registered-models/create", json: #"{"name": "prod-model"}"#)
            let created = try await team.call(
                "carol", .post, "/api/2.0/mlflow/model-versions/create",
                json: #"{"name": "prod-model", "source": "runs:/\#(run)/model", "run_id": "\#(run)"}"#)
            #expect(created.status == .ok, "\(created.text)")
            let long = String(repeating: "x", count: 2100)
            try await team.refused(
                "carol", .post, "/api/2.0/mlflow/model-versions/create",
                json: #"{"name": "prod-model", "source": "runs:/\#(run)/\#(long)", "run_id": "\#(run)"}"#, status: .badRequest,
                code: "INVALID_PARAMETER_VALUE", "at most 2000 bytes")
            try await team.call("carol", .post, "/api/v1/systems/\(system)/models", json: #"{"name": "prod-model"}"#)
            let card = try await team.call("vic", .get, "/api/v1/models/prod-model/versions/1/card")
            let digest = try #require(card.body.dictionary("model_card")?.dictionary("model_details")?.string("content_digest"), "\(card.text)")
            #expect(digest.hasPrefix("sha256:") && digest.count == 71)

            // Replacing, adding or deleting a file of the version, or deleting a folder above it: refused, audited.
            for (user, method, path, body) in [
                ("rita", HTTPRequest.Method.put, "\(folder)/model/model.pkl", "evil weights"), ("carol", .put, "\(folder)/model/extra.py", "x"),
                ("carol", .delete, "\(folder)/model/MLmodel", ""), ("carol", .delete, folder, ""), ("carol", .delete, "\(id)", ""),
            ] {
                let answer = try await team.call(user, method, "/api/2.0/mlflow-artifacts/artifacts/\(path)", body: ByteBuffer(string: body))
                #expect(answer.status == .forbidden && answer.body.string("error_code") == "PERMISSION_DENIED", "\(method) \(path): \(answer.text)")
                #expect(answer.text.contains("version 1 of 'prod-model'"), "\(answer.text)")
            }
            #expect(try await Self.download(team, "\(folder)/model/model.pkl") == "weights v1")
            #expect(try await Self.download(team, "\(folder)/model/MLmodel") == "flavors: {}")
            let refusals = try await team.audited("artifact.write") + (try await team.audited("artifact.delete"))
            #expect(
                refusals.count == 5 && refusals.allSatisfy { $0.outcome == .refused && $0.target == "model:prod-model/1" && $0.systemID == system })
            // The rest of the run stays writable.
            #expect(try await Self.put(team, "carol", "\(folder)/notes.txt", "fine") == .ok)

            // Changed on disk behind the server's back: no approval, promotion or download rests on the version.
            let file = team.services.storage.artifactRoot + "/\(folder)/model/model.pkl"
            try Data("tampered".utf8).write(to: URL(fileURLWithPath: file))
            let approval = try await team.call(
                "carol", .post, "/api/v1/systems/\(system)/approvals", json: #"{"model": "prod-model", "version": "1", "alias": "production"}"#)
            let request = try #require(approval.body.dictionary("approval")?.string("id"), "\(approval.text)")
            try await team.refused(
                "rita", .post, "/api/v1/approvals/\(request)/decisions", json: #"{"decision": "approve"}"#, status: .conflict, code: "DATA_LOSS",
                "'model.pkl' changed")
            try await team.refused(
                "carol", .get, "/api/2.0/mlflow/model-versions/get-download-uri?name=prod-model&version=1", status: .conflict, code: "DATA_LOSS",
                "no longer matches what was registered (\(digest))")
            let checks = try await team.audited("model_version.integrity")
            #expect(checks.map { $0.details["during"] ?? "" } == ["approval.approve", "download"])
            #expect(checks.allSatisfy { $0.outcome == .refused && $0.systemID == system && $0.details["registered_digest"] == digest })
            #expect(try await team.services.count("approval_decisions") == 0)
            // Put back as registered, the version verifies again.
            try Data("weights v1".utf8).write(to: URL(fileURLWithPath: file))
            let uri = try await team.call("carol", .get, "/api/2.0/mlflow/model-versions/get-download-uri?name=prod-model&version=1")
            #expect(uri.body.string("artifact_uri") == "mlflow-artifacts:/\(folder)/model", "\(uri.text)")
            let approved = try await team.call("rita", .post, "/api/v1/approvals/\(request)/decisions", json: #"{"decision": "approve"}"#)
            #expect(approved.status == .ok, "\(approved.text)")
            #expect(try await team.audited("approval.approve").last?.details["content_digest"] == digest)

            // A promotion checks the files too, after every control holds.
            try await team.call("carol", .patch, "/api/v1/models/prod-model/versions/1/card", json: #"{"intended_use": "credit decisions"}"#)
            try await team.services.monitor(systemID: system, actor: .user("rita", role: .reviewer))
            try Data("tampered again".utf8).write(to: URL(fileURLWithPath: file))
            let promote = #"{"name": "prod-model", "alias": "production", "version": "1"}"#
            try await team.refused(
                "carol", .post, "/api/2.0/mlflow/registered-models/alias", json: promote, status: .conflict, code: "DATA_LOSS", "'model.pkl' changed")
            try Data("weights v1".utf8).write(to: URL(fileURLWithPath: file))
            #expect(try await team.call("carol", .post, "/api/2.0/mlflow/registered-models/alias", json: promote).status == .ok)
            let promotion = try #require(try await team.audited("promotion").last)
            #expect(promotion.outcome == .allowed && promotion.details["content_digest"] == digest)
            #expect(try await team.audited("model_version.integrity").map { $0.details["during"] ?? "" }.last == "promotion")

            // A prompt's template is its content.
            try await team.call(
                "carol", .post, "/api/2.0/mlflow/registered-models/create",
                json: #"{"name": "qa", "tags": [{"key": "mlflow.prompt.is_prompt", "value": "true"}]}"#)
            try await team.call(
                "carol", .post, "/api/2.0/mlflow/model-versions/create",
                json: #"""
                    {"name": "qa", "source": "prompt-template", "tags": [{"key": "mlflow.prompt.text", "value": "Answer {{q}}"},
                     {"key": "_mlflow_prompt_model_config", "value": "{\"temperature\": 0}"}]}
                    """#)
            let promptDigest = try #require(
                try await team.call("vic", .get, "/api/v1/models/qa/versions/1/card").body.dictionary("model_card")?.dictionary("model_details")?
                    .string("content_digest"))
            for (key, value) in [
                ("mlflow.prompt.text", "Leak {{q}}"), ("_mlflow_prompt_model_config", #"{\"temperature\": 2}"#),
                ("_mlflow_prompt_response_format", "{}"),
            ] {
                try await team.refused(
                    "carol", .post, "/api/2.0/mlflow/model-versions/set-tag",
                    json: #"{"name": "qa", "version": "1", "key": "\#(key)", "value": "\#(value)"}"#,
                    status: .forbidden, code: "PERMISSION_DENIED", "immutable once registered")
            }
            try await team.refused(
                "carol", .delete, "/api/2.0/mlflow/model-versions/delete-tag",
                json: #"{"name": "qa", "version": "1", "key": "_mlflow_prompt_model_config"}"#,
                status: .forbidden, code: "PERMISSION_DENIED", "immutable once registered")
            #expect(
                try await team.audited("model_version.tag").map { "\($0.target) \($0.outcome.rawValue)" }
                    == Array(repeating: "model:qa/1 refused", count: 4))
            // The model configuration is part of what the digest covers.
            #expect(promptDigest != ContentManifest(prompt: [Tag("mlflow.prompt.text", "Answer {{q}}")]).digest)
            #expect(
                promptDigest
                    == ContentManifest(prompt: [
                        Tag("mlflow.prompt.text", "Answer {{q}}"), Tag("_mlflow_prompt_model_config", #"{"temperature": 0}"#),
                    ]).digest)
            #expect(
                try await team.call(
                    "carol", .post, "/api/2.0/mlflow/model-versions/set-tag", json: #"{"name": "qa", "version": "1", "key": "k", "value": "v"}"#
                ).status == .ok)
        }
    }

    @Test("An upload still streaming when its folder is registered as a version is refused and leaves nothing", arguments: TestEngine.available)
    func uploadRacingARegistration(engine: TestEngine) async throws {
        try await Team.with(engine) { team in
            let (_, run, folder) = try await team.run(experiment: "slow")
            #expect(try await Self.put(team, "carol", "\(folder)/model/model.pkl", "weights v1") == .ok)
            try await team.call("carol", .post, "/api/2.0/mlflow/registered-models/create", json: #"{"name": "scorer"}"#)
            // The upload's first half arrives, the folder is registered, then the rest arrives.
            let (chunks, feed) = AsyncStream.makeStream(of: ByteBuffer.self)
            let (reads, read) = AsyncStream.makeStream(of: Void.self)
            let observed = chunks.map { chunk -> ByteBuffer in
                read.yield()
                return chunk
            }
            feed.yield(ByteBuffer(string: "evil "))
            let upload = Task {
                try await team.services.artifacts.upload(
                    try ArtifactPath(decoded: "\(folder)/model/model.pkl"), contents: observed, actor: .user("carol", role: .contributor))
            }
            for await _ in reads { break }
            let registered = try await team.call(
                "carol", .post, "/api/2.0/mlflow/model-versions/create",
                json: #"{"name": "scorer", "source": "runs:/\#(run)/model", "run_id": "\#(run)"}"#)
            #expect(registered.status == .ok, "\(registered.text)")
            feed.yield(ByteBuffer(string: "weights"))
            feed.finish()
            await #expect(throws: StewardError.self) { try await upload.value }
            #expect(try await Self.download(team, "\(folder)/model/model.pkl") == "weights v1")
            #expect(try await team.audited("artifact.write").map(\.outcome) == [.refused])
        }
    }

    @Test("A contributor racing a governor's deletion never takes the freed name of a system's model", arguments: TestEngine.available)
    func nameRace(engine: TestEngine) async throws {
        try await Team.with(engine) { team in
            let compliance = Principal.user("cora", role: .compliance)
            let contributor = Principal.user("carol", role: .contributor)
            var taken: [String] = []
            for round in 0..<12 {
                let model = "race-\(round)"
                _ = try await team.system("system-\(round)", model: model)
                async let deletion: Void = team.services.registry.deleteRegisteredModel(name: model, actor: compliance)
                async let creation = Task {
                    try await team.services.registry.createRegisteredModel(name: model, description: nil, tags: [], actor: contributor)
                }.result
                try await deletion
                if case .success = await creation { taken.append(model) }
            }
            #expect(taken.isEmpty, "taken by a contributor: \(taken)")
            #expect(try await team.services.count("reserved_model_names") == 12)
        }
    }

    /// Reads manifests through the artifact store, counting how many it hashed.
    final class CountingReader: ContentReader {
        let inner: ArtifactContentReader
        let hashed = Mutex(0)

        init(inner: ArtifactContentReader) {
            self.inner = inner
        }

        func manifest(of location: String) async throws -> ContentManifest? {
            hashed.withLock { $0 += 1 }
            return try await inner.manifest(of: location)
        }

        func fingerprint(of location: String) async throws -> String? { try await inner.fingerprint(of: location) }
    }

    @Test(
        "A download reuses a check from the last minute while no file changed; approvals always hash again", arguments: TestEngine.available)
    func recentDownloadChecks(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let clock = TestClock()
            let services = TrackingServices(storage, now: { clock.now })
            let contributor = Principal.user("carol", role: .contributor)
            let experiment = try await services.experiments.createExperiment(name: "big", artifactLocation: nil, tags: [])
            let run = try await services.runs.createRun(experimentID: experiment, userID: "carol", runName: nil, startTime: nil, tags: [])
            let folder = try #require(run.info.artifactURI.split(separator: ":/", maxSplits: 1).last.map(String.init))
            let file = try ArtifactPath(decoded: folder + "/model/model.pkl")
            try await services.artifacts.upload(file, contents: [ByteBuffer(string: "weights")].async, actor: contributor)
            _ = try await services.registry.createRegisteredModel(name: "big", description: nil, tags: [], actor: contributor)
            let version = try await services.registry.createModelVersion(
                name: "big", source: "runs:/\(run.info.runID)/model", runID: run.info.runID, modelID: nil, runLink: nil, description: nil,
                tags: [], actor: "carol")
            let reader = CountingReader(inner: ArtifactContentReader(store: storage.artifacts))
            let integrity = ContentIntegrity(
                registry: SQLModelRegistryRepository(database: storage.database), reader: reader,
                audit: SQLAuditRepository(database: storage.database), now: { clock.now })
            func download() async throws -> String? {
                try await integrity.verify(version, actor: contributor, action: "download", systemID: nil, reusingRecent: true)
            }
            let digest = try await download()
            clock.advance(59_000)
            #expect(try await download() == digest && reader.hashed.withLock { $0 } == 1, "reused")
            _ = try await integrity.verify(version, actor: contributor, action: "approval.approve", systemID: nil)
            #expect(reader.hashed.withLock { $0 } == 2, "an approval hashes again")
            clock.advance(2_000)
            #expect(try await download() == digest && reader.hashed.withLock { $0 } == 3, "older than a minute: hashed again")

            // Changed on disk, even to the same size, the files are hashed again at once and the change is refused.
            let root = try #require(storage.artifacts as? LocalArtifactStore).root
            try Data("changed".utf8).write(to: URL(fileURLWithPath: root + "/" + file.string))
            await #expect(throws: StewardError.self) { try await download() }
            await #expect(throws: StewardError.self) { try await download() }
            #expect(reader.hashed.withLock { $0 } == 5)
            try Data("weights".utf8).write(to: URL(fileURLWithPath: root + "/" + file.string))
            #expect(try await download() == digest)
        }
    }

    @Test("A finished logged model's artifacts are immutable and it stays finished", arguments: TestEngine.available)
    func finishedLoggedModels(engine: TestEngine) async throws {
        try await Team.with(engine) { team in
            let id = try #require(
                try await team.call("carol", .post, "/api/2.0/mlflow/experiments/create", json: #"{"name": "lm"}"#).body.string("experiment_id"))
            let model = try #require(
                try await team.call("carol", .post, "/api/2.0/mlflow/logged-models", json: #"{"experiment_id": "\#(id)", "name": "m"}"#).body
                    .dictionary("model")?.dictionary("info")?.string("model_id"))
            let folder = "\(id)/models/\(model)/artifacts"
            #expect(try await Self.put(team, "carol", "\(folder)/model.skops", "weights") == .ok)
            let finished = try await team.call(
                "carol", .patch, "/api/2.0/mlflow/logged-models/\(model)", json: #"{"model_id": "\#(model)", "status": "LOGGED_MODEL_READY"}"#)
            #expect(finished.status == .ok, "\(finished.text)")
            #expect(try await Self.put(team, "carol", "\(folder)/model.skops", "other") == .forbidden)
            #expect(try await Self.put(team, "carol", "\(folder)/extra.txt", "more") == .forbidden)
            #expect(try await team.call("carol", .delete, "/api/2.0/mlflow-artifacts/artifacts/\(folder)/model.skops").status == .forbidden)
            try await team.refused(
                "carol", .patch, "/api/2.0/mlflow/logged-models/\(model)",
                json: #"{"model_id": "\#(model)", "status": "LOGGED_MODEL_UPLOAD_FAILED"}"#,
                status: .badRequest, code: "INVALID_PARAMETER_VALUE", "is finished")
            #expect(try await Self.download(team, "\(folder)/model.skops") == "weights")
            #expect(try await team.audited("artifact.write").allSatisfy { $0.target == "logged_model:\(model)" && $0.outcome == .refused })
        }
    }

    @Test("Registered test sets are out of the artifact routes' reach; one changed on disk is a DATA_LOSS refusal", arguments: TestEngine.available)
    func internalFiles(engine: TestEngine) async throws {
        try await Team.with(engine) { team in
            let system = try await team.system("scoring", model: "scorer")
            let body = "label,score\n1,0.9\n0,0.2\n1,0.7\n0,0.4\n"
            let uploaded = try await team.call("carol", .post, "/api/v1/systems/\(system)/datasets?name=holdout", body: ByteBuffer(string: body))
            let digest = try #require(uploaded.body.dictionary("dataset")?.string("digest"), "\(uploaded.text)")
            // What the artifact routes reach is another folder: writing or deleting there leaves the test set alone.
            #expect(try await Self.put(team, "carol", "datasets/\(digest).csv", "label,score\n0,1\n") == .ok)
            #expect(try await team.call("carol", .delete, "/api/2.0/mlflow-artifacts/artifacts/datasets/\(digest).csv").status == .ok)
            let evaluate = "/api/v1/evaluations?system=\(system)&model=scorer&version=1&task=binary&label=label&score=score&dataset=holdout"
            let evaluation = try await team.call("carol", .post, evaluate)
            #expect(evaluation.status == .created, "\(evaluation.text)")
            #expect(evaluation.body.dictionary("evaluation")?.string("dataset_digest") == digest)

            let files = try #require(team.services.storage.files as? LocalArtifactStore).root
            try Data("label,score\n1,0.1\n".utf8).write(to: URL(fileURLWithPath: files + "/datasets/\(digest).csv"))
            try await team.refused("carol", .post, evaluate, status: .conflict, code: "DATA_LOSS", "no longer matches the digest")
            try FileManager.default.removeItem(atPath: files + "/datasets/\(digest).csv")
            try await team.refused("carol", .post, evaluate, status: .conflict, code: "DATA_LOSS", "the file is gone")
            let checks = try await team.audited("dataset.integrity")
            #expect(checks.count == 2 && checks.allSatisfy { $0.outcome == .refused && $0.systemID == system })
            #expect(try await team.services.count("evaluations") == 1)
            // Uploading the same content again puts the file back, changed or gone.
            try Data("label,score\n1,0.1\n".utf8).write(to: URL(fileURLWithPath: files + "/datasets/\(digest).csv"))
            try await team.call("carol", .post, "/api/v1/systems/\(system)/datasets?name=holdout", body: ByteBuffer(string: body))
            #expect(try await team.call("carol", .post, evaluate).status == .created)
            #expect(try await team.services.count("evaluations") == 2)
        }
    }

    @Test(
        "An evaluation over numbers that overflow records undefined metrics, never NaN, and every finished evaluation run has its record",
        arguments: TestEngine.available)
    func overflowingEvaluation(engine: TestEngine) async throws {
        try await Team.with(engine) { team in
            let system = try await team.system("pricing", model: "scorer")
            let body = "y,prediction\n1e308,-1e308\n-1e308,1e308\n1,2\n"
            let uploaded = try await team.call("carol", .post, "/api/v1/systems/\(system)/datasets?name=extreme", body: ByteBuffer(string: body))
            #expect(uploaded.status == .created, "\(uploaded.text)")
            let evaluation = try await team.call(
                "carol", .post,
                "/api/v1/evaluations?system=\(system)&model=scorer&version=1&task=regression&label=y&prediction=prediction&dataset=extreme")
            #expect(evaluation.status == .created, "\(evaluation.text)")
            #expect(evaluation.text.contains("overflowed"), "\(evaluation.text)")
            #expect(!evaluation.text.contains("NaN") && !evaluation.text.contains("nan"), "\(evaluation.text)")
            #expect(try await team.services.count("evaluations") == 1)
            let orphans = try await team.services.storage.database.read { db in
                try await db.raw(
                    """
                    SELECT COUNT(*) AS n FROM runs WHERE name LIKE 'eval-%' AND (status <> 'FINISHED' OR lifecycle_stage <> 'active'
                        OR run_uuid NOT IN (SELECT run_id FROM evaluations))
                    """
                ).first()?.decode(column: "n", as: Int64.self) ?? -1
            }
            #expect(orphans == 0)
        }
    }

    @Test("Test sets kept among the artifacts by an earlier version move to Steward's own folder once, when it is created")
    func legacyTestSetsMove() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("steward-legacy-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let legacy = folder + "/artifacts/datasets/"
        func write(_ text: String, _ name: String) throws {
            try Data(text.utf8).write(to: URL(fileURLWithPath: legacy + name))
        }
        let name = SHA256Digest.hex(of: Data("label\n1\n".utf8)) + ".csv"
        let posing = String(repeating: "ab", count: 32) + ".csv"
        try FileManager.default.createDirectory(atPath: legacy, withIntermediateDirectories: true)
        try write("label\n1\n", name)
        try write("label\n0\n", posing)
        try write("mine", "notes.txt")
        func open() async throws {
            let storage = try await StewardStorage.open(dataDirectory: folder, logger: TestStorage.logger)
            try await storage.whileRunning(logger: TestStorage.logger) { _ in }
        }
        try await open()
        #expect(FileManager.default.contents(atPath: folder + "/files/datasets/" + name) == Data("label\n1\n".utf8))
        #expect(!FileManager.default.fileExists(atPath: legacy + name))
        #expect(FileManager.default.fileExists(atPath: legacy + "notes.txt"), "what is not a test set stays")
        #expect(!FileManager.default.fileExists(atPath: folder + "/files/datasets/" + posing), "a name its content does not hash to stays")
        // Written through the artifact routes later, a file named like a test set stays where it was written.
        let later = SHA256Digest.hex(of: Data("label\n2\n".utf8)) + ".csv"
        try write("label\n2\n", later)
        try await open()
        #expect(
            FileManager.default.fileExists(atPath: legacy + later) && !FileManager.default.fileExists(atPath: folder + "/files/datasets/" + later))
    }

    @Test("A rename or a deletion never makes a protected alias resolve to another model", arguments: TestEngine.available)
    func governedNames(engine: TestEngine) async throws {
        try await Team.with(engine) { team in
            let reviewer = Principal.user("rita", role: .reviewer)
            let credit = try await team.system("credit", model: "prod-model")
            let toys = try await team.system("toys", model: "evil")
            for (system, model) in [(credit, "prod-model"), (toys, "evil")] {
                try await team.call("carol", .patch, "/api/v1/models/\(model)/versions/1/card", json: #"{"intended_use": "scoring"}"#)
                try await team.services.monitor(systemID: system, actor: reviewer)
                let promoted = try await team.call(
                    "carol", .post, "/api/2.0/mlflow/registered-models/alias", json: #"{"name": "\#(model)", "alias": "production", "version": "1"}"#)
                #expect(promoted.status == .ok, "\(promoted.text)")
            }
            func productionRun() async throws -> String? {
                try await team.call("vic", .get, "/api/2.0/mlflow/registered-models/alias?name=prod-model&alias=production").body
                    .dictionary("model_version")?.string("run_id")
            }
            let served = try #require(try await productionRun())
            let rename = "/api/2.0/mlflow/registered-models/rename"
            // The attack: move the reviewed model away and the other one into its name.
            try await team.refused(
                "carol", .post, rename, json: #"{"name": "prod-model", "new_name": "prod-model-old"}"#, status: .forbidden, code: "PERMISSION_DENIED",
                "holds the protected alias 'production'")
            try await team.refused(
                "carol", .post, rename, json: #"{"name": "evil", "new_name": "prod-model-2"}"#, status: .forbidden, code: "PERMISSION_DENIED",
                "without a promotion")
            try await team.refused(
                "carol", .delete, "/api/2.0/mlflow/registered-models/delete", json: #"{"name": "prod-model"}"#, status: .forbidden,
                code: "PERMISSION_DENIED", "holds the protected alias")
            try await team.refused(
                "carol", .delete, "/api/2.0/mlflow/model-versions/delete", json: #"{"name": "prod-model", "version": "1"}"#, status: .forbidden,
                code: "PERMISSION_DENIED", "holds the protected alias 'production'")
            // Taking a model out of production is a reviewer's decision; released (audited), a model of a system is still
            // renamed or deleted only by compliance or an admin.
            let release = #"{"name": "evil", "alias": "production"}"#
            try await team.refused(
                "carol", .delete, "/api/2.0/mlflow/registered-models/alias", json: release, status: .forbidden, code: "PERMISSION_DENIED",
                "reviewer")
            #expect(try await team.call("rita", .delete, "/api/2.0/mlflow/registered-models/alias", json: release).status == .ok)
            try await team.refused(
                "carol", .post, rename, json: #"{"name": "evil", "new_name": "prod-model-2"}"#, status: .forbidden, code: "PERMISSION_DENIED",
                "compliance or admin")
            try await team.refused(
                "carol", .delete, "/api/2.0/mlflow/registered-models/delete", json: #"{"name": "evil"}"#, status: .forbidden,
                code: "PERMISSION_DENIED", "compliance or admin")
            #expect(try await productionRun() == served, "models:/prod-model@production still serves the reviewed version")

            // Compliance moves the reviewed model aside; its old name stays reserved for the system that held it.
            #expect(
                try await team.call(
                    "cora", .delete, "/api/2.0/mlflow/registered-models/alias", json: #"{"name": "prod-model", "alias": "production"}"#
                ).status == .ok)
            #expect(try await team.call("cora", .post, rename, json: #"{"name": "prod-model", "new_name": "prod-model-old"}"#).status == .ok)
            try await team.refused(
                "carol", .post, "/api/2.0/mlflow/registered-models/create", json: #"{"name": "prod-model"}"#, status: .forbidden,
                code: "PERMISSION_DENIED", "take the name of a model that belonged to an AI system")
            try await team.call("carol", .post, "/api/2.0/mlflow/registered-models/create", json: #"{"name": "loose"}"#)
            try await team.refused(
                "carol", .post, rename, json: #"{"name": "loose", "new_name": "prod-model"}"#, status: .forbidden, code: "PERMISSION_DENIED",
                "take the name")
            #expect(try await team.call("cora", .post, "/api/2.0/mlflow/registered-models/create", json: #"{"name": "prod-model"}"#).status == .ok)
            #expect(try await team.services.register.system(id: credit).components.map(\.name) == ["prod-model-old"], "the link followed the model")

            let decisions =
                (try await team.audited("model.rename")) + (try await team.audited("model.delete")) + (try await team.audited("model.create"))
            #expect(
                decisions.map { "\($0.action) \($0.actor) \($0.outcome.rawValue)" } == [
                    "model.rename carol refused", "model.rename carol refused", "model.rename carol refused", "model.rename cora allowed",
                    "model.rename carol refused", "model.delete carol refused", "model.delete carol refused", "model.create carol refused",
                    "model.create cora allowed",
                ])
            #expect(try await team.audited("model_version.delete").map(\.outcome) == [.refused])
        }
    }

    @Test(
        "Controls read what Steward observes; the register never says all is met while a protected target would refuse",
        arguments: TestEngine.available)
    func observedControls(engine: TestEngine) async throws {
        try await Team.with(engine) { team in
            let system = try await team.system("churn", model: "churn", questionnaire: #"{"customer_facing": true}"#)
            func controls(_ query: String = "") async throws -> [String: JSONBody] {
                let answer = try await team.call("vic", .get, "/api/v1/systems/\(system)/controls?model=churn&version=1\(query)")
                return Dictionary(uniqueKeysWithValues: answer.body.array("controls").map { ($0.string("name") ?? "", $0) })
            }
            #expect(try await controls()["monitoring_configured"]?.string("detail") == "observed: no reference profile, no alert rules")
            #expect(try await controls()["monitoring_configured"]?.string("basis") == "monitoring")
            try await team.refused(
                "carol", .post, "/api/v1/systems/\(system)/evidence", json: #"{"type": "monitoring", "reference": "dashboards/churn"}"#,
                status: .badRequest, code: "INVALID_PARAMETER_VALUE", "monitoring is observed")
            try await team.services.monitor(systemID: system, actor: .user("rita", role: .reviewer))
            let monitored = try #require(try await controls()["monitoring_configured"])
            #expect(
                monitored["satisfied"] as? Bool == true && monitored.string("detail") == "observed: reference profile v1 (training@v1), 1 alert rule")

            // A card edit is audited: it is what the model_card control reads.
            try await team.call("carol", .patch, "/api/v1/models/churn/versions/1/card", json: #"{"intended_use": "retention offers"}"#)
            #expect(
                try await team.audited("model_card.update").map { "\($0.actor) \($0.systemID ?? "") \($0.details["intended_use"] ?? "")" } == [
                    "carol \(system) retention offers"
                ])

            // The gate reads a real evaluation; the register shows it as the last evaluation.
            try await team.call("rita", .put, "/api/v1/systems/\(system)/gate", body: ByteBuffer(string: "conditions: ['roc_auc >= 0.5']"))
            let rows = "label,score\n1,0.9\n0,0.2\n1,0.7\n0,0.4\n"
            let evaluation = try await team.call(
                "carol", .post, "/api/v1/evaluations?system=\(system)&model=churn&version=1&task=binary&label=label&score=score",
                body: ByteBuffer(string: rows))
            let evaluationID = try #require(evaluation.body.dictionary("evaluation")?.string("id"), "\(evaluation.text)")
            #expect(try await controls()["evaluation_gate_passed"]?.string("detail")?.hasPrefix("evaluation \(evaluationID)") == true)
            // A first release has no champion to stage it against; what is observed says so, no record is posted.
            #expect(try await controls()["staged_rollout"]?.string("detail")?.contains("first release") == true)

            // Approved for production only: production is clear, champion is not, and the register says so.
            let approval = try await team.call(
                "carol", .post, "/api/v1/systems/\(system)/approvals", json: #"{"model": "churn", "version": "1", "alias": "production"}"#)
            let request = try #require(approval.body.dictionary("approval")?.string("id"))
            try await team.call("rita", .post, "/api/v1/approvals/\(request)/decisions", json: #"{"decision": "approve"}"#)
            #expect(try await controls().values.allSatisfy { $0["satisfied"] as? Bool == true })
            #expect(try await controls("&alias=champion")["human_review"]?["satisfied"] as? Bool == false)
            let entry = try #require(try await team.call("vic", .get, "/api/v1/systems/\(system)").body.dictionary("system"))
            #expect(entry["controls_missing"] as? [String] == ["human_review"])
            let targets = entry.array("controls").first?.array("targets") ?? []
            #expect(
                targets.map { "\($0.string("target") ?? ""): \(($0["missing"] as? [String]) ?? [])" } == [
                    "production: []", "champion: [\"human_review\"]",
                ])
            #expect(entry.dictionary("last_evaluation")?.string("id") == evaluationID)
            #expect(entry.dictionary("monitoring")?["monitored"] as? Bool == true)
            let maturity = try #require(entry.dictionary("maturity"))
            #expect(maturity["level"] as? Int == 1 && (maturity["missing"] as? [String])?.contains("a promotion to a protected alias") == true)
            let annex = try await team.call("vic", .get, "/api/v1/systems/\(system)/documentation")
            #expect(annex.body.dictionary("performance_metrics")?.array("content").map { $0.string("id") } == [evaluationID])
            #expect(
                annex.body.dictionary("post_market_monitoring")?.dictionary("content")?.dictionary("monitoring")?["alert_conditions"] as? Int == 1)

            // A prompt of the system is promoted through the same decision, so the register assesses it too; with no
            // version yet, each control says so under the basis it would read.
            try await team.call(
                "carol", .post, "/api/2.0/mlflow/registered-models/create",
                json: #"{"name": "churn-letter", "tags": [{"key": "mlflow.prompt.is_prompt", "value": "true"}]}"#)
            let linked = try await team.call("carol", .post, "/api/v1/systems/\(system)/models", json: #"{"name": "churn-letter", "kind": "prompt"}"#)
            #expect(linked.status == .ok, "\(linked.text)")
            let assessed = try #require(try await team.call("vic", .get, "/api/v1/systems/\(system)").body.dictionary("system"))
            let prompt = try #require(assessed.array("controls").first { $0.string("model") == "churn-letter" }, "\(assessed.object)")
            let evaluations = prompt.array("targets").first?.array("controls") ?? []
            #expect(evaluations.first { $0.string("name") == "monitoring_configured" }?.string("basis") == "monitoring")
            #expect(!evaluations.isEmpty && evaluations.allSatisfy { $0.string("detail") == "the model has no version" })
        }
    }

    @Test("An approval that could never count is refused when asked; requests show where they stand", arguments: TestEngine.available)
    func approvalsThatCanCount(engine: TestEngine) async throws {
        try await Team.with(engine) { team in
            let id = try await team.system("approvals", model: "scorer", questionnaire: #"{"domain": "credit", "personal_data": true}"#)
            // A version registered without a user (as on a server with auth off and no token).
            let experiment = try await team.services.experiments.createExperiment(name: "anonymous", artifactLocation: nil, tags: [])
            let run = try await team.services.runs.createRun(experimentID: experiment, userID: "", runName: nil, startTime: nil, tags: [])
            _ = try await team.services.registry.createModelVersion(
                name: "scorer", source: "runs:/\(run.info.runID)/model", runID: run.info.runID, modelID: nil, runLink: nil, description: nil,
                tags: [], actor: "")
            try await team.refused(
                "carol", .post, "/api/v1/systems/\(id)/approvals", json: #"{"model": "scorer", "version": "2"}"#, status: .forbidden,
                code: "PERMISSION_DENIED", "registered without a user, so no approval of it can count")
            // The register says so as soon as the version is there, with what to do instead.
            let entry = try #require(try await team.call("vic", .get, "/api/v1/systems/\(id)").body.dictionary("system"))
            let review = entry.array("controls").first?.array("targets").first?.array("controls").first { $0.string("name") == "human_review" }
            #expect(review?.string("detail")?.contains("version 2 was registered without a user") == true, "\(entry.object)")
            #expect(review?.string("remedy")?.hasPrefix("register the model again with credentials") == true, "\(entry.object)")
            let asked = try await team.call("carol", .post, "/api/v1/systems/\(id)/approvals", json: #"{"model": "scorer", "version": "1"}"#)
            #expect(asked.status == .created, "\(asked.text)")
            let request = try #require(asked.body.dictionary("approval"), "\(asked.text)")
            #expect(request.string("status") == "pending")
            let requestID = try #require(request.string("id"))
            // The inbox: the reviewer sees what waits on her, the requester what she asked for.
            let waiting = try await team.call("rita", .get, "/api/v1/approvals?status=pending")
            #expect(
                waiting.body.array("approvals").map { [$0.string("id"), "\($0.object["awaits_you"] ?? "")"] } == [[requestID, "1"]], "\(waiting.text)"
            )
            let asker = try await team.call("carol", .get, "/api/v1/approvals")
            #expect(asker.body.array("approvals").map { "\($0.object["awaits_you"] ?? "")" } == ["0"], "\(asker.text)")
            #expect(try await team.call("vic", .get, "/api/v1/approvals?status=pending").body.array("approvals").isEmpty)
            try await team.refused(
                "rita", .get, "/api/v1/approvals?status=open", status: .badRequest, code: "INVALID_PARAMETER_VALUE",
                "status must be pending, approved or rejected")
            #expect(try await team.call("cora", .get, "/api/v1/approvals").body.array("approvals").map { $0.object["awaits_you"] as? Bool } == [true])
            let approved = try await team.call("rita", .post, "/api/v1/approvals/\(requestID)/decisions", json: #"{"decision": "approve"}"#)
            #expect(try await team.call("rita", .get, "/api/v1/approvals?status=pending").body.array("approvals").isEmpty)
            // Decided, it waits on nobody: the compliance officer it waited on before no longer has it.
            #expect(try await team.call("cora", .get, "/api/v1/approvals").body.array("approvals").isEmpty)
            #expect(approved.body.dictionary("approval")?.string("status") == "approved", "\(approved.text)")
            let listed = try await team.call("vic", .get, "/api/v1/systems/\(id)/approvals")
            #expect(listed.body.array("approvals").map { $0.string("status") } == ["approved"], "\(listed.text)")
            // Every time also comes in ISO 8601, nested ones too.
            let listedRequest = try #require(listed.body.array("approvals").first)
            let created = try #require(listedRequest.object["created_at"] as? Int)
            #expect(listedRequest.string("created_at_iso") == EpochClock.iso(Int64(created)), "\(listed.text)")
            let decision = try #require(listedRequest.array("decisions").first)
            #expect(decision.string("decided_at_iso")?.hasSuffix("Z") == true && decision.string("decided_at_iso")?.count == 24, "\(listed.text)")

            // The card shows the system, its tier, the version's controls and approvals, the experiment's name, and
            // the system's purpose where neither the card nor the model states one.
            let described = try await team.call("carol", .patch, "/api/v1/systems/\(id)", json: #"{"purpose": "Scores credit applications"}"#)
            #expect(described.status == .ok, "\(described.text)")
            let card = try #require(try await team.call("vic", .get, "/api/v1/models/scorer/versions/1/card").body.dictionary("model_card"))
            let governance = try #require(card.dictionary("governance"), "\(card.object)")
            #expect(governance.string("system_id") == id && governance.string("risk_tier") == "high" && governance.string("target") == "production")
            #expect(governance.array("approvals").map { $0.string("status") } == ["approved"])
            #expect(governance.array("controls").contains { $0.string("name") == "human_review" && $0.object["satisfied"] as? Bool == true })
            #expect(card.dictionary("model_details")?.string("purpose") == "Scores credit applications", "\(card.object)")
            #expect(card.dictionary("lineage")?.string("experiment_name") != nil, "\(card.object)")
            let markdown = try await team.call("vic", .get, "/api/v1/models/scorer/versions/1/card?format=markdown").text
            #expect(markdown.contains("## Governance\n- **AI system:** approvals (\(id)), high risk"), "\(markdown)")
            #expect(markdown.contains("for production, asked by carol: approved, approved by rita (reviewer)"), "\(markdown)")
        }
    }
}
