import StewardCore

// The JSON shapes of MLflow's tracking messages. Empty and default fields are omitted, as MLflow omits
// them; names are the proto field names.

struct WireKeyValue: Codable, Sendable {
    var key: String?
    var value: String?

    init(_ pair: KeyValue) {
        key = pair.key
        value = pair.value
    }
}

extension Array where Element == KeyValue {
    /// The pairs in wire form, or nil (omitted) when there are none.
    var wire: [WireKeyValue]? { isEmpty ? nil : map(WireKeyValue.init) }
}

struct WireExperiment: Encodable, Sendable {
    var experiment_id: String
    var name: String
    var artifact_location: String
    var lifecycle_stage: String
    var last_update_time: Int64
    var creation_time: Int64
    var tags: [WireKeyValue]?

    init(_ experiment: Experiment) {
        experiment_id = experiment.id
        name = experiment.name
        artifact_location = experiment.artifactLocation
        lifecycle_stage = experiment.lifecycleStage.rawValue
        last_update_time = experiment.lastUpdateTime
        creation_time = experiment.creationTime
        tags = experiment.tags.wire
    }
}

struct WireRunInfo: Encodable, Sendable {
    var run_uuid: String
    var experiment_id: String
    var run_name: String?
    var user_id: String
    var status: String
    var start_time: Int64
    var end_time: Int64?
    var artifact_uri: String
    var lifecycle_stage: String
    var run_id: String

    init(_ info: RunInfo) {
        run_uuid = info.runID
        experiment_id = info.experimentID
        run_name = info.runName.isEmpty ? nil : info.runName
        user_id = info.userID
        status = info.status.rawValue
        start_time = info.startTime
        end_time = info.endTime
        artifact_uri = info.artifactURI
        lifecycle_stage = info.lifecycleStage.rawValue
        run_id = info.runID
    }
}

struct WireMetric: Encodable, Sendable {
    var key: String
    var value: Double
    var timestamp: Int64
    var step: Int64
    var dataset_name: String?
    var dataset_digest: String?
    var model_id: String?
    var run_id: String?

    init(_ metric: Metric) {
        key = metric.key
        value = metric.value
        timestamp = metric.timestamp
        step = metric.step
        dataset_name = metric.datasetName
        dataset_digest = metric.datasetDigest
        model_id = metric.modelID
        run_id = metric.runID
    }
}

struct WireDataset: Codable, Sendable {
    var name: String?
    var digest: String?
    var source_type: String?
    var source: String?
    var schema: String?
    var profile: String?

    init(_ dataset: Dataset) {
        name = dataset.name
        digest = dataset.digest
        source_type = dataset.sourceType
        source = dataset.source
        schema = dataset.schema
        profile = dataset.profile
    }

    var domain: Dataset {
        Dataset(name: name ?? "", digest: digest ?? "", sourceType: source_type ?? "", source: source ?? "", schema: schema, profile: profile)
    }
}

struct WireDatasetInput: Codable, Sendable {
    var tags: [WireKeyValue]?
    var dataset: WireDataset?
}

struct WireModelInput: Codable, Sendable {
    var model_id: String?
}

struct WireModelOutput: Codable, Sendable {
    var model_id: String?
    var step: WireInt64Value?
}

/// An int64 that decodes leniently and encodes as a number.
struct WireInt64Value: Codable, Sendable {
    var value: Int64

    init(_ value: Int64) {
        self.value = value
    }

    init(from decoder: any Decoder) throws {
        value = try WireInt64(from: decoder).value
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

struct WireRun: Encodable, Sendable {
    struct Data: Encodable, Sendable {
        var metrics: [WireMetric]?
        var params: [WireKeyValue]?
        var tags: [WireKeyValue]?
    }

    struct Inputs: Encodable, Sendable {
        var dataset_inputs: [WireDatasetInput]?
        var model_inputs: [WireModelInput]?
    }

    struct Outputs: Encodable, Sendable {
        var model_outputs: [WireModelOutput]?
    }

    var info: WireRunInfo
    var data: Data
    var inputs: Inputs
    var outputs: Outputs?

    init(_ run: Run) {
        info = WireRunInfo(run.info)
        data = Data(
            metrics: run.data.metrics.isEmpty ? nil : run.data.metrics.map(WireMetric.init),
            params: run.data.params.wire, tags: run.data.tags.wire)
        inputs = Inputs(
            dataset_inputs: run.datasetInputs.isEmpty
                ? nil : run.datasetInputs.map { WireDatasetInput(tags: $0.tags.wire, dataset: WireDataset($0.dataset)) },
            model_inputs: run.modelInputs.isEmpty ? nil : run.modelInputs.map { WireModelInput(model_id: $0) })
        outputs =
            run.modelOutputs.isEmpty
            ? nil : Outputs(model_outputs: run.modelOutputs.map { WireModelOutput(model_id: $0.modelID, step: WireInt64Value($0.step)) })
    }
}
