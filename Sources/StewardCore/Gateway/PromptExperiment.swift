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
    /// What the versions are compared on: feedback (`conversion`, the default), labels (`accuracy`, `mae`), judge
    /// scores (`judge_score`) or failures (`error_rate`).
    public var primaryMetric: RolloutAnalysis.Metric
    /// The judge that grades a sample of the experiment's answers, if any.
    public var judge: OnlineJudge?
    public var createdBy: String
    public var createdAt: Int64

    public init(
        id: String, systemID: String, prompt: String, arms: [Arm], salt: String, primaryMetric: RolloutAnalysis.Metric,
        judge: OnlineJudge? = nil, createdBy: String, createdAt: Int64
    ) {
        self.id = id
        self.systemID = systemID
        self.prompt = prompt
        self.arms = arms
        self.salt = salt
        self.primaryMetric = primaryMetric
        self.judge = judge
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

    /// A language model, called through the gateway as the system's own call, that grades a sample of the
    /// experiment's answers by a rubric, 0 to 1, each against the request it answered (there is no reference
    /// answer in production). A score is joined to its call's event like a posted `judge_score`, so versions can be
    /// compared on it.
    public struct OnlineJudge: Sendable, Equatable, Codable {
        /// A gateway model the system may use.
        public var model: String
        public var rubric: String
        /// The share of answered calls graded, in percent (above 0, up to 100).
        public var samplePercent: Double
        /// The most tokens a grade may take (the judge answers with a number): what each grade holds of the
        /// system's budget while it runs. A reasoning model needs more than the default.
        public var maximumTokens: Int64
        /// The share graded when none is given: each grade is a call to the judge's model, paid for.
        public static let defaultSamplePercent = 10.0

        /// The limit of a grade's tokens when none is given.
        public static let defaultMaximumTokens: Int64 = 16

        private enum CodingKeys: String, CodingKey { case model, rubric, samplePercent, maximumTokens }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            model = try container.decode(String.self, forKey: .model)
            rubric = try container.decode(String.self, forKey: .rubric)
            samplePercent = try container.decode(Double.self, forKey: .samplePercent)
            maximumTokens = try container.decodeIfPresent(Int64.self, forKey: .maximumTokens) ?? Self.defaultMaximumTokens
        }

        public init(model: String, rubric: String, samplePercent: Double, maximumTokens: Int64 = defaultMaximumTokens) {
            self.model = model
            self.rubric = rubric
            self.samplePercent = samplePercent
            self.maximumTokens = maximumTokens
        }

        /// Checks the rubric and the share (the model is checked against the system's list where it is set).
        public func validate() throws(StewardError) {
            guard !rubric.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw .invalidParameter("judge.rubric is required: what makes an answer good.")
            }
            guard rubric.utf8.count <= 4096 else { throw .invalidParameter("judge.rubric is longer than 4096 bytes.") }
            guard samplePercent > 0 && samplePercent <= 100 else {
                throw .invalidParameter("judge.sample_percent must be above 0 and at most 100, got \(samplePercent).")
            }
            guard (1...100_000).contains(maximumTokens) else {
                throw .invalidParameter("judge.max_tokens must be a whole number from 1 to 100000, got \(maximumTokens).")
            }
        }

        /// Whether the call `requestID` of `experiment` is graded: the same answer on every replica.
        public func grades(requestID: String, salt: String) -> Bool {
            samplePercent >= 100 || Double(TrafficSplit.bucket(unit: requestID, salt: salt + "/judge")) < samplePercent * 100
        }

        /// The instructions the judge receives: the rubric, and how to answer so the score can be read.
        public var instructions: String {
            "You grade an AI assistant's answer to a request by this rubric:\n\(rubric)\n\n"
                + "Reply with only a number from 0 (fails the rubric) to 1 (meets it fully)."
        }

        /// What the judge is asked: the request (its messages' text) and the answer.
        public static func question(request: String, answer: String) -> String {
            "Request:\n\(request)\n\nAnswer:\n\(answer)"
        }
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
        /// Calls with a judge score, and their mean.
        public var judged: Int
        public var judgeScore: Double?
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
                mae: measured.mae, judged: measured.judged, judgeScore: measured.judgeScore)
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
