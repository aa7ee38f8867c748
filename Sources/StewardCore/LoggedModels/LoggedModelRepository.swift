/// A logged model to insert, with everything the server decided for it.
public struct NewLoggedModel: Sendable {
    public var modelID: String
    public var experimentID: String
    public var name: String
    public var modelType: String
    public var sourceRunID: String?
    public var params: [Param]
    public var tags: [Tag]
    public var now: Int64

    public init(
        modelID: String, experimentID: String, name: String, modelType: String, sourceRunID: String?, params: [Param], tags: [Tag], now: Int64
    ) {
        self.modelID = modelID
        self.experimentID = experimentID
        self.name = name
        self.modelType = modelType
        self.sourceRunID = sourceRunID
        self.params = params
        self.tags = tags
        self.now = now
    }
}

/// What a logged-model search asks for.
public struct LoggedModelQuery: Sendable {
    public var experimentIDs: [String]
    public var filter: [FilterClause<LoggedModelField>]
    public var datasets: [DatasetReference]
    public var orderBy: [LoggedModelOrder]
    public var maxResults: Int
    public var page: PageToken

    public init(
        experimentIDs: [String], filter: [FilterClause<LoggedModelField>] = [], datasets: [DatasetReference] = [],
        orderBy: [LoggedModelOrder] = [], maxResults: Int = LoggedModelSearchGrammar.defaultMaxResults, page: PageToken = PageToken(offset: 0)
    ) {
        self.experimentIDs = experimentIDs
        self.filter = filter
        self.datasets = datasets
        self.orderBy = orderBy
        self.maxResults = maxResults
        self.page = page
    }
}

/// Persistence of logged models, their params, tags and model-scoped metrics.
public protocol LoggedModelRepository: Sendable {
    /// Inserts a model into an active experiment (`experimentNotFound`, `experimentNotActive`).
    func createLoggedModel(_ model: NewLoggedModel) async throws -> LoggedModel
    /// The model with this id unless deleted (`loggedModelNotFound`).
    func loggedModel(id: String) async throws -> LoggedModel
    /// Sets the upload status and returns the model.
    func finalizeLoggedModel(id: String, status: LoggedModelStatus, now: Int64) async throws -> LoggedModel
    /// Soft-deletes a model.
    func deleteLoggedModel(id: String, now: Int64) async throws
    /// Sets tags and returns the model.
    func setLoggedModelTags(id: String, tags: [Tag], now: Int64) async throws -> LoggedModel
    /// Removes a tag (`loggedModelTagNotFound`).
    func deleteLoggedModelTag(id: String, key: String, now: Int64) async throws
    /// Logs params; one logged before with another value throws and nothing is written.
    func logLoggedModelParams(id: String, params: [Param], now: Int64) async throws
    /// A finished (ready) logged model, deleted or not, whose artifacts are at one of `locations`, or, with
    /// `below`, anywhere below that location; its id.
    func finishedModel(storedAt locations: [String], orBelow below: String?) async throws -> String?
    /// One page of models matching the query.
    func searchLoggedModels(_ query: LoggedModelQuery) async throws -> Page<LoggedModel>
}
