/// A run to insert, with everything the server decided for it (id, name, time).
public struct NewRun: Sendable {
    public var runID: String
    public var experimentID: String
    public var userID: String
    public var runName: String
    public var startTime: Int64
    public var tags: [Tag]

    public init(runID: String, experimentID: String, userID: String, runName: String, startTime: Int64, tags: [Tag]) {
        self.runID = runID
        self.experimentID = experimentID
        self.userID = userID
        self.runName = runName
        self.startTime = startTime
        self.tags = tags
    }
}

/// A change to a run's info; nil fields stay as they are.
public struct RunUpdate: Sendable {
    public var status: RunStatus?
    public var endTime: Int64?
    public var runName: String?

    public init(status: RunStatus? = nil, endTime: Int64? = nil, runName: String? = nil) {
        self.status = status
        self.endTime = endTime
        self.runName = runName
    }
}

/// What a run search asks for.
public struct RunQuery: Sendable {
    public var experimentIDs: [String]
    public var filter: [FilterClause<RunField>]
    public var orderBy: [OrderClause<RunField>]
    public var viewType: ViewType
    public var maxResults: Int
    public var page: PageToken

    public init(
        experimentIDs: [String], filter: [FilterClause<RunField>] = [], orderBy: [OrderClause<RunField>] = [],
        viewType: ViewType = .activeOnly, maxResults: Int = RunSearchGrammar.defaultMaxResults, page: PageToken = PageToken(offset: 0)
    ) {
        self.experimentIDs = experimentIDs
        self.filter = filter
        self.orderBy = orderBy
        self.viewType = viewType
        self.maxResults = maxResults
        self.page = page
    }
}

/// Persistence of runs and everything logged to them.
///
/// Writes to a run check in the same transaction that the run exists (`runNotFound`) and is active
/// (`runNotActive`), so a concurrent delete cannot interleave.
public protocol RunRepository: Sendable {
    /// Inserts a run into an active experiment (`experimentNotFound`, `experimentNotActive`).
    func createRun(_ run: NewRun) async throws -> Run
    /// The run with everything it logged, deleted or not.
    func run(id: String) async throws -> Run
    /// The run's info alone (who ran it, when, its state), deleted or not: one row, where `run(id:)` reads all it logged.
    func runInfo(id: String) async throws -> RunInfo
    /// Applies an update to an active run and returns its new info; a new name also rewrites `mlflow.runName`.
    func updateRun(id: String, _ update: RunUpdate) async throws -> RunInfo
    /// Soft-deletes or restores a run.
    func setRunLifecycle(id: String, to stage: LifecycleStage, now: Int64) async throws
    /// Logs metrics, params and tags atomically; a param logged before with another value throws
    /// `paramChanged` and nothing is written.
    func logBatch(runID: String, metrics: [Metric], params: [Param], tags: [Tag]) async throws
    /// Removes a tag from an active run (`runTagNotFound`).
    func deleteRunTag(runID: String, key: String) async throws
    /// Records the datasets and models a run used.
    func logInputs(runID: String, datasets: [DatasetInput], modelIDs: [String]) async throws
    /// Records the models a run produced.
    func logOutputs(runID: String, models: [ModelOutput]) async throws
    /// One page of a metric's history, ordered by timestamp, step and value (MLflow's order).
    func metricHistory(runID: String, key: String, maxResults: Int, page: PageToken) async throws -> Page<Metric>
    /// The whole history of a metric for several runs, each observation carrying its run id, ordered by run
    /// and then by step; runs that do not exist contribute nothing.
    func metricHistories(runIDs: [String], key: String, steps: ClosedRange<Int64>?) async throws -> [Metric]
    /// One page of runs matching the query, with their data and inputs.
    func searchRuns(_ query: RunQuery) async throws -> Page<Run>
}
