/// One logged observation of a metric; a run keeps every observation, and the greatest by
/// (step, timestamp, value) is its latest value, the one searches compare.
public struct Metric: Sendable, Equatable {
    public var key: String
    public var value: Double
    public var timestamp: Int64
    public var step: Int64
    /// Set when a metric is returned for several runs at once (bulk history) or for a logged model.
    public var runID: String?
    /// The logged model the observation measures, if any (MLflow 3's model-scoped metrics).
    public var modelID: String?
    /// The dataset the observation was computed on, if the client named one.
    public var datasetName: String?
    public var datasetDigest: String?

    public init(
        key: String, value: Double, timestamp: Int64, step: Int64 = 0, runID: String? = nil, modelID: String? = nil,
        datasetName: String? = nil, datasetDigest: String? = nil
    ) {
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.step = step
        self.runID = runID
        self.modelID = modelID
        self.datasetName = datasetName
        self.datasetDigest = datasetDigest
    }

    /// Whether `self` supersedes `other` as a run's latest value of the same key: compared by step, then
    /// timestamp, then value, where NaN ranks below every number.
    public func supersedes(_ other: Metric) -> Bool {
        if step != other.step { return step > other.step }
        if timestamp != other.timestamp { return timestamp > other.timestamp }
        if value.isNaN { return false }
        if other.value.isNaN { return true }
        return value > other.value
    }

    /// Equality that treats NaN as equal to NaN, as stored history does.
    public func isSameObservation(as other: Metric) -> Bool {
        key == other.key && step == other.step && timestamp == other.timestamp
            && (value == other.value || (value.isNaN && other.value.isNaN))
    }
}
