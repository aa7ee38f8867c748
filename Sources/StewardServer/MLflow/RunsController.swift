import Foundation
import Hummingbird
import StewardCore

/// MLflow's run and metric endpoints (`/api/2.0/mlflow/runs/...`, `/metrics/...`).
struct RunsController<Context: IdentifiedRequestContext>: Sendable {
    let runs: RunService

    func addRoutes(to group: RouterGroup<Context>) {
        group.route(.post, "runs/create", use: create)
        group.route(.get, "runs/get", use: get)
        group.route(.post, "runs/update", use: update)
        group.route(.post, "runs/delete", use: delete)
        group.route(.post, "runs/restore", use: restore)
        group.route(.post, "runs/log-metric", use: logMetric)
        group.route(.post, "runs/log-parameter", use: logParameter)
        group.route(.post, "runs/set-tag", use: setTag)
        group.route(.post, "runs/delete-tag", use: deleteTag)
        group.route(.post, "runs/log-batch", use: logBatch)
        group.route(.post, "runs/log-inputs", use: logInputs)
        group.route(.post, "runs/outputs", use: logOutputs)
        group.route(.post, "runs/search", access: .read, use: search)
        group.route(.get, "metrics/get-history", use: metricHistory)
        group.route(.get, "metrics/get-history-bulk-interval", use: metricHistoryBulkInterval)
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(CreateRunRequest.self, from: request)
        let tags = try (message.tags ?? []).enumerated().map { index, tag in
            Tag(try MLflowRequest.required(tag.key, "tags[\(index)].key"), tag.value ?? "")
        }
        let run = try await runs.createRun(
            experimentID: message.experiment_id, userID: context.principal.isAuthenticated ? context.principal.name : message.user_id,
            runName: message.run_name, startTime: message.start_time?.value,
            tags: tags)
        return MLflowResponse.json(WireMember("run", WireRun(run, alwaysWriteOutputs: false)))
    }

    @Sendable func get(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(RunIDRequest.self, from: request)
        let run = try await runs.run(id: try message.requiredRunID())
        return MLflowResponse.json(WireMember("run", WireRun(run)))
    }

    @Sendable func update(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(UpdateRunRequest.self, from: request)
        let status: RunStatus? = try RunStatus.parse(message.status?.text)
        let info = try await runs.updateRun(
            id: try message.requiredRunID(), status: status, endTime: message.end_time?.value, runName: message.run_name)
        return MLflowResponse.json(WireMember("run_info", WireRunInfo(info)))
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(RunIDRequest.self, from: request)
        try await runs.deleteRun(id: try message.requiredRunID())
        return MLflowResponse.empty()
    }

    @Sendable func restore(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(RunIDRequest.self, from: request)
        try await runs.restoreRun(id: try message.requiredRunID())
        return MLflowResponse.empty()
    }

    @Sendable func logMetric(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(LogMetricRequest.self, from: request)
        let runID = try message.requiredRunID()
        // Alone, an empty key is a missing one, as MLflow's request validation has it; in a batch the key's own rules refuse it.
        _ = try MLflowRequest.required(message.metric.key, "key")
        try await runs.logMetric(runID: runID, try message.metric.metric())
        return MLflowResponse.empty()
    }

    @Sendable func logParameter(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(RunKeyValueRequest.self, from: request)
        let runID = try message.requiredRunID()
        let key = try MLflowRequest.required(message.key, "key")
        try await runs.logParam(runID: runID, Param(key, message.value ?? ""))
        return MLflowResponse.empty()
    }

    @Sendable func setTag(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(RunKeyValueRequest.self, from: request)
        let runID = try message.requiredRunID()
        let key = try MLflowRequest.required(message.key, "key")
        try await runs.setTag(runID: runID, Tag(key, message.value ?? ""))
        return MLflowResponse.empty()
    }

    @Sendable func deleteTag(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(RunKeyValueRequest.self, from: request)
        try await runs.deleteTag(runID: try message.requiredRunID(), key: try MLflowRequest.required(message.key, "key"))
        return MLflowResponse.empty()
    }

    @Sendable func logBatch(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let body = try await MLflowRequest.collectBody(of: &request, maximumBytes: MLflowRequest.maximumBodyBytes)
        guard body.readableBytes <= TrackingLimits.maxBatchRequestBytes else {
            throw StewardError.invalidParameter(
                "Batched logging API requests must be at most \(TrackingLimits.maxBatchRequestBytes) bytes, got a request of size "
                    + "\(body.readableBytes).")
        }
        let message = try MLflowRequest.decode(LogBatchRequest.self, from: body.readableBytes == 0 ? Data("{}".utf8) : Data(buffer: body))
        let runID = try message.requiredRunID()
        let metrics = try (message.metrics ?? []).enumerated().map { index, metric in try metric.metric(field: "metrics[\(index)].") }
        let params = try (message.params ?? []).enumerated().map { index, param throws -> Param in
            guard let key = param.key else { throw MLflowRequest.missing("params[\(index)].key") }
            return Param(key, param.value ?? "")
        }
        let tags = try (message.tags ?? []).enumerated().map { index, tag throws -> Tag in
            guard let key = tag.key else { throw MLflowRequest.missing("tags[\(index)].key") }
            return Tag(key, tag.value ?? "")
        }
        try await runs.logBatch(runID: runID, metrics: metrics, params: params, tags: tags)
        return MLflowResponse.empty()
    }

    @Sendable func logInputs(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(LogInputsRequest.self, from: request)
        let runID = try message.requiredRunID()
        let datasets = try (message.datasets ?? []).enumerated().map { index, input throws -> DatasetInput in
            guard let dataset = input.dataset else { throw MLflowRequest.missing("datasets[\(index)].dataset") }
            let tags = try (input.tags ?? []).enumerated().map { tagIndex, tag in
                Tag(try MLflowRequest.required(tag.key, "datasets[\(index)].tags[\(tagIndex)].key"), tag.value ?? "")
            }
            return DatasetInput(tags: tags, dataset: dataset.domain)
        }
        let models = try (message.models ?? []).enumerated().map { index, model in
            try MLflowRequest.required(model.model_id, "models[\(index)].model_id")
        }
        try await runs.logInputs(runID: runID, datasets: datasets, modelIDs: models)
        return MLflowResponse.empty()
    }

    @Sendable func logOutputs(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(LogOutputsRequest.self, from: request)
        let runID = try message.requiredRunID()
        let models = try (message.models ?? []).enumerated().map { index, model in
            ModelOutput(modelID: try MLflowRequest.required(model.model_id, "models[\(index)].model_id"), step: model.step?.value ?? 0)
        }
        try await runs.logOutputs(runID: runID, models: models)
        return MLflowResponse.empty()
    }

    @Sendable func search(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(SearchRunsRequest.self, from: request)
        let page = try await runs.searchRuns(
            experimentIDs: message.experiment_ids ?? [], filter: message.filter,
            viewType: try ViewType.parse(message.run_view_type?.text, "run_view_type"), maxResults: MLflowRequest.int(message.max_results),
            orderBy: message.order_by ?? [], pageToken: message.page_token)
        return MLflowResponse.json(WirePage("runs", page.items.map { WireRun($0) }, nextPageToken: page.nextPageToken))
    }

    @Sendable func metricHistory(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(GetMetricHistoryRequest.self, from: request)
        let page = try await runs.metricHistory(
            runID: try message.requiredRunID(), key: try MLflowRequest.required(message.metric_key, "metric_key"),
            maxResults: MLflowRequest.int(message.max_results), pageToken: message.page_token)
        return MLflowResponse.json(WirePage("metrics", page.items.map(WireMetric.init), nextPageToken: page.nextPageToken))
    }

    @Sendable func metricHistoryBulkInterval(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(GetMetricHistoryBulkIntervalRequest.self, from: request)
        let metrics = try await runs.metricHistoryBulkInterval(
            runIDs: message.run_ids ?? [], key: try MLflowRequest.required(message.metric_key, "metric_key"),
            startStep: message.start_step?.value, endStep: message.end_step?.value, maxResults: MLflowRequest.int(message.max_results))
        return MLflowResponse.json(WirePage("metrics", metrics.map(WireMetric.init)))
    }
}

extension RunStatus {
    /// A run status by name (`FINISHED`) or by proto number (1 to 5).
    static func parse(_ text: String?) throws(StewardError) -> RunStatus? {
        let numbered: [String: RunStatus] = ["1": .running, "2": .scheduled, "3": .finished, "4": .failed, "5": .killed]
        if let text, let status = numbered[text] { return status }
        return try MLflowRequest.parseEnum(text, "status")
    }
}

extension Optional where Wrapped == String {
    /// The string, or nil when absent or empty (proto3 clients send empty strings for unset fields).
    var nonEmpty: String? {
        guard let value = self, !value.isEmpty else { return nil }
        return value
    }
}
