import Prometheus
import StewardCore
import StewardStatistics

/// Monitoring figures per system for Prometheus: counters of events, failed events, safety-flagged events,
/// tokens and cost, a latency histogram, alert evaluations, and after each of them the firing alerts per category
/// and the drift values. Served as text at `/metrics`.
struct PrometheusMonitoringObserver: MonitoringObserver {
    let registry: PrometheusCollectorRegistry

    static let latencyBuckets: [Double] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]

    static func metric(_ subsystem: String, _ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "steward", subsystem: subsystem, metricName: name, unitName: unit, helpText: help)
    }

    static var events: MetricNameDescriptor { metric("inference", "events", "total", "Inference events stored.") }
    static var errors: MetricNameDescriptor { metric("inference", "errors", "total", "Inference events that failed.") }
    static var flagged: MetricNameDescriptor { metric("inference", "safety_flagged", "total", "Inference events a safety filter flagged.") }
    static var cost: MetricNameDescriptor { metric("inference", "cost", "usd_total", "Cost of the stored inference events in US dollars.") }
    static var tokens: MetricNameDescriptor { metric("inference", "tokens", "total", "Tokens in and out of the stored inference events.") }
    static var latency: MetricNameDescriptor { metric("inference", "latency", "milliseconds", "Latency of inference events.") }
    static var evaluations: MetricNameDescriptor { metric("alerts", "evaluations", "total", "Alert evaluations this server ran.") }
    static var firing: MetricNameDescriptor { metric("alerts", "firing", "count", "Firing alerts per category at the last evaluation.") }
    static var driftShare: MetricNameDescriptor { metric("drift", "share", "ratio", "Share of drifted features at the last evaluation.") }
    static var featureDrift: MetricNameDescriptor {
        metric("drift", "feature", "value", "Drift of each feature from the reference at the last evaluation.")
    }

    func stored(systemID: String, events: [InferenceEvent]) {
        guard !events.isEmpty else { return }
        let labels = [("system_id", systemID)]
        let latency = registry.makeValueHistogram(descriptor: Self.latency, labels: labels, buckets: Self.latencyBuckets)
        // One pass over the events, reading each in place: a flush of served events is thousands of them.
        var (failed, flagged, tokens, cost) = (Int64(0), Int64(0), Int64(0), 0.0)
        for index in events.indices {
            if events[index].failed { failed += 1 }
            if !events[index].safetyFlags.isEmpty { flagged += 1 }
            cost += events[index].costUSD ?? 0
            tokens += (events[index].tokensIn ?? 0) + (events[index].tokensOut ?? 0)
            if let milliseconds = events[index].latencyMilliseconds { latency.record(milliseconds) }
        }
        registry.makeCounter(descriptor: Self.events, labels: labels).increment(by: Int64(events.count))
        registry.makeCounter(descriptor: Self.errors, labels: labels).increment(by: failed)
        registry.makeCounter(descriptor: Self.flagged, labels: labels).increment(by: flagged)
        registry.makeCounter(descriptor: Self.cost, labels: labels).increment(by: cost)
        registry.makeCounter(descriptor: Self.tokens, labels: labels).increment(by: tokens)
    }

    func evaluated(systemID: String, firing: [Alert], drift: DatasetDrift?) {
        registry.makeCounter(descriptor: Self.evaluations, labels: [("system_id", systemID)]).increment()
        for category in AlertRules.Category.allCases {
            registry.makeGauge(descriptor: Self.firing, labels: [("system_id", systemID), ("category", category.rawValue)])
                .set(Double(firing.filter { $0.category == category }.count))
        }
        guard let drift else { return }
        registry.makeGauge(descriptor: Self.driftShare, labels: [("system_id", systemID)]).set(drift.driftShare)
        for feature in drift.features {
            registry.makeGauge(
                descriptor: Self.featureDrift, labels: [("system_id", systemID), ("feature", feature.feature), ("method", feature.method.rawValue)]
            )
            .set(feature.statistic.isFinite ? feature.statistic : .greatestFiniteMagnitude)
        }
    }
}
