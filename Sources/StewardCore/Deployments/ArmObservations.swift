/// What one arm of a deployment served, as its stored inference events say: the raw material of its metrics and
/// of the decision. Everything covers the whole deployment but `stepUnits`, which counts the current step (the
/// units a step needs, and the split the sample-ratio check compares with the weights), and `latencies`, which
/// are the arm's latest `latencyWindow` requests: its current speed, read at a bounded cost however long it ran.
public struct ArmObservations: Sendable {
    public var arm: String
    public var requests: Int
    public var failures: Int
    /// Distinct units (unit keys, or requests without one).
    public var units: Int
    /// Distinct units since the current weights were set.
    public var stepUnits: Int
    /// Latencies in milliseconds of the arm's latest `latencyWindow` requests.
    public var latencies: [Double]
    /// Predictions with their joined labels.
    public var labeled: [(prediction: FeatureValue?, label: String)]
    /// Joined feedback (−1…1).
    public var feedback: [Double]
    /// Joined judge scores (0…1).
    public var judgeScores: [Double]
    /// What the arm's requests cost, in US dollars, as their events report it.
    public var costUSD: Double

    /// How many of an arm's latest requests its latency percentiles and latency guardrail read.
    public static let latencyWindow = 20_000

    public init(
        arm: String, requests: Int = 0, failures: Int = 0, units: Int = 0, stepUnits: Int = 0, latencies: [Double] = [],
        labeled: [(prediction: FeatureValue?, label: String)] = [], feedback: [Double] = [], judgeScores: [Double] = [],
        costUSD: Double = 0
    ) {
        self.costUSD = costUSD
        self.arm = arm
        self.requests = requests
        self.failures = failures
        self.units = units
        self.stepUnits = stepUnits
        self.latencies = latencies
        self.labeled = labeled
        self.feedback = feedback
        self.judgeScores = judgeScores
    }
}
