/// A system's MLOps maturity, 0 to 3, computed from what it actually uses rather than declared:
/// 0 manual; 1 tracked runs and a registry; 2 gates, promotion and a rollback path; 3 drift monitoring,
/// a retraining trigger and A/B testing. `missing` says what the next level needs.
public struct MaturityLevel: Sendable, Equatable, Codable {
    public let level: Int
    public let missing: [String]

    /// What Steward has observed of a system's practice.
    public struct Facts: Sendable, Equatable {
        public var registeredVersionsFromTrackedRuns: Bool
        /// An evaluation of one of its models was checked against its gate.
        public var gateEvaluated: Bool
        public var promotedToProtectedAlias: Bool
        public var rollbackPath: Bool
        /// A reference profile and alert rules.
        public var monitored: Bool
        /// A retraining webhook in its alert rules.
        public var retrainingTrigger: Bool
        /// An A/B test or canary, attested by evidence until deployments are observed.
        public var stagedRollout: Bool

        public init(
            registeredVersionsFromTrackedRuns: Bool = false, gateEvaluated: Bool = false, promotedToProtectedAlias: Bool = false,
            rollbackPath: Bool = false, monitored: Bool = false, retrainingTrigger: Bool = false, stagedRollout: Bool = false
        ) {
            self.registeredVersionsFromTrackedRuns = registeredVersionsFromTrackedRuns
            self.gateEvaluated = gateEvaluated
            self.promotedToProtectedAlias = promotedToProtectedAlias
            self.rollbackPath = rollbackPath
            self.monitored = monitored
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
                (facts.gateEvaluated, "an evaluation checked against the system's gate"),
                (facts.promotedToProtectedAlias, "a promotion to a protected alias"),
                (facts.rollbackPath, "a previous production version to roll back to"),
            ],
            [
                (facts.monitored, "drift monitoring (a reference profile and alert rules)"),
                (facts.retrainingTrigger, "a retraining trigger (a retraining_webhook in the alert rules)"),
                (facts.stagedRollout, "an A/B test or canary that a challenger won (observed from the system's deployments)"),
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
