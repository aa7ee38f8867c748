/// A system's MLOps maturity, 0 to 3, computed from what it actually uses rather than declared:
/// 0 manual; 1 tracked runs and a registry; 2 gates, promotion and a rollback path; 3 drift monitoring,
/// a retraining trigger and A/B testing. `missing` says what the next level needs.
public struct MaturityLevel: Sendable, Equatable, Codable {
    public let level: Int
    public let missing: [String]

    /// What the register knows about a system's practice.
    public struct Facts: Sendable, Equatable {
        public var registeredVersionsFromTrackedRuns: Bool
        public var evaluationEvidence: Bool
        public var promotedToProtectedAlias: Bool
        public var rollbackPath: Bool
        public var monitoringEvidence: Bool
        public var retrainingTrigger: Bool
        public var stagedRollout: Bool

        public init(
            registeredVersionsFromTrackedRuns: Bool = false, evaluationEvidence: Bool = false, promotedToProtectedAlias: Bool = false,
            rollbackPath: Bool = false, monitoringEvidence: Bool = false, retrainingTrigger: Bool = false, stagedRollout: Bool = false
        ) {
            self.registeredVersionsFromTrackedRuns = registeredVersionsFromTrackedRuns
            self.evaluationEvidence = evaluationEvidence
            self.promotedToProtectedAlias = promotedToProtectedAlias
            self.rollbackPath = rollbackPath
            self.monitoringEvidence = monitoringEvidence
            self.retrainingTrigger = retrainingTrigger
            self.stagedRollout = stagedRollout
        }
    }

    public init(level: Int, missing: [String]) {
        self.level = level
        self.missing = missing
    }

    public init(_ facts: Facts) {
        let levels: [[(Bool, String)]] = [
            [(facts.registeredVersionsFromTrackedRuns, "a registered model version from a tracked run")],
            [
                (facts.evaluationEvidence, "an evaluation gate result"),
                (facts.promotedToProtectedAlias, "a promotion to a protected alias"),
                (facts.rollbackPath, "a previous production version to roll back to"),
            ],
            [
                (facts.monitoringEvidence, "drift monitoring"), (facts.retrainingTrigger, "a retraining trigger"),
                (facts.stagedRollout, "an A/B test or canary"),
            ],
        ]
        var level = 0
        for requirements in levels {
            let missing = requirements.filter { !$0.0 }.map(\.1)
            if !missing.isEmpty {
                self.init(level: level, missing: missing)
                return
            }
            level += 1
        }
        self.init(level: level, missing: [])
    }
}
