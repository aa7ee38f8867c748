/// One evaluation of a model version of a system on a test set: its metrics, the MLflow run that holds them,
/// and the gate's verdict under the system's gate spec in force at the time.
public struct Evaluation: Sendable, Equatable {
    public let id: String
    public let systemID: String
    public let model: String
    public let version: Int64
    public let task: EvaluationTask
    public let datasetName: String
    /// SHA-256 of the test-set file as uploaded.
    public let datasetDigest: String
    public let rows: Int
    public let runID: String
    public let report: MetricReport
    /// The gate spec version checked, and the result; nil when the system had no gate.
    public let gateVersion: Int64?
    public let gate: GateResult?
    public let createdBy: String
    public let createdAt: Int64

    public init(
        id: String, systemID: String, model: String, version: Int64, task: EvaluationTask, datasetName: String, datasetDigest: String, rows: Int,
        runID: String, report: MetricReport, gateVersion: Int64?, gate: GateResult?, createdBy: String, createdAt: Int64
    ) {
        self.id = id
        self.systemID = systemID
        self.model = model
        self.version = version
        self.task = task
        self.datasetName = datasetName
        self.datasetDigest = datasetDigest
        self.rows = rows
        self.runID = runID
        self.report = report
        self.gateVersion = gateVersion
        self.gate = gate
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    /// Whether the whole gate passed.
    public var gatePassed: Bool { gate?.passed ?? false }

    /// Whether the gate held fairness conditions (on `fairness.*` metrics) and every one of them passed: what the
    /// bias-testing control asks for.
    public var fairnessGatePassed: Bool {
        guard let gate else { return false }
        let fairness = gate.conditions.filter { $0.condition.hasPrefix("fairness.") }
        return !fairness.isEmpty && fairness.allSatisfy { $0.outcome == .passed }
    }
}

/// A gate spec as stored for a system: each change is a new version.
public struct StoredGate: Sendable, Equatable {
    public let systemID: String
    public let version: Int64
    public let spec: GateSpec
    public let author: String
    public let createdAt: Int64

    public init(systemID: String, version: Int64, spec: GateSpec, author: String, createdAt: Int64) {
        self.systemID = systemID
        self.version = version
        self.spec = spec
        self.author = author
        self.createdAt = createdAt
    }
}
