import Foundation
import Hummingbird
import HummingbirdTesting
import StewardServer
import StewardTestSupport
import Testing

/// MLflow tracking routes over HTTP: wire shapes, GET query decoding, and MLflow errors for every bad request.
@Suite("MLflow tracking routes")
struct TrackingRouteTests {
    @Test("set_experiment's calls: get-by-name 404, create, get", arguments: TestEngine.available)
    func experimentFlow(engine: TestEngine) async throws {
        try await withApplication(engine) { client, _ in
            try await client.expectError(
                .get, "/api/2.0/mlflow/experiments/get-by-name?experiment_name=demo-exp", status: .notFound, code: "RESOURCE_DOES_NOT_EXIST",
                messageContains: "Could not find experiment with name 'demo-exp'")
            let created = try await client.call(
                .post, "/api/2.0/mlflow/experiments/create", json: #"{"name": "demo-exp", "tags": [{"key": "k", "value": "v"}]}"#)
            #expect(created.status == .ok)
            #expect(created.body.string("experiment_id") == "1")
            let fetched = try await client.call(.get, "/api/2.0/mlflow/experiments/get?experiment_id=1")
            let experiment = try #require(fetched.body.dictionary("experiment"))
            #expect(experiment.string("name") == "demo-exp")
            #expect(experiment.string("artifact_location") == "mlflow-artifacts:/1")
            #expect(experiment.string("lifecycle_stage") == "active")
            #expect(experiment["creation_time"] is NSNumber)
            #expect(experiment.array("tags").first?.string("key") == "k")
            let byName = try await client.call(.get, "/ajax-api/2.0/mlflow/experiments/get-by-name?experiment_name=demo-exp")
            #expect(byName.body.dictionary("experiment")?.string("experiment_id") == "1")
            try await client.expectError(
                .post, "/api/2.0/mlflow/experiments/create", json: #"{"name": "demo-exp"}"#, status: .badRequest, code: "RESOURCE_ALREADY_EXISTS")
            let search = try await client.call(.get, "/api/2.0/mlflow/experiments/search?filter=name+LIKE+%27demo%25%27&max_results=10")
            #expect(search.body.array("experiments").map { $0.string("name") } == ["demo-exp"])
            let posted = try await client.call(.post, "/api/2.0/mlflow/experiments/search", json: #"{"max_results": 1, "order_by": ["name DESC"]}"#)
            #expect(posted.body.array("experiments").map { $0.string("name") } == ["demo-exp"])
            #expect(posted.body.string("next_page_token") != nil)
            #expect(
                try await client.call(
                    .post, "/api/2.0/mlflow/experiments/set-experiment-tag", json: #"{"experiment_id": "1", "key": "team", "value": "ml"}"#
                ).status == .ok)
            #expect(
                try await client.call(.post, "/api/2.0/mlflow/experiments/update", json: #"{"experiment_id": "1", "new_name": "renamed"}"#).status
                    == .ok)
            #expect(try await client.call(.post, "/api/2.0/mlflow/experiments/delete", json: #"{"experiment_id": "1"}"#).status == .ok)
            #expect(try await client.call(.post, "/api/2.0/mlflow/experiments/restore", json: #"{"experiment_id": "1"}"#).status == .ok)
            #expect(
                try await client.call(.post, "/api/2.0/mlflow/experiments/delete-experiment-tag", json: #"{"experiment_id": "1", "key": "team"}"#)
                    .status == .ok)
        }
    }

    @Test("A run's life over HTTP: numeric strings accepted, NaN round-trips, run_uuid alias, history and search", arguments: TestEngine.available)
    func runFlow(engine: TestEngine) async throws {
        try await withApplication(engine) { client, _ in
            let created = try await client.call(
                .post, "/api/2.0/mlflow/runs/create",
                json: #"{"experiment_id": "0", "user_id": "root", "start_time": "1700000000000", "tags": [{"key": "mlflow.user", "value": "root"}]}"#)
            #expect(created.status == .ok)
            let info = try #require(created.body.dictionary("run")?.dictionary("info"))
            let runID = try #require(info.string("run_id"))
            #expect(info.string("run_uuid") == runID)
            #expect((info["start_time"] as? NSNumber)?.int64Value == 1_700_000_000_000)
            #expect(info.string("status") == "RUNNING")
            #expect(info.string("artifact_uri") == "mlflow-artifacts:/0/\(runID)/artifacts")
            #expect(info.string("run_name")?.isEmpty == false)

            #expect(
                try await client.call(
                    .post, "/api/2.0/mlflow/runs/log-parameter", json: #"{"run_uuid": "\#(runID)", "key": "alpha", "value": "0.5"}"#
                ).status == .ok)
            #expect(
                try await client.call(
                    .post, "/api/2.0/mlflow/runs/log-metric", json: #"{"run_id": "\#(runID)", "key": "acc", "value": 0.9, "timestamp": 1, "step": 1}"#
                ).status == .ok)
            #expect(
                try await client.call(
                    .post, "/api/2.0/mlflow/runs/log-metric", json: #"{"run_id": "\#(runID)", "key": "bad", "value": "NaN", "timestamp": "2"}"#
                ).status == .ok)
            let batch =
                #"{"run_id": "\#(runID)", "metrics": [{"key": "m1", "value": 1.0, "timestamp": 3, "step": 3}, {"key": "m2", "value": "-Infinity", "timestamp": 3}], "params": [{"key": "a", "value": "1"}], "tags": [{"key": "t1", "value": "v1"}]}"#
            #expect(try await client.call(.post, "/api/2.0/mlflow/runs/log-batch", json: batch).status == .ok)
            #expect(
                try await client.call(.post, "/api/2.0/mlflow/runs/set-tag", json: #"{"run_id": "\#(runID)", "key": "t2", "value": "v2"}"#).status
                    == .ok)
            #expect(try await client.call(.post, "/api/2.0/mlflow/runs/delete-tag", json: #"{"run_id": "\#(runID)", "key": "t2"}"#).status == .ok)
            let inputs =
                #"{"run_id": "\#(runID)", "datasets": [{"tags": [{"key": "mlflow.data.context", "value": "training"}], "dataset": {"name": "train", "digest": "cd5cd803", "source_type": "code", "source": "{}", "schema": "{}", "profile": "{\"num_rows\": 2}"}}]}"#
            #expect(try await client.call(.post, "/api/2.0/mlflow/runs/log-inputs", json: inputs).status == .ok)

            let fetched = try await client.call(.get, "/api/2.0/mlflow/runs/get?run_uuid=\(runID)&run_id=\(runID)")
            let run = try #require(fetched.body.dictionary("run"))
            let metrics = Dictionary(uniqueKeysWithValues: run.dictionary("data")!.array("metrics").map { ($0.string("key")!, $0) })
            #expect(metrics["bad"]?.string("value") == "NaN")
            #expect(metrics["m2"]?.string("value") == "-Infinity")
            #expect((metrics["acc"]?["value"] as? NSNumber)?.doubleValue == 0.9)
            #expect(run.dictionary("data")!.array("params").map { $0.string("key") } == ["a", "alpha"])
            #expect(run.dictionary("inputs")?.array("dataset_inputs").first?.dictionary("dataset")?.string("digest") == "cd5cd803")

            let history = try await client.call(.get, "/api/2.0/mlflow/metrics/get-history?run_id=\(runID)&metric_key=acc&max_results=25000")
            #expect(history.body.array("metrics").count == 1)
            let bulk = try await client.call(.get, "/api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids=\(runID)&metric_key=m1&max_results=10")
            #expect(bulk.body.array("metrics").first?.string("run_id") == runID)

            let search = try await client.call(
                .post, "/api/2.0/mlflow/runs/search",
                json:
                    #"{"experiment_ids": ["0"], "filter": "params.a = '1' and metrics.m1 > 0", "run_view_type": "ACTIVE_ONLY", "max_results": 10, "order_by": ["metrics.m1 DESC"]}"#
            )
            #expect(search.body.array("runs").count == 1)

            let updated = try await client.call(
                .post, "/api/2.0/mlflow/runs/update", json: #"{"run_id": "\#(runID)", "status": "FINISHED", "end_time": 5}"#)
            #expect(updated.body.dictionary("run_info")?.string("status") == "FINISHED")
            #expect(try await client.call(.post, "/api/2.0/mlflow/runs/delete", json: #"{"run_id": "\#(runID)"}"#).status == .ok)
            #expect(try await client.call(.post, "/api/2.0/mlflow/runs/restore", json: #"{"run_id": "\#(runID)"}"#).status == .ok)
        }
    }

    @Test("Every malformed request is a 4xx MLflow error and leaves the store unchanged", arguments: TestEngine.available)
    func malformedRequests(engine: TestEngine) async throws {
        try await withApplication(engine) { client, services in
            let created = try await client.call(.post, "/api/2.0/mlflow/runs/create", json: #"{"experiment_id": "0"}"#)
            let runID = try #require(created.body.dictionary("run")?.dictionary("info")?.string("run_id"))
            try await client.call(.post, "/api/2.0/mlflow/runs/log-parameter", json: #"{"run_id": "\#(runID)", "key": "p", "value": "1"}"#)
            let tables = ["experiments", "runs", "metrics", "latest_metrics", "params", "tags", "datasets"]
            var before: [String: Int] = [:]
            for table in tables { before[table] = try await services.count(table) }

            let bad: [(HTTPRequest.Method, String, String?, HTTPResponse.Status, String)] = [
                (.post, "/api/2.0/mlflow/experiments/create", "{not json", .badRequest, "INVALID_PARAMETER_VALUE"),
                (.post, "/api/2.0/mlflow/experiments/create", "[1, 2]", .badRequest, "INVALID_PARAMETER_VALUE"),
                (.post, "/api/2.0/mlflow/experiments/create", #"{"name": 5}"#, .badRequest, "INVALID_PARAMETER_VALUE"),
                (.post, "/api/2.0/mlflow/experiments/create", #"{}"#, .badRequest, "INVALID_PARAMETER_VALUE"),
                (
                    .post, "/api/2.0/mlflow/experiments/create", #"{"name": "x", "artifact_location": "file:///etc"}"#, .badRequest,
                    "INVALID_PARAMETER_VALUE"
                ),
                (.post, "/api/2.0/mlflow/experiments/create", #"{"name": "Default"}"#, .badRequest, "RESOURCE_ALREADY_EXISTS"),
                (.get, "/api/2.0/mlflow/experiments/get?experiment_id=99", nil, .notFound, "RESOURCE_DOES_NOT_EXIST"),
                (.get, "/api/2.0/mlflow/experiments/get", nil, .badRequest, "INVALID_PARAMETER_VALUE"),
                (.post, "/api/2.0/mlflow/runs/create", #"{"experiment_id": "12345"}"#, .notFound, "RESOURCE_DOES_NOT_EXIST"),
                (.post, "/api/2.0/mlflow/runs/create", #"{"experiment_id": "0", "start_time": "soon"}"#, .badRequest, "INVALID_PARAMETER_VALUE"),
                (.post, "/api/2.0/mlflow/runs/create", #"{"experiment_id": "0", "tags": "nope"}"#, .badRequest, "INVALID_PARAMETER_VALUE"),
                (.get, "/api/2.0/mlflow/runs/get?run_id=doesnotexist", nil, .notFound, "RESOURCE_DOES_NOT_EXIST"),
                (.get, "/api/2.0/mlflow/runs/get", nil, .badRequest, "INVALID_PARAMETER_VALUE"),
                (
                    .post, "/api/2.0/mlflow/runs/log-metric", #"{"run_id": "\#(runID)", "key": "m", "value": "abc", "timestamp": 1}"#, .badRequest,
                    "INVALID_PARAMETER_VALUE"
                ),
                (
                    .post, "/api/2.0/mlflow/runs/log-metric", #"{"run_id": "\#(runID)", "key": "m", "timestamp": 1}"#, .badRequest,
                    "INVALID_PARAMETER_VALUE"
                ),
                (
                    .post, "/api/2.0/mlflow/runs/log-metric", #"{"run_id": "\#(runID)", "key": "m", "value": 1}"#, .badRequest,
                    "INVALID_PARAMETER_VALUE"
                ),
                (
                    .post, "/api/2.0/mlflow/runs/log-metric", #"{"run_id": "\#(runID)", "key": "../m", "value": 1, "timestamp": 1}"#, .badRequest,
                    "INVALID_PARAMETER_VALUE"
                ),
                (
                    .post, "/api/2.0/mlflow/runs/log-metric", #"{"run_id": "nope", "key": "m", "value": 1, "timestamp": 1}"#, .notFound,
                    "RESOURCE_DOES_NOT_EXIST"
                ),
                (
                    .post, "/api/2.0/mlflow/runs/log-parameter", #"{"run_id": "\#(runID)", "key": "p", "value": "2"}"#, .badRequest,
                    "INVALID_PARAMETER_VALUE"
                ),
                (.post, "/api/2.0/mlflow/runs/log-parameter", #"{"key": "p", "value": "2"}"#, .badRequest, "INVALID_PARAMETER_VALUE"),
                (
                    .post, "/api/2.0/mlflow/runs/log-batch",
                    #"{"run_id": "\#(runID)", "metrics": [{"key": "a", "value": 1, "timestamp": 1}, {"key": "b", "value": true, "timestamp": 1}]}"#,
                    .badRequest, "INVALID_PARAMETER_VALUE"
                ),
                (
                    .post, "/api/2.0/mlflow/runs/log-batch",
                    #"{"run_id": "\#(runID)", "metrics": [{"key": "a", "value": 1, "timestamp": 1}], "params": [{"key": "p", "value": "9"}]}"#,
                    .badRequest, "INVALID_PARAMETER_VALUE"
                ),
                (
                    .post, "/api/2.0/mlflow/runs/log-batch",
                    #"{"run_id": "\#(runID)", "params": [{"key": "q", "value": "1"}, {"key": "q", "value": "2"}]}"#, .badRequest,
                    "INVALID_PARAMETER_VALUE"
                ),
                (.post, "/api/2.0/mlflow/runs/delete-tag", #"{"run_id": "\#(runID)", "key": "never-set"}"#, .notFound, "RESOURCE_DOES_NOT_EXIST"),
                (.post, "/api/2.0/mlflow/runs/update", #"{"run_id": "\#(runID)", "status": "DONE"}"#, .badRequest, "INVALID_PARAMETER_VALUE"),
                (
                    .post, "/api/2.0/mlflow/runs/log-inputs", #"{"run_id": "\#(runID)", "datasets": [{"dataset": {"name": "d"}}]}"#, .badRequest,
                    "INVALID_PARAMETER_VALUE"
                ),
                (
                    .post, "/api/2.0/mlflow/runs/search", #"{"experiment_ids": ["0"], "filter": "params.a == == '1'"}"#, .badRequest,
                    "INVALID_PARAMETER_VALUE"
                ),
                (
                    .post, "/api/2.0/mlflow/runs/search", #"{"experiment_ids": ["0"], "filter": "metrics.a > 1 OR metrics.b < 2"}"#, .badRequest,
                    "INVALID_PARAMETER_VALUE"
                ),
                (
                    .post, "/api/2.0/mlflow/runs/search", #"{"experiment_ids": ["0"], "order_by": ["metrics.a SIDEWAYS"]}"#, .badRequest,
                    "INVALID_PARAMETER_VALUE"
                ),
                (.post, "/api/2.0/mlflow/runs/search", #"{"experiment_ids": ["0"], "max_results": 50001}"#, .badRequest, "INVALID_PARAMETER_VALUE"),
                (
                    .post, "/api/2.0/mlflow/runs/search", #"{"experiment_ids": ["0"], "page_token": "garbage!"}"#, .badRequest,
                    "INVALID_PARAMETER_VALUE"
                ),
                (.get, "/api/2.0/mlflow/metrics/get-history?run_id=\(runID)", nil, .badRequest, "INVALID_PARAMETER_VALUE"),
                (.get, "/api/2.0/mlflow/metrics/get-history-bulk-interval?metric_key=m", nil, .badRequest, "INVALID_PARAMETER_VALUE"),
                (.get, "/api/2.0/mlflow/no-such-endpoint", nil, .notFound, "ENDPOINT_NOT_FOUND"),
                (
                    .post, "/api/2.0/mlflow/runs/log-parameter", #"{"run_id": "\#(runID)", "key": "nul", "value": "a\u0000b"}"#, .badRequest,
                    "INVALID_PARAMETER_VALUE"
                ),
                (.post, "/api/2.0/mlflow/experiments/create", #"{"name": "a\u0000b"}"#, .badRequest, "INVALID_PARAMETER_VALUE"),
                (.get, "/api/2.0/mlflow/experiments/get-by-name?experiment_name=a%00b", nil, .badRequest, "INVALID_PARAMETER_VALUE"),
                (
                    .post, "/api/2.0/mlflow/runs/search", #"{"experiment_ids": ["0"], "filter": "params.p LIKE 'C:\\'"}"#, .badRequest,
                    "INVALID_PARAMETER_VALUE"
                ),
            ]
            for (method, uri, json, status, code) in bad {
                try await client.expectError(method, uri, json: json, status: status, code: code)
            }

            let tooMany = (0..<1001).map { #"{"key": "m\#($0)", "value": 1, "timestamp": 1}"# }.joined(separator: ",")
            try await client.expectError(
                .post, "/api/2.0/mlflow/runs/log-batch", json: #"{"run_id": "\#(runID)", "metrics": [\#(tooMany)]}"#, status: .badRequest,
                code: "INVALID_PARAMETER_VALUE", messageContains: "at most 1000 metrics")
            let huge = String(repeating: "x", count: 5000)
            let bigParams = (0..<100).map { #"{"key": "big\#($0)", "value": "\#(huge)"}"# }.joined(separator: ",")
            try await client.expectError(
                .post, "/api/2.0/mlflow/runs/log-batch", json: #"{"run_id": "\#(runID)", "params": [\#(bigParams)], "tags": [\#(bigParams)]}"#,
                status: .badRequest, code: "INVALID_PARAMETER_VALUE", messageContains: "1000000 bytes")

            for table in tables {
                #expect(try await services.count(table) == before[table], "\(table) changed")
            }
        }
    }

    @Test("Health, version and server-info answer as MLflow's clients expect")
    func serverInfo() async throws {
        try await withApplication(.sqlite) { client, _ in
            let health = try await client.call(.get, "/health")
            #expect(health.status == .ok)
            #expect(String(buffer: health.raw) == "OK")
            let version = try await client.call(.get, "/version")
            #expect(String(buffer: version.raw).hasPrefix("3."))
            let info = try await client.call(.get, "/api/3.0/mlflow/server-info")
            #expect(info.body["multipart_uploads_enabled"] as? Bool == false)
            #expect(info.body.string("store_type") == "SqlStore")
        }
    }
}
