import Foundation

/// The rules of runs: naming, what may be logged and how much at once, which runs may change, and how
/// searches and metric histories are asked for.
public struct RunService: Sendable {
    let repository: any RunRepository
    let now: @Sendable () -> Int64
    let makeRunID: @Sendable () -> String

    public init(
        repository: any RunRepository, now: @escaping @Sendable () -> Int64 = EpochClock.now,
        makeRunID: @escaping @Sendable () -> String = RunService.randomRunID
    ) {
        self.repository = repository
        self.now = now
        self.makeRunID = makeRunID
    }

    /// 32 lowercase hex characters, as MLflow's run ids.
    public static func randomRunID() -> String {
        RandomUUID.hex()
    }

    /// The tag that mirrors a run's name.
    public static let runNameTag = "mlflow.runName"

    public func createRun(experimentID: String?, userID: String?, runName: String?, startTime: Int64?, tags: [Tag]) async throws -> Run {
        let tags = try tags.enumerated().map { index, tag throws(StewardError) in try Self.validatedTag(tag, path: "tags[\(index)]") }
        let taggedName = tags.last { $0.key == Self.runNameTag }?.value
        let requestedName = runName?.isEmpty == false ? runName : nil
        if let requestedName, let taggedName, requestedName != taggedName {
            throw StewardError.invalidParameter(
                "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values "
                    + "(run_name='\(requestedName)', mlflow.runName='\(taggedName)').")
        }
        let name = requestedName ?? taggedName ?? RunNameGenerator.name()
        var finalTags = tags.filter { $0.key != Self.runNameTag }
        finalTags.append(Tag(Self.runNameTag, name))
        let experimentID = experimentID?.isEmpty == false ? experimentID! : Experiment.defaultID
        let run = NewRun(
            runID: makeRunID(), experimentID: experimentID, userID: userID ?? "", runName: name,
            startTime: startTime ?? now(), tags: finalTags)
        return try await repository.createRun(run)
    }

    public func run(id: String) async throws -> Run {
        try await repository.run(id: id)
    }

    public func updateRun(id: String, status: RunStatus?, endTime: Int64?, runName: String?) async throws -> RunInfo {
        try await repository.updateRun(id: id, RunUpdate(status: status, endTime: endTime, runName: runName?.isEmpty == false ? runName : nil))
    }

    public func deleteRun(id: String) async throws {
        try await repository.setRunLifecycle(id: id, to: .deleted, now: now())
    }

    public func restoreRun(id: String) async throws {
        try await repository.setRunLifecycle(id: id, to: .active, now: now())
    }

    public func logMetric(runID: String, _ metric: Metric) async throws {
        try Self.validateMetric(metric, path: "")
        try await repository.logBatch(runID: runID, metrics: [metric], params: [], tags: [])
    }

    public func logParam(runID: String, _ param: Param) async throws {
        let param = try Self.validatedParam(param, path: "")
        try await repository.logBatch(runID: runID, metrics: [], params: [param], tags: [])
    }

    public func setTag(runID: String, _ tag: Tag) async throws {
        let tag = try Self.validatedTag(tag, path: "")
        try await repository.logBatch(runID: runID, metrics: [], params: [], tags: [tag])
    }

    public func deleteTag(runID: String, key: String) async throws {
        try await repository.deleteRunTag(runID: runID, key: key)
    }

    /// Logs up to MLflow's batch limits of metrics, params and tags in one transaction.
    public func logBatch(runID: String, metrics: [Metric], params: [Param], tags: [Tag]) async throws {
        try Self.checkBatchLimit("metrics", TrackingLimits.maxMetricsPerBatch, metrics.count)
        try Self.checkBatchLimit("params", TrackingLimits.maxParamsTagsPerBatch, params.count)
        try Self.checkBatchLimit("tags", TrackingLimits.maxParamsTagsPerBatch, tags.count)
        try Self.checkBatchLimit(
            "metrics, params, and tags", TrackingLimits.maxEntitiesPerBatch, metrics.count + params.count + tags.count)
        for (index, metric) in metrics.enumerated() { try Self.validateMetric(metric, path: "metrics[\(index)]") }
        let params = try params.enumerated().map { index, param throws(StewardError) in
            try Self.validatedParam(param, path: "params[\(index)]")
        }
        let tags = try tags.enumerated().map { index, tag throws(StewardError) in try Self.validatedTag(tag, path: "tags[\(index)]") }
        var seen = Set<String>()
        let duplicates = params.map(\.key).filter { !seen.insert($0).inserted }
        if !duplicates.isEmpty {
            throw StewardError.invalidParameter(
                "Duplicate parameter keys have been submitted: [\(duplicates.map { "'\($0)'" }.joined(separator: ", "))]. "
                    + "Please ensure the request contains only one param value per param key.")
        }
        try await repository.logBatch(runID: runID, metrics: metrics, params: params, tags: tags)
    }

    public func logInputs(runID: String, datasets: [DatasetInput], modelIDs: [String]) async throws {
        try Self.checkBatchLimit("datasets", TrackingLimits.maxMetricsPerBatch, datasets.count)
        for (index, input) in datasets.enumerated() { try Self.validate(input, path: "datasets[\(index)]") }
        try await repository.logInputs(runID: runID, datasets: datasets, modelIDs: modelIDs)
    }

    public func logOutputs(runID: String, models: [ModelOutput]) async throws {
        for (index, model) in models.enumerated() where model.modelID.isEmpty {
            throw TrackingLimits.missingValue("models[\(index)].model_id")
        }
        try await repository.logOutputs(runID: runID, models: models)
    }

    public func metricHistory(runID: String, key: String, maxResults: Int?, pageToken: String?) async throws -> Page<Metric> {
        let maxResults = maxResults ?? TrackingLimits.maxMetricHistoryResults
        guard maxResults >= 1 else {
            throw StewardError.invalidParameter("max_results must be a positive integer, got \(maxResults).")
        }
        return try await repository.metricHistory(
            runID: runID, key: key, maxResults: min(maxResults, TrackingLimits.maxMetricHistoryResults),
            page: try PageToken.decode(pageToken))
    }

    /// Each run's history of `key`, sampled down to `maxResults` points per run.
    public func metricHistoryBulkInterval(
        runIDs: [String], key: String, startStep: Int64?, endStep: Int64?, maxResults: Int?
    ) async throws -> [Metric] {
        guard !runIDs.isEmpty else { throw TrackingLimits.missingValue("run_ids") }
        guard runIDs.count <= TrackingLimits.maxBulkIntervalRuns else {
            throw StewardError.invalidParameter(
                "GetMetricHistoryBulkInterval request must specify at most \(TrackingLimits.maxBulkIntervalRuns) run_ids. "
                    + "Received \(runIDs.count) run_ids.")
        }
        let maxResults = maxResults ?? TrackingLimits.maxBulkIntervalResults
        guard (1...TrackingLimits.maxBulkIntervalResults).contains(maxResults) else {
            throw StewardError.invalidParameter("max_results must be between 1 and \(TrackingLimits.maxBulkIntervalResults).")
        }
        let steps: ClosedRange<Int64>?
        switch (startStep, endStep) {
        case (nil, nil): steps = nil
        case (let start?, let end?):
            guard start <= end else {
                throw StewardError.invalidParameter(
                    "end_step must be greater than start_step. Found start_step=\(start) and end_step=\(end).")
            }
            steps = start...end
        default:
            throw StewardError.invalidParameter("If either start step or end step are specified, both must be specified.")
        }
        let histories = try await repository.metricHistories(runIDs: runIDs, key: key, steps: steps)
        var byRun: [String: [Metric]] = [:]
        for metric in histories { byRun[metric.runID ?? "", default: []].append(metric) }
        return runIDs.flatMap { MetricSampling.sample(byRun[$0] ?? [], maxResults: maxResults) }
    }

    public func searchRuns(
        experimentIDs: [String], filter: String?, viewType: ViewType?, maxResults: Int?, orderBy: [String], pageToken: String?
    ) async throws -> Page<Run> {
        let maxResults = try PageSize.resolve(maxResults, default: RunSearchGrammar.defaultMaxResults, maximum: RunSearchGrammar.maximumMaxResults)
        let query = RunQuery(
            experimentIDs: experimentIDs, filter: try RunSearchGrammar.filter(filter), orderBy: try RunSearchGrammar.orderBy(orderBy),
            viewType: viewType ?? .activeOnly, maxResults: maxResults, page: try PageToken.decode(pageToken))
        return try await repository.searchRuns(query)
    }

    // MARK: - Validation

    static func checkBatchLimit(_ entity: String, _ limit: Int, _ count: Int) throws(StewardError) {
        guard count <= limit else {
            throw .invalidParameter(
                "A batch logging request can contain at most \(limit) \(entity). Got \(count) \(entity). Please split up "
                    + "\(entity) across multiple requests and try again.")
        }
    }

    static func join(_ path: String, _ field: String) -> String {
        path.isEmpty ? field : "\(path).\(field)"
    }

    static func validateMetric(_ metric: Metric, path: String) throws(StewardError) {
        try TrackingLimits.validateKey(metric.key, path: join(path, "name"))
        guard metric.timestamp >= 0 else {
            throw TrackingLimits.invalidValue(
                join(path, "timestamp"), String(metric.timestamp),
                "metric '\(metric.key)' (value=\(metric.value)). Timestamp must be a nonnegative long (64-bit integer) ")
        }
    }

    static func validatedParam(_ param: Param, path: String) throws(StewardError) -> Param {
        try TrackingLimits.validateKey(param.key, path: join(path, "key"))
        return Param(param.key, TrackingLimits.truncated(param.value, to: TrackingLimits.maxParamValueLength))
    }

    static func validatedTag(_ tag: Tag, path: String) throws(StewardError) -> Tag {
        try TrackingLimits.validateKey(tag.key, path: join(path, "key"))
        return Tag(tag.key, TrackingLimits.truncated(tag.value, to: TrackingLimits.maxTagValueLength))
    }

    static func validate(_ input: DatasetInput, path: String) throws(StewardError) {
        let dataset = input.dataset
        let checks: [(String, String?, Int, Bool)] = [
            ("name", dataset.name, TrackingLimits.maxDatasetNameLength, true),
            ("digest", dataset.digest, TrackingLimits.maxDatasetDigestLength, true),
            ("source_type", dataset.sourceType, TrackingLimits.maxDatasetNameLength, true),
            ("source", dataset.source, TrackingLimits.maxDatasetSourceLength, true),
            ("schema", dataset.schema, TrackingLimits.maxDatasetSchemaLength, false),
            ("profile", dataset.profile, TrackingLimits.maxDatasetProfileLength, false),
        ]
        for (field, value, limit, required) in checks {
            let fieldPath = "\(path).dataset.\(field)"
            if required, value?.isEmpty ?? true { throw TrackingLimits.missingValue(fieldPath) }
            if let value, value.count > limit { throw TrackingLimits.exceedsLength(fieldPath, limit) }
        }
        for (index, tag) in input.tags.enumerated() {
            let tagPath = "\(path).tags[\(index)]"
            guard !tag.key.isEmpty else { throw TrackingLimits.missingValue("\(tagPath).key") }
            guard tag.key.count <= TrackingLimits.maxInputTagKeyLength else {
                throw TrackingLimits.exceedsLength("\(tagPath).key", TrackingLimits.maxInputTagKeyLength)
            }
            guard tag.value.count <= TrackingLimits.maxInputTagValueLength else {
                throw TrackingLimits.exceedsLength("\(tagPath).value", TrackingLimits.maxInputTagValueLength)
            }
        }
    }
}
