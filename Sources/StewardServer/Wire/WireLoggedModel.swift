import StewardCore

/// MLflow 3's `LoggedModel` message: `info` (identity, status, tags) and `data` (params, metrics).
struct WireLoggedModel: Encodable, Sendable {
    struct Info: Encodable, Sendable {
        var model_id: String
        var experiment_id: String
        var name: String
        var creation_timestamp_ms: Int64
        var last_updated_timestamp_ms: Int64
        var artifact_uri: String
        var status: String
        var model_type: String
        var source_run_id: String?
        var status_message: String?
        var tags: [WireKeyValue]?
    }

    struct Data: Encodable, Sendable {
        var params: [WireKeyValue]?
        var metrics: [WireMetric]?
    }

    var info: Info
    var data: Data

    init(_ model: LoggedModel) {
        info = Info(
            model_id: model.modelID, experiment_id: model.experimentID, name: model.name, creation_timestamp_ms: model.creationTime,
            last_updated_timestamp_ms: model.lastUpdatedTime, artifact_uri: model.artifactURI, status: model.status.rawValue,
            model_type: model.modelType, source_run_id: model.sourceRunID, status_message: model.statusMessage, tags: model.tags.wire)
        data = Data(params: model.params.wire, metrics: model.metrics.isEmpty ? nil : model.metrics.map(WireMetric.init))
    }
}

/// `logged-models/search`: a page of models.
struct WireLoggedModelsPage: Encodable, Sendable {
    var models: [WireLoggedModel]?
    var next_page_token: String?
}
