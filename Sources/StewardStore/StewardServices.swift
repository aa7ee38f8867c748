import StewardCore

/// The domain services over one storage, wired to its SQL repositories: the one place that composes them, for
/// the server, the command line and the tests alike.
public struct StewardServices: Sendable {
    public let experiments: ExperimentService
    public let runs: RunService
    public let loggedModels: LoggedModelService
    public let registry: ModelRegistryService

    public init(storage: StewardStorage) {
        let runRepository = SQLRunRepository(database: storage.database)
        let loggedModelRepository = SQLLoggedModelRepository(database: storage.database)
        experiments = ExperimentService(repository: SQLExperimentRepository(database: storage.database))
        runs = RunService(repository: runRepository)
        loggedModels = LoggedModelService(repository: loggedModelRepository, runs: runRepository)
        registry = ModelRegistryService(
            repository: SQLModelRegistryRepository(database: storage.database), runs: runRepository, loggedModels: loggedModelRepository)
    }
}
