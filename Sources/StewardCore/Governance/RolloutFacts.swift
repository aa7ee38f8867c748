/// What Steward observed of a version's staged rollouts, which the `rollout` control and the maturity level read:
/// the canaries and A/B tests of the system whose analysis found this version the winner, and whether the version
/// would be the system's first release (nothing in production yet to stage it against).
public struct RolloutFacts: Sendable, Equatable {
    /// The deployments whose staged rollout this version won, by id.
    public var won: [String]
    /// No other version of the system's models holds or held a protected alias or the Production stage: a first
    /// release has no champion to run a canary against, so its rollout cannot be staged and is not asked to be.
    public var firstRelease: Bool
    /// The version held a protected alias or the Production stage before: it went through its rollout then, and
    /// going back to it (a rollback) is not a new release.
    public var formerChampion: Bool
    /// False for a prompt: deployments serve models, so a prompt's rollout cannot be staged through one yet.
    public var stageable: Bool

    public init(won: [String] = [], firstRelease: Bool = false, formerChampion: Bool = false, stageable: Bool = true) {
        self.won = won
        self.firstRelease = firstRelease
        self.formerChampion = formerChampion
        self.stageable = stageable
    }

    public var satisfied: Bool { !won.isEmpty || firstRelease || formerChampion || !stageable }

    public var described: String {
        if let deployment = won.last { return "observed: the version won the staged rollout of deployment \(deployment)" }
        if !stageable { return "not staged: deployments serve models, and a prompt's rollout cannot go through one" }
        if firstRelease { return "observed: the system's first release, with no champion in production to stage it against" }
        if formerChampion { return "observed: the version was in production before (a protected alias or the Production stage)" }
        return "observed: the version has not won a canary or A/B test of this system against its champion"
    }
}
