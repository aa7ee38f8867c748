import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StewardCore
import StewardServer
import StewardTestSupport
import Testing

/// MLflow registry routes and Steward's model card, history and prompt-rendering routes over HTTP.
@Suite("Registry routes")
struct RegistryRouteTests {
    static let api = "/api/2.0/mlflow"

    /// A run with a logged model, as `mlflow.sklearn.log_model` leaves them; returns (experiment, run, model id).
    static func trainedModel(_ client: any TestClientProtocol) async throws -> (String, String, String) {
        let experiment = try #require(
            try await client.call(.post, "\(api)/experiments/create", json: #"{"name": "training"}"#).body.string("experiment_id"))
        let run = try #require(
            try await client.call(.post, "\(api)/runs/create", json: #"{"experiment_id": "\#(experiment)"}"#).body.dictionary("run")?.dictionary(
                "info")?
                .string("run_id"))
        try await client.call(
            .post, "\(api)/runs/log-batch",
            json: #"""
                {"run_id": "\#(run)", "params": [{"key": "C", "value": "0.5"}, {"key": "solver", "value": "lbfgs"}],
                 "metrics": [{"key": "accuracy", "value": 0.93, "timestamp": 1, "step": 0}]}
                """#)
        try await client.call(
            .post, "\(api)/runs/log-inputs",
            json: #"""
                {"run_id": "\#(run)", "datasets": [{"dataset": {"name": "transactions", "digest": "9f8e7d", "source_type": "local",
                 "source": "{\"uri\": \"/data/tx.parquet\"}"}, "tags": [{"key": "mlflow.data.context", "value": "training"}]}]}
                """#)
        let model = try #require(
            try await client.call(
                .post, "\(api)/logged-models", json: #"{"experiment_id": "\#(experiment)", "name": "model", "source_run_id": "\#(run)"}"#
            ).body.dictionary("model")?.dictionary("info")?.string("model_id"))
        return (experiment, run, model)
    }

    @Test("Registration, versions, aliases, stages and tags answer in MLflow's shapes", arguments: TestEngine.available)
    func registryFlow(engine: TestEngine) async throws {
        try await withApplication(engine) { client, _ in
            let (_, run, model) = try await Self.trainedModel(client)
            let created = try await client.call(
                .post, "\(Self.api)/registered-models/create", json: #"{"name": "fraud", "description": "Flags fraud"}"#)
            #expect(created.status == .ok)
            let registered = try #require(created.body.dictionary("registered_model"))
            #expect(registered.string("name") == "fraud" && registered.string("description") == "Flags fraud")
            #expect(registered["creation_timestamp"] is NSNumber && registered["user_id"] == nil)
            try await client.expectError(
                .post, "\(Self.api)/registered-models/create", json: #"{"name": "fraud"}"#, status: .badRequest, code: "RESOURCE_ALREADY_EXISTS")

            let version = try await client.call(
                .post, "\(Self.api)/model-versions/create", json: #"{"name": "fraud", "source": "models:/\#(model)", "model_id": "\#(model)"}"#)
            let body = try #require(version.body.dictionary("model_version"))
            #expect(body.string("version") == "1" && body.string("status") == "READY" && body.string("current_stage") == "None")
            #expect(body.string("run_id") == run && body.string("source") == "models:/\(model)" && body.string("description") == "")
            let uri = try await client.call(.get, "\(Self.api)/model-versions/get-download-uri?name=fraud&version=1")
            #expect(uri.body.string("artifact_uri")?.hasSuffix("/models/\(model)/artifacts") == true)

            #expect(
                try await client.call(.post, "\(Self.api)/registered-models/alias", json: #"{"name": "fraud", "alias": "best", "version": "1"}"#)
                    .status == .ok)
            let byAlias = try await client.call(.get, "\(Self.api)/registered-models/alias?name=fraud&alias=best")
            #expect(byAlias.body.dictionary("model_version")?.string("version") == "1")
            #expect((byAlias.body.dictionary("model_version")?["aliases"] as? [String]) == ["best"])
            try await client.expectError(
                .get, "\(Self.api)/registered-models/alias?name=fraud&alias=nope", status: .badRequest, code: "INVALID_PARAMETER_VALUE",
                messageContains: "Registered model alias nope not found.")
            try await client.expectError(
                .post, "\(Self.api)/registered-models/alias", json: #"{"name": "fraud", "alias": "v1", "version": "1"}"#, status: .badRequest,
                code: "INVALID_PARAMETER_VALUE", messageContains: "reserved")
            try await client.expectError(
                .post, "\(Self.api)/registered-models/alias", json: #"{"name": "fraud", "alias": "x", "version": "one"}"#, status: .badRequest,
                code: "INVALID_PARAMETER_VALUE", messageContains: "Parameter 'version' must be an integer")
            #expect(
                try await client.call(.delete, "\(Self.api)/registered-models/alias", json: #"{"name": "fraud", "alias": "absent"}"#).status == .ok)

            let moved = try await client.call(
                .post, "\(Self.api)/model-versions/transition-stage",
                json: #"{"name": "fraud", "version": "1", "stage": "staging", "archive_existing_versions": false}"#)
            #expect(moved.body.dictionary("model_version")?.string("current_stage") == "Staging")
            try await client.expectError(
                .post, "\(Self.api)/model-versions/transition-stage", json: #"{"name": "fraud", "version": "1", "stage": "live"}"#,
                status: .badRequest, code: "INVALID_PARAMETER_VALUE", messageContains: "Invalid Model Version stage: live")
            let latest = try await client.call(.post, "\(Self.api)/registered-models/get-latest-versions", json: #"{"name": "fraud"}"#)
            #expect(latest.body.array("model_versions").map { $0.string("current_stage") } == ["Staging"])

            #expect(
                try await client.call(.post, "\(Self.api)/registered-models/set-tag", json: #"{"name": "fraud", "key": "team", "value": "risk"}"#)
                    .status == .ok)
            #expect(
                try await client.call(
                    .post, "\(Self.api)/model-versions/set-tag", json: #"{"name": "fraud", "version": "1", "key": "validated", "value": "yes"}"#
                ).status == .ok)
            let fetched = try #require(
                try await client.call(.get, "\(Self.api)/registered-models/get?name=fraud").body.dictionary("registered_model"))
            #expect(fetched.array("tags").map { $0.string("key") } == ["team"])
            #expect(fetched.array("aliases").map { "\($0.string("alias") ?? "")=\($0.string("version") ?? "")" } == ["best=1"])
            #expect(fetched.array("latest_versions").first?.array("tags").first?.string("value") == "yes")

            let search = try await client.call(.get, "\(Self.api)/model-versions/search?filter=" + "run_id IN ('\(run)')".formEncoded)
            #expect(search.body.array("model_versions").map { $0.string("version") } == ["1"])
            let models = try await client.call(
                .post, "\(Self.api)/registered-models/search", json: #"{"filter": "name LIKE 'fr%'", "max_results": 5}"#)
            #expect(models.body.array("registered_models").map { $0.string("name") } == ["fraud"])
            try await client.expectError(
                .get, "\(Self.api)/registered-models/search?filter=" + "bogus = 1".formEncoded, status: .badRequest, code: "INVALID_PARAMETER_VALUE")

            let renamed = try await client.call(.post, "\(Self.api)/registered-models/rename", json: #"{"name": "fraud", "new_name": "fraud-v2"}"#)
            #expect(renamed.body.dictionary("registered_model")?.string("name") == "fraud-v2")
            #expect(try await client.call(.delete, "\(Self.api)/model-versions/delete", json: #"{"name": "fraud-v2", "version": "1"}"#).status == .ok)
            try await client.expectError(
                .get, "\(Self.api)/model-versions/get?name=fraud-v2&version=1", status: .notFound, code: "RESOURCE_DOES_NOT_EXIST",
                messageContains: "Model Version (name=fraud-v2, version=1) not found")
            #expect(try await client.call(.delete, "\(Self.api)/registered-models/delete", json: #"{"name": "fraud-v2"}"#).status == .ok)
            try await client.expectError(
                .get, "\(Self.api)/registered-models/get?name=fraud-v2", status: .notFound, code: "RESOURCE_DOES_NOT_EXIST")
        }
    }

    @Test("Traversal and SSRF sources are refused with INVALID_PARAMETER_VALUE and create nothing", arguments: TestEngine.available)
    func refusedSources(engine: TestEngine) async throws {
        try await withApplication(engine) { client, services in
            let (experiment, run, _) = try await Self.trainedModel(client)
            try await client.call(.post, "\(Self.api)/registered-models/create", json: #"{"name": "m"}"#)
            let sources = [
                "file:///etc/passwd", "/etc/passwd", "..%2F..%2Fetc%2Fpasswd", "http://127.0.0.1:22/", "https://169.254.169.254/latest",
                "runs:/\(run)/../../../../etc", "runs:/\(run)/%2E%2E%2F%2E%2E%2Fetc", "runs:/\(run)/%25252e%25252e/etc",
                "mlflow-artifacts:/\(experiment)/\(run)/artifacts/%2e%2e/%2e%2e/%2e%2e", "mlflow-artifacts://attacker.example/x",
                "runs:/\(run)/a\\\\..\\\\..", "s3://other-bucket/model",
            ]
            for source in sources {
                let escaped = source.replacingOccurrences(of: "\\", with: "\\\\")
                try await client.expectError(
                    .post, "\(Self.api)/model-versions/create", json: #"{"name": "m", "source": "\#(escaped)", "run_id": "\#(run)"}"#,
                    status: .badRequest, code: "INVALID_PARAMETER_VALUE")
                try await client.expectError(
                    .post, "\(Self.api)/model-versions/create",
                    json: #"{"name": "m", "source": "\#(escaped)", "tags": [{"key": "mlflow.prompt.is_prompt", "value": "true"}]}"#,
                    status: .badRequest, code: "INVALID_PARAMETER_VALUE")
            }
            #expect(try await services.count("model_versions") == 0)
            #expect(try await services.count("registry_events") == 0)
        }
    }

    @Test("The model card comes as JSON, Markdown or HTML, takes edits, and shows run, data, metrics and aliases", arguments: TestEngine.available)
    func modelCard(engine: TestEngine) async throws {
        try await withApplication(engine) { client, _ in
            let (_, run, model) = try await Self.trainedModel(client)
            try await client.call(.post, "\(Self.api)/registered-models/create", json: #"{"name": "fraud", "description": "Flags card fraud"}"#)
            try await client.call(.post, "\(Self.api)/model-versions/create", json: #"{"name": "fraud", "source": "models:/\#(model)"}"#)
            try await client.call(.post, "\(Self.api)/registered-models/alias", json: #"{"name": "fraud", "alias": "best", "version": "1"}"#)

            let edited = try await client.call(
                .patch, "/api/v1/models/fraud/versions/1/card",
                json: #"{"limitations": "Not for <b>wire</b> transfers", "owners": ["ana", "li"], "intended_use": "Card payments"}"#)
            #expect(edited.status == .ok)
            let card = try #require(edited.body.dictionary("model_card"))
            #expect(card.dictionary("model_details")?.string("purpose") == "Flags card fraud")
            #expect(card.dictionary("model_details")?.array("owners").map { $0.string("name") } == ["ana", "li"])
            let parameters = try #require(card.dictionary("model_parameters"))
            #expect(parameters.array("hyperparameters").map { "\($0.string("key") ?? "")=\($0.string("value") ?? "")" } == ["C=0.5", "solver=lbfgs"])
            #expect(parameters.array("data").first?.string("digest") == "9f8e7d")
            #expect(parameters.array("data").first?.string("context") == "training")
            let metrics = card.dictionary("quantitative_analysis")?.array("performance_metrics") ?? []
            #expect(metrics.map { $0.string("type") } == ["accuracy"])
            #expect(card.dictionary("considerations")?.string("limitations") == "Not for <b>wire</b> transfers")
            #expect((card.dictionary("deployment")?["aliases"] as? [String]) == ["best"])
            #expect(card.dictionary("lineage")?.string("run_id") == run && card.dictionary("lineage")?.string("logged_model_id") == model)
            try await client.expectError(
                .patch, "/api/v1/models/fraud/versions/1/card", json: #"{"limitations": 3}"#, status: .badRequest, code: "INVALID_PARAMETER_VALUE")
            try await client.expectError(
                .patch, "/api/v1/models/fraud/versions/1/card", json: #"{"colour": "red"}"#, status: .badRequest, code: "INVALID_PARAMETER_VALUE")
            try await client.expectError(
                .patch, "/api/v1/models/fraud/versions/1/card", json: #"{"intended_uses": "x"}"#, status: .badRequest,
                code: "INVALID_PARAMETER_VALUE", messageContains: "Unknown field 'intended_uses': did you mean 'intended_use'?")

            let markdown = try await client.execute(uri: "/api/v1/models/fraud/versions/1/card?format=markdown", method: .get) { response in
                (response.headers[.contentType], String(buffer: response.body))
            }
            #expect(markdown.0?.hasPrefix("text/markdown") == true)
            #expect(markdown.1.contains("# Model card: fraud version 1") && markdown.1.contains("| C | 0.5 |") && markdown.1.contains("9f8e7d"))
            let html = try await client.execute(uri: "/api/v1/models/fraud/versions/1/card", method: .get, headers: [.accept: "text/html"]) {
                response in
                (response.headers[.contentType], response.headers[HTTPField.Name("Content-Security-Policy")!], String(buffer: response.body))
            }
            #expect(html.0?.hasPrefix("text/html") == true && html.1?.contains("default-src 'none'") == true)
            #expect(html.2.contains("Not for &lt;b&gt;wire&lt;/b&gt; transfers") && !html.2.contains("<b>wire"))
            try await client.expectError(
                .get, "/api/v1/models/fraud/versions/1/card?format=pdf", status: .badRequest, code: "INVALID_PARAMETER_VALUE")
            try await client.expectError(.get, "/api/v1/models/fraud/versions/9/card", status: .notFound, code: "RESOURCE_DOES_NOT_EXIST")
            try await client.expectError(.get, "/api/v1/models/nope/versions/1/card", status: .notFound, code: "RESOURCE_DOES_NOT_EXIST")
        }
    }

    @Test("History records who moved which alias and stage, from what to what", arguments: TestEngine.available)
    func history(engine: TestEngine) async throws {
        try await withApplication(engine) { client, _ in
            let (_, run, _) = try await Self.trainedModel(client)
            let ana: HTTPFields = [.contentType: "application/json", .authorization: "Basic " + Data("ana:secret".utf8).base64EncodedString()]
            func post(_ path: String, _ json: String, headers: HTTPFields = [.contentType: "application/json"]) async throws {
                let status = try await client.execute(uri: "\(Self.api)/\(path)", method: .post, headers: headers, body: ByteBuffer(string: json)) {
                    $0.status
                }
                #expect(status == .ok, "\(path) \(json)")
            }
            try await post("registered-models/create", #"{"name": "m"}"#)
            for _ in 1...2 { try await post("model-versions/create", #"{"name": "m", "source": "runs:/\#(run)/model", "run_id": "\#(run)"}"#) }
            try await post("registered-models/alias", #"{"name": "m", "alias": "prod", "version": "1"}"#, headers: ana)
            try await post("registered-models/alias", #"{"name": "m", "alias": "prod", "version": "2"}"#)
            try await post(
                "model-versions/transition-stage", #"{"name": "m", "version": "2", "stage": "Staging", "archive_existing_versions": true}"#,
                headers: ana)
            let events = try await client.call(.get, "/api/v1/models/m/history").body.array("events")
            let moves = events.filter { $0.string("kind") != "version_created" }.map {
                [$0.string("kind"), $0.string("alias"), $0.string("version"), $0.string("from_version"), $0.string("to_stage"), $0.string("actor")]
                    .map { $0 ?? "-" }.joined(separator: " ")
            }
            #expect(moves == ["alias_set prod 1 - - ana", "alias_set prod 2 1 - anonymous", "stage_transition - 2 - Staging ana"])
            #expect(events.allSatisfy { $0["time"] is NSNumber })
            let version = try await client.call(.get, "\(Self.api)/model-versions/get?name=m&version=1").body.dictionary("model_version")
            #expect(version?["user_id"] == nil)
            try await client.expectError(.get, "/api/v1/models/none/history", status: .notFound, code: "RESOURCE_DOES_NOT_EXIST")
        }
    }

    @Test("Prompts render with variables; a missing variable or a non-prompt is a 400", arguments: TestEngine.available)
    func renderPrompt(engine: TestEngine) async throws {
        try await withApplication(engine) { client, _ in
            let prompt = #"{"key": "mlflow.prompt.is_prompt", "value": "true"}"#
            try await client.call(.post, "\(Self.api)/registered-models/create", json: #"{"name": "greet", "tags": [\#(prompt)]}"#)
            try await client.call(
                .post, "\(Self.api)/model-versions/create",
                json:
                    #"{"name": "greet", "source": "dummy-source", "tags": [\#(prompt), {"key": "mlflow.prompt.text", "value": "Hello {{ name }}, from {{place}}"}]}"#
            )
            let rendered = try await client.call(.post, "/api/v1/prompts/greet/render", json: #"{"variables": {"name": "Ann", "place": "Oslo"}}"#)
            #expect(rendered.status == .ok)
            #expect(rendered.body.string("text") == "Hello Ann, from Oslo" && rendered.body.string("version") == "1")
            #expect(rendered.body.string("type") == "text")
            try await client.expectError(
                .post, "/api/v1/prompts/greet/render", json: #"{"version": "1", "variables": {"name": "Ann"}}"#, status: .badRequest,
                code: "INVALID_PARAMETER_VALUE", messageContains: "Missing value for prompt variable(s): place.")
            try await client.expectError(
                .post, "/api/v1/prompts/greet/render", json: #"{"alias": "nope", "variables": {}}"#, status: .badRequest,
                code: "INVALID_PARAMETER_VALUE")
            try await client.expectError(
                .post, "/api/v1/prompts/greet/render", json: #"{"variables": {"name": 3}}"#, status: .badRequest, code: "INVALID_PARAMETER_VALUE")
            try await client.expectError(.post, "/api/v1/prompts/absent/render", json: "{}", status: .notFound, code: "RESOURCE_DOES_NOT_EXIST")
        }
    }
}

extension String {
    /// The string percent-encoded for a query value.
    var formEncoded: String {
        addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? self
    }
}
