import Foundation
import Hummingbird
import StewardCore

/// MLflow 3's logged-model endpoints (`/api/2.0/mlflow/logged-models/...`).
struct LoggedModelsController<Context: IdentifiedRequestContext>: Sendable {
    let models: LoggedModelService
    let artifacts: ArtifactService

    func addRoutes(to group: RouterGroup<Context>) {
        group.route(.post, "logged-models", use: create)
        group.route(.post, "logged-models/search", access: .read, use: search)
        group.route(.get, "logged-models/:model_id", use: get)
        group.route(.patch, "logged-models/:model_id", use: finalize)
        group.route(.delete, "logged-models/:model_id", use: delete)
        group.route(.patch, "logged-models/:model_id/tags", use: setTags)
        group.route(.delete, "logged-models/:model_id/tags/:tag_key", use: deleteTag)
        group.route(.post, "logged-models/:model_id/params", use: logParams)
        group.route(.get, "logged-models/:model_id/artifacts/directories", use: listArtifacts)
    }

    static func keyValues(_ pairs: [WireKeyValue]?, _ field: String) throws -> [KeyValue] {
        try (pairs ?? []).enumerated().map { index, pair in
            KeyValue(try MLflowRequest.required(pair.key, "\(field)[\(index)].key"), pair.value ?? "")
        }
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(CreateLoggedModelRequest.self, from: request)
        let model = try await models.createLoggedModel(
            experimentID: try MLflowRequest.required(message.experiment_id, "experiment_id"), name: message.name,
            modelType: message.model_type, sourceRunID: message.source_run_id, params: try Self.keyValues(message.params, "params"),
            tags: try Self.keyValues(message.tags, "tags"))
        return MLflowResponse.json(WireMember("model", WireLoggedModel(model)))
    }

    @Sendable func get(_ request: Request, context: Context) async throws -> Response {
        let model = try await models.loggedModel(id: try context.parameters.require("model_id"))
        return MLflowResponse.json(WireMember("model", WireLoggedModel(model)))
    }

    @Sendable func finalize(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(FinalizeLoggedModelRequest.self, from: request)
        let status: LoggedModelStatus? = try MLflowRequest.parseEnum(Self.statusName(message.status?.text), "status")
        guard let status else { throw MLflowRequest.missing("status") }
        let model = try await models.finalizeLoggedModel(id: try context.parameters.require("model_id"), status: status)
        return MLflowResponse.json(WireMember("model", WireLoggedModel(model)))
    }

    /// Status by name or proto number.
    static func statusName(_ text: String?) -> String? {
        let numbered = [
            "0": "LOGGED_MODEL_STATUS_UNSPECIFIED", "1": "LOGGED_MODEL_PENDING", "2": "LOGGED_MODEL_READY", "3": "LOGGED_MODEL_UPLOAD_FAILED",
        ]
        return text.flatMap { numbered[$0] ?? $0 }
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        try await models.deleteLoggedModel(id: try context.parameters.require("model_id"))
        return MLflowResponse.empty()
    }

    @Sendable func setTags(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(LoggedModelKeyValuesRequest.self, from: request)
        let model = try await models.setLoggedModelTags(
            id: try context.parameters.require("model_id"), tags: try Self.keyValues(message.tags, "tags"))
        return MLflowResponse.json(WireMember("model", WireLoggedModel(model)))
    }

    @Sendable func deleteTag(_ request: Request, context: Context) async throws -> Response {
        let key = try context.parameters.require("tag_key")
        try await models.deleteLoggedModelTag(id: try context.parameters.require("model_id"), key: key.removingPercentEncoding ?? key)
        return MLflowResponse.empty()
    }

    @Sendable func logParams(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(LoggedModelKeyValuesRequest.self, from: request)
        try await models.logLoggedModelParams(id: try context.parameters.require("model_id"), params: try Self.keyValues(message.params, "params"))
        return MLflowResponse.empty()
    }

    @Sendable func search(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(SearchLoggedModelsRequest.self, from: request)
        let datasets = try (message.datasets ?? []).enumerated().map { index, dataset in
            DatasetReference(
                name: try MLflowRequest.required(dataset.dataset_name, "datasets[\(index)].dataset_name"), digest: dataset.dataset_digest)
        }
        let order = try (message.order_by ?? []).enumerated().map { index, entry in
            (
                field: try MLflowRequest.required(entry.field_name, "order_by[\(index)].field_name"), ascending: entry.ascending?.value ?? true,
                dataset: entry.dataset_name.map { DatasetReference(name: $0, digest: entry.dataset_digest) }
            )
        }
        let page = try await models.searchLoggedModels(
            experimentIDs: message.experiment_ids ?? [], filter: message.filter, datasets: datasets, orderBy: order,
            maxResults: MLflowRequest.int(message.max_results), pageToken: message.page_token)
        return MLflowResponse.json(WirePage("models", page.items.map(WireLoggedModel.init), nextPageToken: page.nextPageToken))
    }

    @Sendable func listArtifacts(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(ListLoggedModelArtifactsRequest.self, from: request)
        return MLflowResponse.json(
            ArtifactsController<Context>.FileListing(
                try await artifacts.listLoggedModelArtifacts(
                    modelID: try context.parameters.require("model_id"), relativePath: message.artifact_directory_path)))
    }
}
