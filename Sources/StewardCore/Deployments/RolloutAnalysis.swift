/// The rules a canary or A/B deployment is decided by (as Argo Rollouts' and Flagger's analyses, with an always-valid
/// sequential test in place of fixed thresholds on a fixed sample): the steps of the challenger's share, the units
/// each step needs, the guardrails whose breach rolls back at once, and the primary metric that must not be
/// significantly worse (for a step to advance) or must be significantly better (for an A/B challenger to win).
public struct RolloutAnalysis: Sendable, Equatable, Codable {
    /// What the arms are compared on.
    public enum Metric: String, Sendable, Codable, CaseIterable, NamedChoice {
        public static let choiceName = "primary metric"

        /// Failed requests over requests; lower is better. Needs nothing but traffic.
        case errorRate = "error_rate"
        /// Predictions equal to their joined labels; higher is better.
        case accuracy
        /// Mean absolute error against joined labels; lower is better.
        case mae
        /// Share of requests with positive feedback; higher is better.
        case conversion
        /// Mean of the judge scores (0…1) joined to requests; higher is better.
        case judgeScore = "judge_score"

        public var higherIsBetter: Bool { self != .errorRate && self != .mae }

        /// Whether `value` is better than `other` on this metric.
        public func prefers(_ value: Double, over other: Double) -> Bool { higherIsBetter ? value > other : value < other }
    }

    /// The challenger's share at each step of a canary, in percent, rising to 100 (graduation).
    public var steps: [Double]
    /// Units the challenger must serve at a step before the step may advance (and at least this many per arm
    /// before an A/B test may decide).
    public var minimumUnits: Int
    /// The challenger's error rate may exceed the champion's by at most this much (0.02 = two points), once the
    /// sequential test says the difference is real.
    public var maximumErrorRateIncrease: Double
    /// The challenger's latency p95 may be at most this multiple of the champion's.
    public var maximumLatencyRatio: Double
    public var primaryMetric: Metric
    /// Latency differences up to this many milliseconds never breach the latency guardrail: between two fast
    /// model servers on one host, a p95 of 0.3 ms against 0.5 ms is scheduling noise, not a slower model.
    public static let latencyNoiseMilliseconds = 5.0
    /// Metrics the arms are watched on besides the error rate and latency: a challenger significantly worse than
    /// the champion on any of them (by the same sequential test at `alpha`) is rolled back at once, as for a
    /// breach of the error-rate guardrail (`guardrail_metrics`, e.g. `["accuracy", "conversion"]`).
    public var guardrailMetrics: [Metric] {
        get { guardrails ?? [] }
        set { guardrails = newValue.isEmpty ? nil : newValue }
    }
    /// Stored only when set, so that rules stored before there were guardrail metrics read as they were.
    private var guardrails: [Metric]?
    /// The significance level of the sequential test.
    public var alpha: Double
    /// The scale of the differences the sequential test looks for (τ of its normal mixture), in the primary
    /// metric's unit.
    public var effectScale: Double

    public static let `default` = RolloutAnalysis(
        steps: [5, 10, 25, 50, 100], minimumUnits: 200, maximumErrorRateIncrease: 0.02, maximumLatencyRatio: 1.5, primaryMetric: .errorRate,
        alpha: 0.05, effectScale: 0.02)

    public init(
        steps: [Double], minimumUnits: Int, maximumErrorRateIncrease: Double, maximumLatencyRatio: Double, primaryMetric: Metric, alpha: Double,
        effectScale: Double
    ) {
        self.steps = steps
        self.minimumUnits = minimumUnits
        self.maximumErrorRateIncrease = maximumErrorRateIncrease
        self.maximumLatencyRatio = maximumLatencyRatio
        self.primaryMetric = primaryMetric
        self.alpha = alpha
        self.effectScale = effectScale
    }

    /// Refuses rules that could never decide or would decide on nothing.
    public func validate() throws(StewardError) {
        guard !steps.isEmpty, steps.last == 100, zip(steps, steps.dropFirst()).allSatisfy({ $0 < $1 }),
            steps.allSatisfy({ $0 > 0 && $0 <= 100 && ($0 * 100).rounded() == $0 * 100 })
        else {
            throw .invalidParameter(
                "analysis.steps must rise strictly to 100, each a percentage above 0 with at most two decimals, such as [5, 10, 25, 50, 100].")
        }
        guard (1...10_000_000).contains(minimumUnits) else { throw .invalidParameter("analysis.minimum_units must be from 1 to 10,000,000.") }
        guard (0...1).contains(maximumErrorRateIncrease) else {
            throw .invalidParameter("analysis.max_error_rate_increase is a rate difference from 0 to 1, such as 0.02.")
        }
        guard maximumLatencyRatio >= 1, maximumLatencyRatio.isFinite else {
            throw .invalidParameter("analysis.max_latency_ratio is a multiple of the champion's p95 of at least 1, such as 1.5.")
        }
        guard alpha > 0, alpha < 0.5 else { throw .invalidParameter("analysis.alpha is a significance level above 0 and below 0.5, such as 0.05.") }
        guard !guardrailMetrics.contains(.errorRate) else {
            throw .invalidParameter("analysis.guardrail_metrics: error_rate has its own guardrail (max_error_rate_increase).")
        }
        guard Set(guardrailMetrics).count == guardrailMetrics.count else {
            throw .invalidParameter("analysis.guardrail_metrics lists a metric twice.")
        }
        guard effectScale > 0, effectScale.isFinite else { throw .invalidParameter("analysis.effect_scale must be a positive number.") }
    }
}
