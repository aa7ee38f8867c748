import StewardCore
import StewardStore
import StewardTestSupport
import Testing

/// Experiment rules and SQL, on every available engine.
@Suite("Experiments")
struct ExperimentStoreTests {
    @Test("The Default experiment 0 exists from the first start", arguments: TestEngine.available)
    func defaultExperiment(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let experiment = try await TrackingServices(storage).experiments.experiment(id: "0")
            #expect(experiment.name == "Default")
            #expect(experiment.artifactLocation == "mlflow-artifacts:/0")
            #expect(experiment.lifecycleStage == .active)
        }
    }

    @Test("Create, read by id and by name, tags kept; a taken name is refused and changes nothing", arguments: TestEngine.available)
    func createAndRead(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            let id = try await services.experiments.createExperiment(name: "demo", artifactLocation: nil, tags: [Tag("team", "ml")])
            #expect(id == "1")
            let experiment = try await services.experiments.experiment(id: id)
            #expect(experiment.name == "demo")
            #expect(experiment.artifactLocation == "mlflow-artifacts:/1")
            #expect(experiment.tags == [Tag("team", "ml")])
            #expect(try await services.experiments.experiment(name: "demo").id == id)
            let before = try await services.count("experiments")
            await #expect(throws: TrackingErrors.experimentNameTaken("demo")) {
                try await services.experiments.createExperiment(name: "demo", artifactLocation: nil, tags: [Tag("x", "y")])
            }
            #expect(try await services.count("experiments") == before)
            #expect(try await services.count("experiment_tags") == 1)
            await #expect(throws: TrackingErrors.experimentNameNotFound("nope")) { try await services.experiments.experiment(name: "nope") }
            await #expect(throws: TrackingErrors.experimentNotFound("42")) { try await services.experiments.experiment(id: "42") }
            await #expect(throws: StewardError.invalidParameter("Invalid experiment ID 'abc'. Experiment ID must be a valid integer.")) {
                try await services.experiments.experiment(id: "abc")
            }
        }
    }

    @Test("Invalid names, tags and locations are refused", arguments: TestEngine.available)
    func invalidInput(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            await #expect(throws: StewardError.self) { try await services.experiments.createExperiment(name: "", artifactLocation: nil, tags: []) }
            await #expect(throws: StewardError.self) {
                try await services.experiments.createExperiment(name: String(repeating: "n", count: 501), artifactLocation: nil, tags: [])
            }
            await #expect(throws: StewardError.self) {
                try await services.experiments.createExperiment(name: "a", artifactLocation: "file:///etc", tags: [])
            }
            await #expect(throws: StewardError.self) {
                try await services.experiments.createExperiment(name: "b", artifactLocation: nil, tags: [Tag("../x", "v")])
            }
            #expect(try await services.count("experiments") == 1)
        }
    }

    @Test("Search filters by name (LIKE is case-sensitive, ILIKE not), tags and time, orders and pages", arguments: TestEngine.available)
    func search(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            for (index, name) in ["Alpha", "alpha-2", "beta", "gamma"].enumerated() {
                _ = try await services.experiments.createExperiment(
                    name: name, artifactLocation: nil, tags: index % 2 == 0 ? [Tag("even", "yes")] : [])
            }
            func names(_ filter: String?, _ order: [String] = ["name ASC"], view: ViewType? = nil) async throws -> [String] {
                try await services.experiments.searchExperiments(filter: filter, orderBy: order, viewType: view, maxResults: nil, pageToken: nil)
                    .items.map(\.name)
            }
            #expect(try await names("name LIKE 'alpha%'") == ["alpha-2"])
            #expect(try await names("name ILIKE 'alpha%'") == ["Alpha", "alpha-2"])
            #expect(try await names("tags.even = 'yes'") == ["Alpha", "beta"])
            #expect(try await names("tags.even IS NULL") == ["Default", "alpha-2", "gamma"])
            #expect(try await names("name != 'beta' and creation_time > 0", ["name DESC"]) == ["gamma", "alpha-2", "Default", "Alpha"])
            #expect(try await names("experiment_id IN ('1', '3')") == ["Alpha", "beta"])
            #expect(try await names(nil, []).last == "Default")

            var seen: [String] = []
            var token: String?
            repeat {
                let page = try await services.experiments.searchExperiments(
                    filter: nil, orderBy: ["name"], viewType: nil, maxResults: 2, pageToken: token)
                seen += page.items.map(\.name)
                token = page.nextPageToken
            } while token != nil
            #expect(seen == ["Alpha", "Default", "alpha-2", "beta", "gamma"])

            try await services.experiments.deleteExperiment(id: "4")
            #expect(try await names(nil) == ["Alpha", "Default", "alpha-2", "beta"])
            #expect(try await names(nil, view: .deletedOnly) == ["gamma"])
            #expect(try await names(nil, view: .all).count == 5)
            await #expect(throws: StewardError.self) {
                try await services.experiments.searchExperiments(filter: nil, orderBy: [], viewType: nil, maxResults: 50001, pageToken: nil)
            }
            await #expect(throws: StewardError.self) {
                try await services.experiments.searchExperiments(filter: "name = ", orderBy: [], viewType: nil, maxResults: nil, pageToken: nil)
            }
        }
    }

    @Test("Rename, delete with runs, restore, and the rules around them", arguments: TestEngine.available)
    func lifecycle(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            let id = try await services.experiments.createExperiment(name: "e", artifactLocation: nil, tags: [])
            _ = try await services.experiments.createExperiment(name: "taken", artifactLocation: nil, tags: [])
            let run = try await services.runs.createRun(experimentID: id, userID: "u", runName: nil, startTime: nil, tags: [])
            try await services.experiments.renameExperiment(id: id, to: "renamed")
            #expect(try await services.experiments.experiment(id: id).name == "renamed")
            await #expect(throws: TrackingErrors.experimentNameTaken("taken")) {
                try await services.experiments.renameExperiment(id: id, to: "taken")
            }

            try await services.experiments.deleteExperiment(id: id)
            #expect(try await services.experiments.experiment(id: id).lifecycleStage == .deleted)
            #expect(try await services.runs.run(id: run.info.runID).info.lifecycleStage == .deleted)
            await #expect(throws: StewardError.self) { try await services.experiments.renameExperiment(id: id, to: "again") }
            await #expect(throws: TrackingErrors.experimentNotActive(id)) {
                try await services.experiments.setExperimentTag(id: id, tag: Tag("k", "v"))
            }
            await #expect(throws: TrackingErrors.experimentNotActive(id)) {
                try await services.runs.createRun(experimentID: id, userID: nil, runName: nil, startTime: nil, tags: [])
            }
            try await services.experiments.restoreExperiment(id: id)
            #expect(try await services.runs.run(id: run.info.runID).info.lifecycleStage == .active)
            await #expect(throws: TrackingErrors.experimentNotFound("99")) { try await services.experiments.deleteExperiment(id: "99") }
            await #expect(throws: StewardError.self) { try await services.experiments.restoreExperiment(id: id) }
            try await services.experiments.deleteExperiment(id: id)
            await #expect(throws: StewardError.self) { try await services.experiments.deleteExperiment(id: id) }
        }
    }

    @Test("Tags are set, replaced and deleted; deleting a missing tag is an error", arguments: TestEngine.available)
    func tags(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            let id = try await services.experiments.createExperiment(name: "e", artifactLocation: nil, tags: [])
            try await services.experiments.setExperimentTag(id: id, tag: Tag("k", "1"))
            try await services.experiments.setExperimentTag(id: id, tag: Tag("k", "2"))
            #expect(try await services.experiments.experiment(id: id).tags == [Tag("k", "2")])
            try await services.experiments.deleteExperimentTag(id: id, key: "k")
            #expect(try await services.experiments.experiment(id: id).tags.isEmpty)
            await #expect(throws: TrackingErrors.experimentTagNotFound(experimentID: id, key: "k")) {
                try await services.experiments.deleteExperimentTag(id: id, key: "k")
            }
        }
    }
}
