import Foundation

/// An A/B test of a registered prompt's versions in one system's gateway calls: a call that names the prompt by
/// alias (or by nothing, the latest) gets the version its unit's bucket falls in — the unit is the
/// `X-Steward-Unit` header, else the request's `user`, else the request itself —, sticky and the same on every
/// replica (`TrafficSplit`, as deployments split traffic). A call that names a version gets that version and is
/// not part of the test. Each call's event carries the experiment as its deployment and the version as its arm,
/// so feedback joined by request id is counted per version, and the versions are compared with the deployments'
/// always-valid sequential test.
public struct PromptExperiment: Sendable, Equatable {
    public struct Arm: Sendable, Equatable, Codable {
        /// The prompt version.
        public var version: String
        /// A percentage; the arms' weights sum to 100.
        public var weight: Double

        public init(version: String, weight: Double) {
            self.version = version
            self.weight = weight
        }
    }

    /// `pex-` and 12 hex digits: what the calls' events carry as their deployment.
    public var id: String
    public var systemID: String
    public var prompt: String
    /// The control first: every other version is compared with it.
    public var arms: [Arm]
    public var salt: String
    /// What the versions are compared on: feedback (`conversion`, the default), labels (`accuracy`, `mae`) or
    /// failures (`error_rate`).
    public var primaryMetric: RolloutAnalysis.Metric
    public var createdBy: String
    public var createdAt: Int64

    public init(
        id: String, systemID: String, prompt: String, arms: [Arm], salt: String, primaryMetric: RolloutAnalysis.Metric, createdBy: String,
        createdAt: Int64
    ) {
        self.id = id
        self.systemID = systemID
        self.prompt = prompt
        self.arms = arms
        self.salt = salt
        self.primaryMetric = primaryMetric
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    /// Checks the arms: two or more distinct versions (whole numbers from 1) whose weights split 100.
    public static func validate(_ arms: [Arm]) throws(StewardError) -> TrafficSplit {
        guard arms.count >= 2 else { throw .invalidParameter("A prompt experiment needs at least two versions.") }
        for arm in arms where Int64(arm.version).map({ $0 >= 1 }) != true {
            throw .invalidParameter("versions[].version must be a version number, got '\(arm.version)'.")
        }
        guard Set(arms.map(\.version)).count == arms.count else { throw .invalidParameter("Each version may appear once in an experiment.") }
        return try TrafficSplit(percentages: arms.map(\.weight), salt: "")
    }

    /// Which version a call with `unit` as its key gets.
    public func version(unit: String?) -> String {
        guard let split = try? TrafficSplit(percentages: arms.map(\.weight), salt: salt) else { return arms[0].version }
        return arms[min(split.arm(unit: unit), arms.count - 1)].version
    }

    /// One version's numbers, and how it compares with the control.
    public struct VersionReport: Sendable, Equatable {
        public var version: String
        public var weight: Double
        public var calls: Int
        public var failures: Int
        public var units: Int
        public var costUSD: Double
        public var errorRate: Double?
        public var latencyP50: Double?
        public var latencyP95: Double?
        public var feedback: Int
        public var conversion: Double?
        public var labeled: Int
        public var accuracy: Double?
        public var mae: Double?
        /// Against the control, on the primary metric: this version's value less the control's.
        public var difference: Double?
        /// The always-valid p-value of that difference (nil for the control, or before both have two observations).
        public var pValue: Double?
    }

    /// The experiment measured from its calls' events (by version): each version's numbers, the sequential test of
    /// each against the control, and the verdict in words.
    public func report(_ observations: [ArmObservations], alpha: Double = 0.05) -> (versions: [VersionReport], verdict: String) {
        let byVersion = Dictionary(observations.map { ($0.arm, $0) }, uniquingKeysWith: { first, _ in first })
        var analysis = RolloutAnalysis.default
        analysis.primaryMetric = primaryMetric
        analysis.alpha = alpha
        let control = byVersion[arms[0].version] ?? ArmObservations(arm: arms[0].version)
        var reports: [VersionReport] = []
        for arm in arms {
            let observed = byVersion[arm.version] ?? ArmObservations(arm: arm.version)
            let measured = DeploymentAnalysis.report(
                Deployment.Arm(name: arm.version, model: prompt, version: Int64(arm.version) ?? 0, endpoint: "", weight: arm.weight), observed)
            var report = VersionReport(
                version: arm.version, weight: arm.weight, calls: observed.requests, failures: observed.failures, units: observed.units,
                costUSD: observed.costUSD, errorRate: measured.errorRate, latencyP50: measured.latencyP50, latencyP95: measured.latencyP95,
                feedback: observed.feedback.count, conversion: measured.conversion, labeled: measured.labeled, accuracy: measured.accuracy,
                mae: measured.mae)
            if arm.version != arms[0].version, let test = DeploymentAnalysis.sequentialTest(analysis, champion: control, challenger: observed) {
                report.difference = test.difference
                report.pValue = test.likelihoodRatio.map { min(1, 1 / max($0, .leastNonzeroMagnitude)) }
            }
            reports.append(report)
        }
        let metric = primaryMetric.rawValue
        let significant = reports.dropFirst().filter { ($0.pValue ?? 1) <= alpha }
        guard
            let best = significant.max(by: { left, right in
                primaryMetric.prefers(right.difference ?? 0, over: left.difference ?? 0)
            })
        else {
            return (
                reports,
                "No version differs from version \(arms[0].version) on \(metric) yet at α = \(alpha) (always-valid p-values; look as often as you like)."
            )
        }
        let better = primaryMetric.prefers(best.difference ?? 0, over: 0)
        return (
            reports,
            "Version \(best.version) is \(better ? "better" : "worse") than version \(arms[0].version) on \(metric) (difference \(best.difference ?? 0), p = \(best.pValue ?? 1))."
        )
    }
}
