/// One logged observation of a metric; a run keeps every observation, and the greatest by
/// (step, timestamp, value) is its latest value, the one searches compare.
public struct Metric: Sendable, Equatable {
    public var key: String
    public var value: Double
    public var timestamp: Int64
    public var step: Int64
    /// Set when a metric is returned for several runs at once (bulk history).
    public var runID: String?

    public init(key: String, value: Double, timestamp: Int64, step: Int64 = 0, runID: String? = nil) {
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.step = step
        self.runID = runID
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
