/// Upload state of a logged model's artifacts, as MLflow 3 names it.
public enum LoggedModelStatus: String, Sendable, CaseIterable {
    case unspecified = "LOGGED_MODEL_STATUS_UNSPECIFIED"
    case pending = "LOGGED_MODEL_PENDING"
    case ready = "LOGGED_MODEL_READY"
    case uploadFailed = "LOGGED_MODEL_UPLOAD_FAILED"
}

/// A model produced by a run (MLflow 3): its own id, artifact folder, params, tags and model-scoped metrics,
/// from which registered model versions are created.
public struct LoggedModel: Sendable, Equatable {
    public var modelID: String
    public var experimentID: String
    public var name: String
    public var artifactURI: String
    public var status: LoggedModelStatus
    public var statusMessage: String?
    public var modelType: String
    public var sourceRunID: String?
    public var creationTime: Int64
    public var lastUpdatedTime: Int64
    public var tags: [Tag]
    public var params: [Param]
    public var metrics: [Metric]

    public init(
        modelID: String, experimentID: String, name: String, artifactURI: String, status: LoggedModelStatus, statusMessage: String? = nil,
        modelType: String = "", sourceRunID: String? = nil, creationTime: Int64, lastUpdatedTime: Int64, tags: [Tag] = [],
        params: [Param] = [], metrics: [Metric] = []
    ) {
        self.modelID = modelID
        self.experimentID = experimentID
        self.name = name
        self.artifactURI = artifactURI
        self.status = status
        self.statusMessage = statusMessage
        self.modelType = modelType
        self.sourceRunID = sourceRunID
        self.creationTime = creationTime
        self.lastUpdatedTime = lastUpdatedTime
        self.tags = tags
        self.params = params
        self.metrics = metrics
    }
}
