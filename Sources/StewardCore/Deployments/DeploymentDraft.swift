/// A deployment as a client asks for it, before any check: `mode`, the arms with their weights, the optional
/// unit field and analysis rules (each rule left out keeps its default).
public struct DeploymentDraft: Sendable, Equatable {
    public struct Arm: Sendable, Equatable {
        public var name: String?
        public var model: String
        public var version: String
        public var endpoint: String
        public var weight: Double

        public init(name: String? = nil, model: String, version: String, endpoint: String, weight: Double) {
            self.name = name
            self.model = model
            self.version = version
            self.endpoint = endpoint
            self.weight = weight
        }
    }

    /// Analysis rules to change from `RolloutAnalysis.default`.
    public struct Analysis: Sendable, Equatable {
        public var steps: [Double]?
        public var minimumUnits: Int?
        public var maximumErrorRateIncrease: Double?
        public var maximumLatencyRatio: Double?
        public var primaryMetric: String?
        public var alpha: Double?
        public var effectScale: Double?
        public var guardrailMetrics: [String]?

        public init(
            steps: [Double]? = nil, minimumUnits: Int? = nil, maximumErrorRateIncrease: Double? = nil, maximumLatencyRatio: Double? = nil,
            primaryMetric: String? = nil, alpha: Double? = nil, effectScale: Double? = nil, guardrailMetrics: [String]? = nil
        ) {
            self.guardrailMetrics = guardrailMetrics
            self.steps = steps
            self.minimumUnits = minimumUnits
            self.maximumErrorRateIncrease = maximumErrorRateIncrease
            self.maximumLatencyRatio = maximumLatencyRatio
            self.primaryMetric = primaryMetric
            self.alpha = alpha
            self.effectScale = effectScale
        }

        /// The default rules with these changes, validated.
        public func rules() throws(StewardError) -> RolloutAnalysis {
            var rules = RolloutAnalysis.default
            if let steps { rules.steps = steps }
            if let minimumUnits { rules.minimumUnits = minimumUnits }
            if let maximumErrorRateIncrease { rules.maximumErrorRateIncrease = maximumErrorRateIncrease }
            if let maximumLatencyRatio { rules.maximumLatencyRatio = maximumLatencyRatio }
            if let primaryMetric { rules.primaryMetric = try RolloutAnalysis.Metric(parsing: primaryMetric) }
            if let alpha { rules.alpha = alpha }
            if let effectScale { rules.effectScale = effectScale }
            if let guardrailMetrics {
                rules.guardrailMetrics = try guardrailMetrics.map { name throws(StewardError) in try RolloutAnalysis.Metric(parsing: name) }
            }
            try rules.validate()
            return rules
        }
    }

    public var mode: String
    public var arms: [Arm]
    public var unitField: String?
    public var analysis: Analysis?

    public init(mode: String, arms: [Arm], unitField: String? = nil, analysis: Analysis? = nil) {
        self.mode = mode
        self.arms = arms
        self.unitField = unitField
        self.analysis = analysis
    }
}
