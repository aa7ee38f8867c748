import StewardCore

/// A request message of MLflow's REST API: a JSON body, or for GET the query parameters.
protocol MLflowRequestMessage: Decodable, Sendable {
    /// Fields that a GET sends as repeated query keys (`?run_ids=a&run_ids=b`).
    static var repeatedFields: Set<String> { get }
}

extension MLflowRequestMessage {
    static var repeatedFields: Set<String> { [] }
}

/// Requests that name a run by `run_id` or by its older alias `run_uuid`.
protocol RunScopedRequest {
    var run_id: String? { get }
    var run_uuid: String? { get }
}

extension RunScopedRequest {
    /// The run the request names, required.
    func requiredRunID() throws -> String {
        try MLflowRequest.required(run_id?.isEmpty == false ? run_id : run_uuid, "run_id")
    }
}

struct CreateExperimentRequest: MLflowRequestMessage {
    var name: String?
    var artifact_location: String?
    var tags: [WireKeyValue]?
}

struct ExperimentIDRequest: MLflowRequestMessage {
    var experiment_id: String?
}

struct GetExperimentByNameRequest: MLflowRequestMessage {
    var experiment_name: String?
}

struct SearchExperimentsRequest: MLflowRequestMessage {
    static let repeatedFields: Set<String> = ["order_by"]
    var max_results: WireInt64?
    var page_token: String?
    var filter: String?
    var order_by: [String]?
    var view_type: WireEnum?
}

struct UpdateExperimentRequest: MLflowRequestMessage {
    var experiment_id: String?
    var new_name: String?
}

struct ExperimentTagRequest: MLflowRequestMessage {
    var experiment_id: String?
    var key: String?
    var value: String?
}

struct CreateRunRequest: MLflowRequestMessage {
    var experiment_id: String?
    var user_id: String?
    var run_name: String?
    var start_time: WireInt64?
    var tags: [WireKeyValue]?
}

struct RunIDRequest: MLflowRequestMessage, RunScopedRequest {
    var run_id: String?
    var run_uuid: String?
}

struct UpdateRunRequest: MLflowRequestMessage, RunScopedRequest {
    var run_id: String?
    var run_uuid: String?
    var status: WireEnum?
    var end_time: WireInt64?
    var run_name: String?
}

/// `runs/log-metric`: the run, and one metric written as `log-batch` writes each of its `metrics`.
struct LogMetricRequest: MLflowRequestMessage, RunScopedRequest {
    var run_id: String?
    var run_uuid: String?
    var metric: WireMetricInput

    enum CodingKeys: String, CodingKey {
        case run_id, run_uuid
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        run_id = try container.decodeIfPresent(String.self, forKey: .run_id)
        run_uuid = try container.decodeIfPresent(String.self, forKey: .run_uuid)
        metric = try WireMetricInput(from: decoder)
    }
}

struct RunKeyValueRequest: MLflowRequestMessage, RunScopedRequest {
    var run_id: String?
    var run_uuid: String?
    var key: String?
    var value: String?
}

/// A metric as a client logs it, alone (`log-metric`) or in a batch (`log-batch`).
struct WireMetricInput: Decodable, Sendable {
    var key: String?
    var value: WireDouble?
    var timestamp: WireInt64?
    var step: WireInt64?
    var model_id: String?
    var dataset_name: String?
    var dataset_digest: String?

    /// The metric, refusing a missing key, value or timestamp; `field` says where it sits in the message
    /// (`metrics[3].`).
    func metric(field: String = "") throws -> Metric {
        guard let key else { throw MLflowRequest.missing(field + "key") }
        guard let value else { throw MLflowRequest.missing(field + "value") }
        guard let timestamp else { throw MLflowRequest.missing(field + "timestamp") }
        return Metric(
            key: key, value: value.value, timestamp: timestamp.value, step: step?.value ?? 0, modelID: model_id.nonEmpty,
            datasetName: dataset_name.nonEmpty, datasetDigest: dataset_digest.nonEmpty)
    }
}

struct LogBatchRequest: MLflowRequestMessage, RunScopedRequest {
    var run_id: String?
    var run_uuid: String?
    var metrics: [WireMetricInput]?
    var params: [WireKeyValue]?
    var tags: [WireKeyValue]?
}

struct LogInputsRequest: MLflowRequestMessage, RunScopedRequest {
    var run_id: String?
    var run_uuid: String?
    var datasets: [WireDatasetInput]?
    var models: [WireModelInput]?
}

struct LogOutputsRequest: MLflowRequestMessage, RunScopedRequest {
    var run_id: String?
    var run_uuid: String?
    var models: [WireModelOutput]?
}

struct GetMetricHistoryRequest: MLflowRequestMessage, RunScopedRequest {
    var run_id: String?
    var run_uuid: String?
    var metric_key: String?
    var page_token: String?
    var max_results: WireInt64?
}

struct GetMetricHistoryBulkIntervalRequest: MLflowRequestMessage {
    static let repeatedFields: Set<String> = ["run_ids"]
    var run_ids: [String]?
    var metric_key: String?
    var start_step: WireInt64?
    var end_step: WireInt64?
    var max_results: WireInt64?
}

struct SearchRunsRequest: MLflowRequestMessage {
    static let repeatedFields: Set<String> = ["experiment_ids", "order_by"]
    var experiment_ids: [String]?
    var filter: String?
    var run_view_type: WireEnum?
    var max_results: WireInt64?
    var order_by: [String]?
    var page_token: String?
}

struct ListArtifactsRequest: MLflowRequestMessage, RunScopedRequest {
    var run_id: String?
    var run_uuid: String?
    var path: String?
    var page_token: String?
}

struct CreateLoggedModelRequest: MLflowRequestMessage {
    var experiment_id: String?
    var name: String?
    var model_type: String?
    var source_run_id: String?
    var params: [WireKeyValue]?
    var tags: [WireKeyValue]?
}

struct FinalizeLoggedModelRequest: MLflowRequestMessage {
    var model_id: String?
    var status: WireEnum?
}

struct LoggedModelKeyValuesRequest: MLflowRequestMessage {
    var model_id: String?
    var tags: [WireKeyValue]?
    var params: [WireKeyValue]?
}

struct SearchLoggedModelsRequest: MLflowRequestMessage {
    struct DatasetFilter: Decodable, Sendable {
        var dataset_name: String?
        var dataset_digest: String?
    }

    struct OrderBy: Decodable, Sendable {
        var field_name: String?
        var ascending: WireBool?
        var dataset_name: String?
        var dataset_digest: String?
    }

    static let repeatedFields: Set<String> = ["experiment_ids"]
    var experiment_ids: [String]?
    var filter: String?
    var datasets: [DatasetFilter]?
    var max_results: WireInt64?
    var order_by: [OrderBy]?
    var page_token: String?
}

struct ListLoggedModelArtifactsRequest: MLflowRequestMessage {
    var artifact_directory_path: String?
    var page_token: String?
}
