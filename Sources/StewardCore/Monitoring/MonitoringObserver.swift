import StewardStatistics

/// Told what monitoring saw, for exporters such as Prometheus: each stored batch of new events, and each
/// evaluation of a system's alerts with the drift it measured.
public protocol MonitoringObserver: Sendable {
    func stored(systemID: String, events: [InferenceEvent])
    func evaluated(systemID: String, firing: [Alert], drift: DatasetDrift?)
}
