import Hummingbird
import StewardCore

/// MLflow's model registry endpoints (`/api/2.0/mlflow/registered-models/...`, `/model-versions/...`), which
/// also carry MLflow's prompt registry.
struct RegistryController<Context: IdentifiedRequestContext>: Sendable {
    let registry: ModelRegistryService

    func addRoutes(to group: RouterGroup<Context>) {
        group.route(.post, "registered-models/create", use: createModel)
        group.route(.get, "registered-models/get", use: getModel)
        group.route(.post, "registered-models/rename", use: renameModel)
        group.route(.patch, "registered-models/update", use: updateModel)
        group.route(.delete, "registered-models/delete", use: deleteModel)
        group.route(.get, "registered-models/search", use: searchModels)
        group.route(.post, "registered-models/search", access: .read, use: searchModels)
        group.route(.post, "registered-models/get-latest-versions", access: .read, use: latestVersions)
        group.route(.get, "registered-models/get-latest-versions", use: latestVersions)
        group.route(.post, "registered-models/set-tag", use: setModelTag)
        group.route(.delete, "registered-models/delete-tag", use: deleteModelTag)
        group.route(.post, "registered-models/alias", use: setAlias)
        group.route(.delete, "registered-models/alias", use: deleteAlias)
        group.route(.get, "registered-models/alias", use: getByAlias)
        group.route(.post, "model-versions/create", use: createVersion)
        group.route(.get, "model-versions/get", use: getVersion)
        group.route(.patch, "model-versions/update", use: updateVersion)
        group.route(.delete, "model-versions/delete", use: deleteVersion)
        group.route(.get, "model-versions/search", use: searchVersions)
        group.route(.post, "model-versions/search", access: .read, use: searchVersions)
        group.route(.post, "model-versions/transition-stage", use: transitionStage)
        group.route(.get, "model-versions/get-download-uri", use: downloadURI)
        group.route(.post, "model-versions/set-tag", use: setVersionTag)
        group.route(.delete, "model-versions/delete-tag", use: deleteVersionTag)
    }

    static func tags(_ pairs: [WireKeyValue]?) throws -> [Tag] {
        try (pairs ?? []).enumerated().map { index, pair in Tag(try MLflowRequest.required(pair.key, "tags[\(index)].key"), pair.value ?? "") }
    }

    @Sendable func createModel(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(CreateRegisteredModelRequest.self, from: request)
        let model = try await registry.createRegisteredModel(
            name: try MLflowRequest.required(message.name, "name"), description: message.description, tags: try Self.tags(message.tags),
            actor: context.principal)
        return MLflowResponse.json(WireMember("registered_model", WireRegisteredModel(model)))
    }

    @Sendable func getModel(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(RegisteredModelNameRequest.self, from: request)
        let model = try await registry.registeredModel(name: try MLflowRequest.required(message.name, "name"))
        return MLflowResponse.json(WireMember("registered_model", WireRegisteredModel(model)))
    }

    @Sendable func renameModel(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(RegisteredModelNameRequest.self, from: request)
        let model = try await registry.renameRegisteredModel(
            name: try MLflowRequest.required(message.name, "name"), to: try MLflowRequest.required(message.new_name, "new_name"),
            actor: context.principal)
        return MLflowResponse.json(WireMember("registered_model", WireRegisteredModel(model)))
    }

    @Sendable func updateModel(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(RegisteredModelNameRequest.self, from: request)
        let model = try await registry.updateRegisteredModel(name: try MLflowRequest.required(message.name, "name"), description: message.description)
        return MLflowResponse.json(WireMember("registered_model", WireRegisteredModel(model)))
    }

    @Sendable func deleteModel(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(RegisteredModelNameRequest.self, from: request)
        try await registry.deleteRegisteredModel(name: try MLflowRequest.required(message.name, "name"), actor: context.principal)
        return MLflowResponse.empty()
    }

    @Sendable func searchModels(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(SearchRegistryRequest.self, from: request)
        let page = try await registry.searchRegisteredModels(
            filter: message.filter, orderBy: message.order_by ?? [], maxResults: MLflowRequest.int(message.max_results),
            pageToken: message.page_token)
        return MLflowResponse.json(WirePage("registered_models", page.items.map(WireRegisteredModel.init), nextPageToken: page.nextPageToken))
    }

    @Sendable func latestVersions(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(LatestVersionsRequest.self, from: request)
        let versions = try await registry.latestVersions(name: try MLflowRequest.required(message.name, "name"), stages: message.stages ?? [])
        return MLflowResponse.json(WirePage("model_versions", versions.map(WireModelVersion.init)))
    }

    @Sendable func setModelTag(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(RegistryTagRequest.self, from: request)
        try await registry.setRegisteredModelTag(
            name: try MLflowRequest.required(message.name, "name"), tag: Tag(try MLflowRequest.required(message.key, "key"), message.value ?? ""))
        return MLflowResponse.empty()
    }

    @Sendable func deleteModelTag(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(RegistryTagRequest.self, from: request)
        try await registry.deleteRegisteredModelTag(
            name: try MLflowRequest.required(message.name, "name"), key: try MLflowRequest.required(message.key, "key"))
        return MLflowResponse.empty()
    }

    @Sendable func setAlias(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(AliasRequest.self, from: request)
        try await registry.setAlias(
            name: try MLflowRequest.required(message.name, "name"), alias: try MLflowRequest.required(message.alias, "alias"),
            version: try MLflowRequest.required(message.version?.text, "version"), actor: context.principal)
        return MLflowResponse.empty()
    }

    @Sendable func deleteAlias(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(AliasRequest.self, from: request)
        try await registry.deleteAlias(
            name: try MLflowRequest.required(message.name, "name"), alias: try MLflowRequest.required(message.alias, "alias"),
            actor: context.principal)
        return MLflowResponse.empty()
    }

    @Sendable func getByAlias(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(AliasRequest.self, from: request)
        let version = try await registry.version(
            name: try MLflowRequest.required(message.name, "name"), alias: try MLflowRequest.required(message.alias, "alias"))
        return MLflowResponse.json(WireMember("model_version", WireModelVersion(version)))
    }

    @Sendable func createVersion(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(CreateModelVersionRequest.self, from: request)
        let version = try await registry.createModelVersion(
            name: try MLflowRequest.required(message.name, "name"), source: try MLflowRequest.required(message.source, "source"),
            runID: message.run_id, modelID: message.model_id, runLink: message.run_link, description: message.description,
            tags: try Self.tags(message.tags), actor: context.principal.name)
        return MLflowResponse.json(WireMember("model_version", WireModelVersion(version)))
    }

    @Sendable func getVersion(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(ModelVersionRequest.self, from: request)
        let version = try await registry.modelVersion(
            name: try MLflowRequest.required(message.name, "name"), version: try MLflowRequest.required(message.version?.text, "version"))
        return MLflowResponse.json(WireMember("model_version", WireModelVersion(version)))
    }

    @Sendable func updateVersion(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(ModelVersionRequest.self, from: request)
        let version = try await registry.updateModelVersion(
            name: try MLflowRequest.required(message.name, "name"), version: try MLflowRequest.required(message.version?.text, "version"),
            description: message.description)
        return MLflowResponse.json(WireMember("model_version", WireModelVersion(version)))
    }

    @Sendable func deleteVersion(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(ModelVersionRequest.self, from: request)
        try await registry.deleteModelVersion(
            name: try MLflowRequest.required(message.name, "name"), version: try MLflowRequest.required(message.version?.text, "version"),
            actor: context.principal)
        return MLflowResponse.empty()
    }

    @Sendable func searchVersions(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(SearchRegistryRequest.self, from: request)
        let page = try await registry.searchModelVersions(
            filter: message.filter, orderBy: message.order_by ?? [], maxResults: MLflowRequest.int(message.max_results),
            pageToken: message.page_token)
        return MLflowResponse.json(WirePage("model_versions", page.items.map(WireModelVersion.init), nextPageToken: page.nextPageToken))
    }

    @Sendable func transitionStage(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(ModelVersionRequest.self, from: request)
        let version = try await registry.transitionStage(
            name: try MLflowRequest.required(message.name, "name"), version: try MLflowRequest.required(message.version?.text, "version"),
            stage: try MLflowRequest.required(message.stage, "stage"), archiveExisting: message.archive_existing_versions?.value ?? false,
            actor: context.principal)
        return MLflowResponse.json(WireMember("model_version", WireModelVersion(version)))
    }

    @Sendable func downloadURI(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(ModelVersionRequest.self, from: request)
        let uri = try await registry.downloadURI(
            name: try MLflowRequest.required(message.name, "name"), version: try MLflowRequest.required(message.version?.text, "version"),
            actor: context.principal)
        return MLflowResponse.json(WireMember("artifact_uri", uri))
    }

    @Sendable func setVersionTag(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(RegistryTagRequest.self, from: request)
        try await registry.setModelVersionTag(
            name: try MLflowRequest.required(message.name, "name"), version: try MLflowRequest.required(message.version?.text, "version"),
            tag: Tag(try MLflowRequest.required(message.key, "key"), message.value ?? ""), actor: context.principal)
        return MLflowResponse.empty()
    }

    @Sendable func deleteVersionTag(_ request: Request, context: Context) async throws -> Response {
        let message = try await MLflowRequest.decode(RegistryTagRequest.self, from: request)
        try await registry.deleteModelVersionTag(
            name: try MLflowRequest.required(message.name, "name"), version: try MLflowRequest.required(message.version?.text, "version"),
            key: try MLflowRequest.required(message.key, "key"), actor: context.principal)
        return MLflowResponse.empty()
    }
}
