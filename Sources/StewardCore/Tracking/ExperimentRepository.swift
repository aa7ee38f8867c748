/// What an experiment search asks for.
public struct ExperimentQuery: Sendable {
    public var filter: [FilterClause<ExperimentField>]
    public var orderBy: [OrderClause<ExperimentField>]
    public var viewType: ViewType
    public var maxResults: Int
    public var page: PageToken

    public init(
        filter: [FilterClause<ExperimentField>] = [], orderBy: [OrderClause<ExperimentField>] = ExperimentSearchGrammar.defaultOrder,
        viewType: ViewType = .activeOnly, maxResults: Int = ExperimentSearchGrammar.defaultMaxResults, page: PageToken = PageToken(offset: 0)
    ) {
        self.filter = filter
        self.orderBy = orderBy
        self.viewType = viewType
        self.maxResults = maxResults
        self.page = page
    }
}

/// Persistence of experiments and their tags.
public protocol ExperimentRepository: Sendable {
    /// Inserts an experiment and returns its id; `artifactLocation` nil means the default proxied location.
    /// Throws `experimentNameTaken` when the name is in use, deleted experiments included.
    func createExperiment(name: String, artifactLocation: String?, tags: [Tag], now: Int64) async throws -> String
    /// The experiment with this id, deleted or not; throws `experimentNotFound`.
    func experiment(id: String) async throws -> Experiment
    /// The experiment with this name, deleted or not; throws `experimentNameNotFound`.
    func experiment(name: String) async throws -> Experiment
    /// One page of experiments matching the query.
    func searchExperiments(_ query: ExperimentQuery) async throws -> Page<Experiment>
    /// Renames an active experiment; throws `experimentNameTaken` or `experimentNotActive`.
    func renameExperiment(id: String, to name: String, now: Int64) async throws
    /// Soft-deletes or restores an experiment together with its runs.
    func setExperimentLifecycle(id: String, to stage: LifecycleStage, now: Int64) async throws
    /// Sets (inserts or replaces) a tag on an active experiment.
    func setExperimentTag(id: String, tag: Tag) async throws
    /// Removes a tag from an active experiment; throws `experimentTagNotFound`.
    func deleteExperimentTag(id: String, key: String) async throws
}
