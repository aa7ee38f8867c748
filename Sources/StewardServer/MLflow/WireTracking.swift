import StewardCore

// The JSON shapes of MLflow's tracking messages. Requests decode with `Decodable`; responses write themselves
// with `JSONWriter`, leaving out empty and unset fields as MLflow does. Names are the proto field names.

struct WireKeyValue: Decodable, Sendable, JSONWritable {
    var key: String?
    var value: String?

    init(_ pair: KeyValue) {
        key = pair.key
        value = pair.value
    }

    func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("key", key)
            writer.member("value", value)
        }
    }
}

extension Array where Element == KeyValue {
    /// The pairs in wire form, or nil (omitted) when there are none.
    var wire: [WireKeyValue]? { isEmpty ? nil : map(WireKeyValue.init) }
}

struct WireExperiment: Sendable, JSONWritable {
    let experiment: Experiment

    init(_ experiment: Experiment) {
        self.experiment = experiment
    }

    func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("experiment_id", experiment.id)
            writer.member("name", experiment.name)
            writer.member("artifact_location", experiment.artifactLocation)
            writer.member("lifecycle_stage", experiment.lifecycleStage.rawValue)
            writer.member("last_update_time", experiment.lastUpdateTime)
            writer.member("creation_time", experiment.creationTime)
            writer.member("tags", experiment.tags.wire)
            writer.member("workspace", "default")
        }
    }
}

struct WireRunInfo: Sendable, JSONWritable {
    let info: RunInfo

    init(_ info: RunInfo) {
        self.info = info
    }

    func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("run_uuid", info.runID)
            writer.member("experiment_id", info.experimentID)
            writer.member("run_name", info.runName.isEmpty ? nil : info.runName)
            writer.member("user_id", info.userID)
            writer.member("status", info.status.rawValue)
            writer.member("start_time", info.startTime)
            writer.member("end_time", info.endTime == 0 ? nil : info.endTime)
            writer.member("artifact_uri", info.artifactURI)
            writer.member("lifecycle_stage", info.lifecycleStage.rawValue)
            writer.member("run_id", info.runID)
        }
    }
}

struct WireMetric: Sendable, JSONWritable {
    let metric: Metric

    init(_ metric: Metric) {
        self.metric = metric
    }

    func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("key", metric.key)
            writer.member("value", metric.value)
            writer.member("timestamp", metric.timestamp)
            writer.member("step", metric.step)
            writer.member("dataset_name", metric.datasetName)
            writer.member("dataset_digest", metric.datasetDigest)
            writer.member("model_id", metric.modelID)
            writer.member("run_id", metric.runID)
        }
    }
}

struct WireDataset: Decodable, Sendable, JSONWritable {
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

    func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("name", name)
            writer.member("digest", digest)
            writer.member("source_type", source_type)
            writer.member("source", source)
            writer.member("schema", schema)
            writer.member("profile", profile)
        }
    }
}

struct WireDatasetInput: Decodable, Sendable, JSONWritable {
    var tags: [WireKeyValue]?
    var dataset: WireDataset?

    func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("tags", tags)
            writer.member("dataset", dataset)
        }
    }
}

struct WireModelInput: Decodable, Sendable, JSONWritable {
    var model_id: String?

    func write(to writer: inout JSONWriter) {
        writer.object { writer in writer.member("model_id", model_id) }
    }
}

struct WireModelOutput: Decodable, Sendable, JSONWritable {
    var model_id: String?
    var step: WireInt64?

    func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("model_id", model_id)
            writer.member("step", step?.value)
        }
    }
}

struct WireRun: Sendable, JSONWritable {
    let run: Run
    /// Whether `outputs` is written even when empty: get and search do, create does not (as MLflow).
    let alwaysWriteOutputs: Bool

    init(_ run: Run, alwaysWriteOutputs: Bool = true) {
        self.run = run
        self.alwaysWriteOutputs = alwaysWriteOutputs
    }

    func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("info", WireRunInfo(run.info))
            writer.key("data")
            writer.object { writer in
                writer.member("metrics", run.data.metrics.map(WireMetric.init))
                writer.member("params", run.data.params.wire)
                writer.member("tags", run.data.tags.wire)
            }
            writer.key("inputs")
            writer.object { writer in
                writer.member("dataset_inputs", run.datasetInputs.map { WireDatasetInput(tags: $0.tags.wire, dataset: WireDataset($0.dataset)) })
                writer.member("model_inputs", run.modelInputs.map { WireModelInput(model_id: $0) })
            }
            if alwaysWriteOutputs || !run.modelOutputs.isEmpty {
                writer.key("outputs")
                writer.object { writer in
                    writer.member("model_outputs", run.modelOutputs.map { WireModelOutput(model_id: $0.modelID, step: WireInt64($0.step)) })
                }
            }
        }
    }
}
