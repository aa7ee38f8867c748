import Foundation

/// The rules of logged models: ids, names, what may be logged to them and how they are searched.
public struct LoggedModelService: Sendable {
    let repository: any LoggedModelRepository
    let runs: any RunRepository
    let now: @Sendable () -> Int64

    public init(repository: any LoggedModelRepository, runs: any RunRepository, now: @escaping @Sendable () -> Int64 = EpochClock.now) {
        self.repository = repository
        self.runs = runs
        self.now = now
    }

    /// `m-` and 32 lowercase hex characters, as MLflow's logged-model ids.
    public static func randomModelID() -> String {
        "m-" + RandomUUID.hex()
    }

    public func createLoggedModel(
        experimentID: String, name: String?, modelType: String?, sourceRunID: String?, params: [Param], tags: [Tag]
    ) async throws -> LoggedModel {
        let params = try params.enumerated().map { index, param throws(StewardError) in
            try RunService.validatedParam(param, path: "params[\(index)]")
        }
        let tags = try tags.enumerated().map { index, tag throws(StewardError) in try RunService.validatedTag(tag, path: "tags[\(index)]") }
        let sourceRunID = sourceRunID?.isEmpty == false ? sourceRunID : nil
        if let sourceRunID { _ = try await runs.run(id: sourceRunID) }
        let name = name?.isEmpty == false ? name! : RunNameGenerator.name()
        return try await repository.createLoggedModel(
            NewLoggedModel(
                modelID: Self.randomModelID(), experimentID: experimentID, name: name, modelType: modelType ?? "", sourceRunID: sourceRunID,
                params: params, tags: tags, now: now()))
    }

    public func loggedModel(id: String) async throws -> LoggedModel {
        try await repository.loggedModel(id: id)
    }

    public func finalizeLoggedModel(id: String, status: LoggedModelStatus) async throws -> LoggedModel {
        guard status == .ready || status == .uploadFailed else {
            throw StewardError.invalidParameter(
                "Invalid status '\(status.rawValue)': a logged model is finalized as \(LoggedModelStatus.ready.rawValue) or "
                    + "\(LoggedModelStatus.uploadFailed.rawValue).")
        }
        return try await repository.finalizeLoggedModel(id: id, status: status, now: now())
    }

    public func deleteLoggedModel(id: String) async throws {
        try await repository.deleteLoggedModel(id: id, now: now())
    }

    public func setLoggedModelTags(id: String, tags: [Tag]) async throws -> LoggedModel {
        let tags = try tags.enumerated().map { index, tag throws(StewardError) in try RunService.validatedTag(tag, path: "tags[\(index)]") }
        return try await repository.setLoggedModelTags(id: id, tags: tags, now: now())
    }

    public func deleteLoggedModelTag(id: String, key: String) async throws {
        try await repository.deleteLoggedModelTag(id: id, key: key, now: now())
    }

    public func logLoggedModelParams(id: String, params: [Param]) async throws {
        try RunService.checkBatchLimit("params", TrackingLimits.maxParamsTagsPerBatch, params.count)
        let params = try params.enumerated().map { index, param throws(StewardError) in
            try RunService.validatedParam(param, path: "params[\(index)]")
        }
        try await repository.logLoggedModelParams(id: id, params: params, now: now())
    }

    public func searchLoggedModels(
        experimentIDs: [String], filter: String?, datasets: [DatasetReference],
        orderBy: [(field: String, ascending: Bool, dataset: DatasetReference?)],
        maxResults: Int?, pageToken: String?
    ) async throws -> Page<LoggedModel> {
        guard !experimentIDs.isEmpty else {
            throw StewardError.invalidParameter("SearchLoggedModels request must specify at least one experiment_id.")
        }
        let maxResults = try PageSize.resolve(
            maxResults, default: LoggedModelSearchGrammar.defaultMaxResults, maximum: LoggedModelSearchGrammar.maximumMaxResults)
        let order = try orderBy.map { entry throws(StewardError) in
            LoggedModelOrder(field: try LoggedModelSearchGrammar.orderField(entry.field), ascending: entry.ascending, dataset: entry.dataset)
        }
        return try await repository.searchLoggedModels(
            LoggedModelQuery(
                experimentIDs: experimentIDs, filter: try LoggedModelSearchGrammar.filter(filter), datasets: datasets, orderBy: order,
                maxResults: maxResults, page: try PageToken.decode(pageToken)))
    }
}
