import Hummingbird
import StewardCore

/// MLflow's experiment endpoints (`/api/2.0/mlflow/experiments/...`).
struct ExperimentsController<Context: IdentifiedRequestContext>: Sendable {
    let experiments: ExperimentService

    func addRoutes(to group: RouterGroup<Context>) {
        group.route(.post, "experiments/create", use: create)
        group.route(.get, "experiments/get", use: get)
        group.route(.get, "experiments/get-by-name", use: getByName)
        group.route(.post, "experiments/search", access: .read, use: search)
        group.route(.get, "experiments/search", use: search)
        group.route(.post, "experiments/update", use: update)
        group.route(.post, "experiments/delete", use: delete)
        group.route(.post, "experiments/restore", use: restore)
        group.route(.post, "experiments/set-experiment-tag", use: setTag)
        group.route(.post, "experiments/delete-experiment-tag", use: deleteTag)
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(CreateExperimentRequest.self, from: request)
        let name = try MLflowRequest.required(message.name, "name")
        let tags = try (message.tags ?? []).enumerated().map { index, tag in
            Tag(try MLflowRequest.required(tag.key, "tags[\(index)].key"), tag.value ?? "")
        }
        let id = try await experiments.createExperiment(name: name, artifactLocation: message.artifact_location, tags: tags)
        return MLflowResponse.json(WireMember("experiment_id", id))
    }

    @Sendable func get(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(ExperimentIDRequest.self, from: request)
        let experiment = try await experiments.experiment(id: try MLflowRequest.required(message.experiment_id, "experiment_id"))
        return MLflowResponse.json(WireMember("experiment", WireExperiment(experiment)))
    }

    @Sendable func getByName(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(GetExperimentByNameRequest.self, from: request)
        let experiment = try await experiments.experiment(name: try MLflowRequest.required(message.experiment_name, "experiment_name"))
        return MLflowResponse.json(WireMember("experiment", WireExperiment(experiment)))
    }

    @Sendable func search(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(SearchExperimentsRequest.self, from: request)
        let page = try await experiments.searchExperiments(
            filter: message.filter, orderBy: message.order_by ?? [], viewType: try ViewType.parse(message.view_type?.text, "view_type"),
            maxResults: MLflowRequest.int(message.max_results), pageToken: message.page_token)
        return MLflowResponse.json(WirePage("experiments", page.items.map(WireExperiment.init), nextPageToken: page.nextPageToken))
    }

    @Sendable func update(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(UpdateExperimentRequest.self, from: request)
        let id = try MLflowRequest.required(message.experiment_id, "experiment_id")
        if let newName = message.new_name, !newName.isEmpty {
            try await experiments.renameExperiment(id: id, to: newName)
        } else {
            _ = try await experiments.experiment(id: id)
        }
        return MLflowResponse.empty()
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(ExperimentIDRequest.self, from: request)
        try await experiments.deleteExperiment(id: try MLflowRequest.required(message.experiment_id, "experiment_id"))
        return MLflowResponse.empty()
    }

    @Sendable func restore(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(ExperimentIDRequest.self, from: request)
        try await experiments.restoreExperiment(id: try MLflowRequest.required(message.experiment_id, "experiment_id"))
        return MLflowResponse.empty()
    }

    @Sendable func setTag(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(ExperimentTagRequest.self, from: request)
        let id = try MLflowRequest.required(message.experiment_id, "experiment_id")
        let key = try MLflowRequest.required(message.key, "key")
        guard let value = message.value else { throw MLflowRequest.missing("value") }
        try await experiments.setExperimentTag(id: id, tag: Tag(key, value))
        return MLflowResponse.empty()
    }

    @Sendable func deleteTag(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(ExperimentTagRequest.self, from: request)
        try await experiments.deleteExperimentTag(
            id: try MLflowRequest.required(message.experiment_id, "experiment_id"), key: try MLflowRequest.required(message.key, "key"))
        return MLflowResponse.empty()
    }
}

extension ViewType {
    /// A view type by name (`ACTIVE_ONLY`) or by proto number (1, 2, 3).
    static func parse(_ text: String?, _ field: String) throws(StewardError) -> ViewType? {
        switch text {
        case "1": .activeOnly
        case "2": .deletedOnly
        case "3": .all
        default: try MLflowRequest.parseEnum(text, field)
        }
    }
}
