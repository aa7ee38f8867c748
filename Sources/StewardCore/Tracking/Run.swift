/// Execution state of a run, as MLflow names it.
public enum RunStatus: String, Sendable, Codable, CaseIterable {
    case running = "RUNNING"
    case scheduled = "SCHEDULED"
    case finished = "FINISHED"
    case failed = "FAILED"
    case killed = "KILLED"
}

/// Identity and lifecycle of a run.
public struct RunInfo: Sendable, Equatable {
    public var runID: String
    public var runName: String
    public var experimentID: String
    public var userID: String
    public var status: RunStatus
    public var startTime: Int64
    public var endTime: Int64?
    public var artifactURI: String
    public var lifecycleStage: LifecycleStage

    public init(
        runID: String, runName: String, experimentID: String, userID: String, status: RunStatus,
        startTime: Int64, endTime: Int64?, artifactURI: String, lifecycleStage: LifecycleStage
    ) {
        self.runID = runID
        self.runName = runName
        self.experimentID = experimentID
        self.userID = userID
        self.status = status
        self.startTime = startTime
        self.endTime = endTime
        self.artifactURI = artifactURI
        self.lifecycleStage = lifecycleStage
    }
}

/// What a run logged: the latest value of each metric, its params and its tags.
public struct RunData: Sendable, Equatable {
    public var metrics: [Metric]
    public var params: [Param]
    public var tags: [Tag]

    public init(metrics: [Metric] = [], params: [Param] = [], tags: [Tag] = []) {
        self.metrics = metrics
        self.params = params
        self.tags = tags
    }
}

/// A model a run produced, at the step it was produced.
public struct ModelOutput: Sendable, Equatable {
    public var modelID: String
    public var step: Int64

    public init(modelID: String, step: Int64) {
        self.modelID = modelID
        self.step = step
    }
}

/// One training or evaluation run with everything it logged.
public struct Run: Sendable, Equatable {
    public var info: RunInfo
    public var data: RunData
    public var datasetInputs: [DatasetInput]
    public var modelInputs: [String]
    public var modelOutputs: [ModelOutput]

    public init(
        info: RunInfo, data: RunData = RunData(), datasetInputs: [DatasetInput] = [], modelInputs: [String] = [],
        modelOutputs: [ModelOutput] = []
    ) {
        self.info = info
        self.data = data
        self.datasetInputs = datasetInputs
        self.modelInputs = modelInputs
        self.modelOutputs = modelOutputs
    }
}
