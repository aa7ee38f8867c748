/// How a system's model traffic is split between registered versions, each served by its own model server. A
/// system has at most one live deployment; creating another ends the one before. A graduated or rolled-back
/// deployment keeps serving (all traffic on the arm that won or stayed) until it is replaced.
public struct Deployment: Sendable, Equatable {
    /// How the arms share traffic.
    public enum Mode: String, Sendable, Codable, CaseIterable, NamedChoice {
        public static let choiceName = "deployment mode"

        /// One arm takes every request.
        case single
        /// A champion and a challenger; the challenger's share climbs the steps of the analysis.
        case canary
        /// Two or more arms with fixed weights.
        case ab
        /// The first arm answers every request; each other arm gets a copy, recorded and never returned.
        case shadow
    }

    public enum State: String, Sendable, Codable, CaseIterable {
        /// Serving and, for a canary or A/B test, still deciding.
        case active
        /// The challenger won and was promoted; it now takes every request.
        case graduated
        /// The challenger was taken out; the champion takes every request.
        case rolledBack = "rolled_back"
        /// Replaced by a later deployment of the system; serves nothing.
        case ended
    }

    /// One registered version, the server that runs it, and its share of traffic.
    public struct Arm: Sendable, Equatable, Codable {
        /// `champion` and `challenger` in a canary or shadow deployment, `primary` alone, `a`, `b`, … in an A/B test.
        public var name: String
        public var model: String
        public var version: Int64
        /// The model server's scoring URL (MLflow's pyfunc protocol, `POST /invocations`).
        public var endpoint: String
        /// A percentage; the arms' weights sum to 100.
        public var weight: Double

        public init(name: String, model: String, version: Int64, endpoint: String, weight: Double) {
            self.name = name
            self.model = model
            self.version = version
            self.endpoint = endpoint
            self.weight = weight
        }
    }

    public var id: String
    public var systemID: String
    public var mode: Mode
    public var arms: [Arm]
    /// Mixed into every unit's hash, so that two deployments split the same units independently.
    public var salt: String
    /// The request field whose value is the unit key when no `X-Steward-Unit` header is sent (e.g. `store_id`).
    public var unitField: String?
    public var analysis: RolloutAnalysis
    public var state: State
    /// When the current weights were set: a step's units are counted from here.
    public var stepStartedAt: Int64
    /// The sequential test's always-valid p-value at the last analysis (the running minimum over looks).
    public var pValue: Double?
    /// The last decision taken or held, in words (why a step holds, why it rolled back).
    public var reason: String
    public var createdBy: String
    public var createdAt: Int64
    public var updatedAt: Int64
    /// Grows by one with each change, so that two concurrent changes cannot both apply.
    public var revision: Int64
    /// The arm the analysis found to have won its staged rollout (set before its graduation is asked for, and kept
    /// whatever the promotion decides): what the `rollout` control observes.
    public var wonArm: String?

    public init(
        id: String, systemID: String, mode: Mode, arms: [Arm], salt: String, unitField: String?, analysis: RolloutAnalysis, state: State,
        stepStartedAt: Int64, pValue: Double? = nil, reason: String, createdBy: String, createdAt: Int64, updatedAt: Int64, revision: Int64,
        wonArm: String? = nil
    ) {
        self.wonArm = wonArm
        self.id = id
        self.systemID = systemID
        self.mode = mode
        self.arms = arms
        self.salt = salt
        self.unitField = unitField
        self.analysis = analysis
        self.state = state
        self.stepStartedAt = stepStartedAt
        self.pValue = pValue
        self.reason = reason
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.revision = revision
    }

    /// The split that assigns requests to arms: every arm by weight, or in shadow mode the champion alone (the
    /// others receive copies).
    public func split() throws(StewardError) -> TrafficSplit {
        if mode == .shadow {
            return try TrafficSplit(percentages: [100] + Array(repeating: 0, count: arms.count - 1), salt: salt)
        }
        return try TrafficSplit(percentages: arms.map(\.weight), salt: salt)
    }

    /// The arms that receive a copy of every request, never answering it.
    public var shadowArms: [Arm] { mode == .shadow && state == .active ? Array(arms.dropFirst()) : [] }

    /// The arm that won this deployment's staged rollout (a canary or A/B test the analysis graduated and that
    /// was not rolled back), if any: the one place the `rollout` control and the maturity level read a win from.
    public var rolloutWinner: Arm? {
        guard mode == .canary || mode == .ab, state != .rolledBack, let wonArm else { return nil }
        return arms.first { $0.name == wonArm }
    }
}
