import StewardCore

/// MLflow 3's `LoggedModel` message: `info` (identity, status, tags) and `data` (params, metrics).
struct WireLoggedModel: Sendable, JSONWritable {
    let model: LoggedModel

    init(_ model: LoggedModel) {
        self.model = model
    }

    func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.key("info")
            writer.object { writer in
                writer.member("model_id", model.modelID)
                writer.member("experiment_id", model.experimentID)
                writer.member("name", model.name)
                writer.member("creation_timestamp_ms", model.creationTime)
                writer.member("last_updated_timestamp_ms", model.lastUpdatedTime)
                writer.member("artifact_uri", model.artifactURI)
                writer.member("status", model.status.rawValue)
                writer.member("model_type", model.modelType)
                writer.member("source_run_id", model.sourceRunID)
                writer.member("status_message", model.statusMessage)
                writer.member("tags", model.tags.wire)
            }
            writer.key("data")
            writer.object { writer in
                writer.member("params", model.params.wire)
                writer.member("metrics", model.metrics.map(WireMetric.init))
            }
        }
    }
}
