import Foundation
import StewardJSON
import StewardStatistics

/// Evaluations and gates of registered systems: who may change a gate spec, how a test set becomes metrics, an
/// MLflow run and a gate verdict, and which champion a candidate is compared with.
public struct EvaluationService: Sendable {
    let repository: any EvaluationRepository
    let gate: any PromotionGate
    let registry: any ModelRegistryRepository
    let experiments: ExperimentService
    let runs: RunService
    let audit: any AuditRepository
    let policy: @Sendable () async throws -> GovernancePolicy
    /// How orders are fulfilled: test sets, the table reader, the outbound model services.
    let orders: EvaluationOrders
    let now: @Sendable () -> Int64

    public init(
        repository: any EvaluationRepository, gate: any PromotionGate, registry: any ModelRegistryRepository, experiments: ExperimentService,
        runs: RunService, audit: any AuditRepository, policy: @escaping @Sendable () async throws -> GovernancePolicy, orders: EvaluationOrders,
        now: @escaping @Sendable () -> Int64 = EpochClock.now
    ) {
        self.orders = orders
        self.repository = repository
        self.gate = gate
        self.registry = registry
        self.experiments = experiments
        self.runs = runs
        self.audit = audit
        self.policy = policy
        self.now = now
    }

    /// The experiment evaluation runs are logged to.
    public static let experimentName = "steward-evaluations"

    /// Replaces a system's gate spec: reviewers, compliance officers and admins, always authenticated.
    public func setGate(systemID: String, document: String, actor: Principal) async throws -> StoredGate {
        let entry = AuditEntry(actor: actor, action: "gate.update", target: "system:\(systemID)", systemID: systemID)
        try await audit.require(actor, [.reviewer, .compliance, .admin], to: "change a gate spec", entry, now: now())
        let spec = try GateSpec(yaml: document)
        var stored = entry
        stored.details = ["digest": SHA256Digest.hex(of: Data(document.utf8)), "conditions": spec.conditions.map(\.text).joined(separator: "; ")]
        let time = now()
        let version = try await repository.storeGate(systemID: systemID, document: document, author: actor.name, now: time, audit: stored)
        return StoredGate(systemID: systemID, version: version, spec: spec, author: actor.name, createdAt: time)
    }

    public func currentGate(systemID: String) async throws -> StoredGate? {
        try await repository.currentGate(systemID: systemID)
    }

    /// What an evaluation is asked to score.
    public struct Request: Sendable {
        public var systemID: String
        public var model: String
        public var version: String
        public var task: EvaluationTask
        public var columns: EvaluationTask.Columns
        public var threshold: Double
        public var datasetName: String
        public var datasetDigest: String
        public var parameters: [String: String]
        /// Metrics computed outside the task's kernels, such as a judge's scores.
        public var extraMetrics: [String: Double]
        /// A schema text outputs must satisfy (`json_schema_compliance`).
        public var jsonSchema: JSONSchema?

        public init(
            systemID: String, model: String, version: String, task: EvaluationTask, columns: EvaluationTask.Columns, threshold: Double,
            datasetName: String, datasetDigest: String, parameters: [String: String], extraMetrics: [String: Double] = [:]
        ) {
            self.extraMetrics = extraMetrics
            self.systemID = systemID
            self.model = model
            self.version = version
            self.task = task
            self.columns = columns
            self.threshold = threshold
            self.datasetName = datasetName
            self.datasetDigest = datasetDigest
            self.parameters = parameters
        }
    }

    /// Computes the metrics, logs them as an MLflow run (with the test set as its input), checks the system's
    /// gate against them and the champion's, and records the evaluation with its audit event.
    public func evaluate(_ request: Request, actor: Principal) async throws -> Evaluation {
        try await gate.requireComponent(systemID: request.systemID, model: request.model, actor: actor, action: "evaluation")
        let version = try ModelRegistryService.versionNumber(request.version)
        _ = try await registry.modelVersion(name: request.model, version: version)
        var report = try request.task.metrics(request.columns, threshold: request.threshold, jsonSchema: request.jsonSchema)
        report.values.merge(request.extraMetrics) { _, extra in extra }
        return try await record(request, version: version, report: report, actor: actor)
    }

    /// Records metrics computed elsewhere (a CI job's `steward evaluate --json`) as an evaluation: the system's
    /// gate decides on them as on computed ones, and the run's parameters and the audit event say they were
    /// reported, not computed here.
    public func recordReported(
        systemID: String, model: String, version: String, task: EvaluationTask, report: MetricReport, datasetName: String, actor: Principal
    ) async throws -> Evaluation {
        try await gate.requireComponent(systemID: systemID, model: model, actor: actor, action: "evaluation")
        let number = try ModelRegistryService.versionNumber(version)
        _ = try await registry.modelVersion(name: model, version: number)
        guard !report.values.isEmpty else { throw StewardError.invalidParameter("No metrics were given.") }
        for name in report.values.keys where !GateSpec.isMetricName(name) {
            throw StewardError.invalidParameter("'\(name)' is not a metric name (letters, digits, '_', '.', '-').")
        }
        // What was reported, identified like a test set: the digest of its sorted `name=value` lines.
        let digest = SHA256Digest.hex(of: Data(report.values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)\n" }.joined().utf8))
        let request = Request(
            systemID: systemID, model: model, version: version, task: task, columns: EvaluationTask.Columns(truth: [], prediction: nil, score: nil),
            threshold: 0.5, datasetName: datasetName, datasetDigest: digest, parameters: ["metrics_source": "reported"])
        return try await record(request, version: number, report: report, actor: actor)
    }

    func record(_ request: Request, version: Int64, report: MetricReport, actor: Principal) async throws -> Evaluation {
        let stored = try await repository.currentGate(systemID: request.systemID)
        let champion = try await championMetrics(systemID: request.systemID, model: request.model)
        let result = stored?.spec.check(report.values, champion: champion)
        let runID = try await logRun(request, version: version, report: report, result: result, actor: actor)
        let evaluation: Evaluation
        do {
            evaluation = try await recordEvaluation(
                request, version: version, report: report, gate: stored, result: result, runID: runID, actor: actor)
        } catch {
            await abandonRun(runID)
            throw error
        }
        // The evaluation stands once recorded; a run that could not be marked finished stays running rather than
        // turning a recorded evaluation into an error the caller would retry.
        _ = try? await runs.updateRun(id: runID, status: .finished, endTime: now(), runName: nil)
        return evaluation
    }

    /// Marks a run whose evaluation could not be recorded as failed and deletes it, so no finished run stands for an
    /// evaluation that does not exist.
    func abandonRun(_ runID: String) async {
        _ = try? await runs.updateRun(id: runID, status: .failed, endTime: now(), runName: nil)
        try? await runs.deleteRun(id: runID)
    }

    func recordEvaluation(
        _ request: Request, version: Int64, report: MetricReport, gate stored: StoredGate?, result: GateResult?, runID: String, actor: Principal
    ) async throws -> Evaluation {
        let evaluation = Evaluation(
            id: RecordID.make("evl"), systemID: request.systemID, model: request.model, version: version, task: request.task,
            datasetName: request.datasetName, datasetDigest: request.datasetDigest, rows: report.counts["rows"] ?? request.columns.truth.count,
            runID: runID, report: report,
            gateVersion: stored?.version, gate: result, createdBy: actor.name, createdAt: now())
        var details = ["run_id": runID, "dataset_digest": request.datasetDigest, "evaluation": evaluation.id]
        if let source = request.parameters["metrics_source"] { details["metrics_source"] = source }
        details["gate"] = result.map { $0.passed ? "passed" : "failed" } ?? "none"
        if let result {
            details["failed_conditions"] = result.conditions.filter { $0.outcome == .failed }.map(\.condition).joined(separator: "; ")
        }
        try await repository.recordEvaluation(
            evaluation,
            audit: AuditEntry(
                actor: actor, action: "evaluation", target: "model:\(request.model)/\(version)", systemID: request.systemID, details: details))
        return evaluation
    }

    /// The metrics of the latest evaluation of the version the model's first protected alias points at.
    func championMetrics(systemID: String, model: String) async throws -> [String: Double]? {
        let protected = try await policy().protectedAliases
        let aliases = try await registry.registeredModel(name: model).aliases
        guard let champion = protected.lazy.compactMap({ name in aliases.first { $0.alias.lowercased() == name.lowercased() } }).first else {
            return nil
        }
        return try await repository.evaluations(systemID: systemID, model: model, version: champion.version).first?.report.values
    }

    func logRun(_ request: Request, version: Int64, report: MetricReport, result: GateResult?, actor: Principal) async throws -> String {
        let experimentID: String
        do {
            experimentID = try await experiments.experiment(name: Self.experimentName).id
        } catch let error as StewardError where error.code == .resourceDoesNotExist {
            do {
                experimentID = try await experiments.createExperiment(name: Self.experimentName, artifactLocation: nil, tags: [])
            } catch let error as StewardError where error.code == .resourceAlreadyExists {
                experimentID = try await experiments.experiment(name: Self.experimentName).id
            }
        }
        let time = now()
        let run = try await runs.createRun(
            experimentID: experimentID, userID: actor.name, runName: "eval-\(request.model)-v\(version)", startTime: time,
            tags: [
                Tag("steward.system_id", request.systemID), Tag("steward.model", request.model), Tag("steward.model_version", "\(version)"),
                Tag("steward.gate", result.map { $0.passed ? "passed" : "failed" } ?? "none"),
            ])
        let runID = run.info.runID
        do {
            try await logResults(request, report: report, runID: runID, time: time)
        } catch {
            await abandonRun(runID)
            throw error
        }
        return runID
    }

    /// Logs the metrics, parameters and test set of an evaluation to its run, which stays running until the
    /// evaluation is recorded.
    func logResults(_ request: Request, report: MetricReport, runID: String, time: Int64) async throws {
        let metrics = report.values.sorted { $0.key < $1.key }.map { Metric(key: $0.key, value: $0.value, timestamp: time) }
        let params = ([("task", request.task.rawValue), ("dataset_digest", request.datasetDigest)] + request.parameters.sorted { $0.key < $1.key })
            .map { Param($0.0, $0.1) }
        var start = 0
        repeat {
            let end = min(start + TrackingLimits.maxMetricsPerBatch - params.count, metrics.count)
            try await runs.logBatch(runID: runID, metrics: Array(metrics[start..<end]), params: start == 0 ? params : [], tags: [])
            start = end
        } while start < metrics.count
        try await runs.logInputs(
            runID: runID,
            datasets: [
                DatasetInput(
                    tags: [Tag("mlflow.data.context", "evaluation")],
                    dataset: Dataset(
                        name: request.datasetName, digest: String(request.datasetDigest.prefix(36)), sourceType: "steward",
                        source: "{\"sha256\": \"\(request.datasetDigest)\"}"))
            ], modelIDs: [])
    }

    public func datasets(systemID: String) async throws -> [EvaluationDataset] {
        try await repository.datasets(systemID: systemID)
    }

    public func evaluation(id: String) async throws -> Evaluation {
        try await repository.evaluation(id: id)
    }

    public func evaluations(systemID: String) async throws -> [Evaluation] {
        try await repository.evaluations(systemID: systemID, model: nil, version: nil)
    }
}
