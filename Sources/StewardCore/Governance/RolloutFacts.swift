/// What Steward observed of a version's staged rollouts, which the `rollout` control and the maturity level read:
/// the canaries and A/B tests of the system whose analysis found this version the winner, and whether the version
/// would be the system's first release (nothing in production yet to stage it against).
public struct RolloutFacts: Sendable, Equatable {
    /// A staged rollout the version won: the deployment, and the units its analysis required of each step.
    public struct Win: Sendable, Equatable {
        public var deployment: String
        public var unitsPerStep: Int

        public init(deployment: String, unitsPerStep: Int) {
            self.deployment = deployment
            self.unitsPerStep = unitsPerStep
        }
    }

    /// The staged rollouts this version won, oldest first.
    public var won: [Win]
    /// No other version of the system's models holds or held a protected alias or the Production stage: a first
    /// release has no champion to run a canary against, so its rollout cannot be staged and is not asked to be.
    public var firstRelease: Bool
    /// The version held a protected alias or the Production stage before: it went through its rollout then, and
    /// going back to it (a rollback) is not a new release.
    public var formerChampion: Bool
    /// False for a prompt: deployments serve models, so a prompt's rollout cannot be staged through one yet.
    public var stageable: Bool

    public init(won: [Win] = [], firstRelease: Bool = false, formerChampion: Bool = false, stageable: Bool = true) {
        self.won = won
        self.firstRelease = firstRelease
        self.formerChampion = formerChampion
        self.stageable = stageable
    }

    /// The wins whose analysis asked at least `minimumUnits` of each step: a test decided on a handful of units
    /// is no evidence, and the policy's floor is what keeps `minimum_units: 1` from counting.
    public func wins(minimumUnits: Int) -> [Win] { won.filter { $0.unitsPerStep >= minimumUnits } }

    public func satisfied(minimumUnits: Int) -> Bool { !wins(minimumUnits: minimumUnits).isEmpty || firstRelease || formerChampion || !stageable }

    public func described(minimumUnits: Int) -> String {
        if let win = wins(minimumUnits: minimumUnits).last {
            return "observed: the version won the staged rollout of deployment \(win.deployment)"
        }
        if !stageable { return "not staged: deployments serve models, and a prompt's rollout cannot go through one" }
        if firstRelease { return "observed: the system's first release, with no champion in production to stage it against" }
        if formerChampion { return "observed: the version was in production before (a protected alias or the Production stage)" }
        if let win = won.last {
            return "observed: the version won deployment \(win.deployment) on \(win.unitsPerStep) units a step, "
                + "fewer than the \(minimumUnits) the policy asks of a staged rollout"
        }
        return "observed: the version has not won a canary or A/B test of this system against its champion"
    }
}
