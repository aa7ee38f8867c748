import StewardCore
import StewardStore
import StewardTestSupport
import Testing

/// The run-search grammar translated to SQL, on every available engine.
@Suite("Run search")
struct RunSearchStoreTests {
    /// Five runs with metrics, params, tags and datasets chosen so each clause below selects a known subset.
    static func seed(_ services: TrackingServices) async throws -> [String] {
        let experiment = try await services.experiments.createExperiment(name: "search", artifactLocation: nil, tags: [])
        var ids: [String] = []
        let specs: [(name: String, rmse: Double?, model: String, team: String?, status: RunStatus)] = [
            ("r0", 0.3, "tree", "ml", .finished),
            ("r1", 0.7, "tree", "ML", .finished),
            ("r2", .nan, "linear", nil, .failed),
            ("r3", nil, "tree", "ops", .running),
            ("r4", 0.1, "Tree", "ml", .finished),
        ]
        for (index, spec) in specs.enumerated() {
            let run = try await services.runs.createRun(
                experimentID: experiment, userID: index < 2 ? "alice" : "bob", runName: spec.name, startTime: Int64(1000 + index), tags: [])
            let id = run.info.runID
            try await services.runs.logBatch(
                runID: id, metrics: spec.rmse.map { [Metric(key: "rmse", value: $0, timestamp: 1, step: 0)] } ?? [],
                params: [Param("model", spec.model)], tags: spec.team.map { [Tag("team", $0)] } ?? [])
            if spec.status != .running {
                _ = try await services.runs.updateRun(id: id, status: spec.status, endTime: Int64(2000 + index), runName: nil)
            }
            if index < 2 {
                try await services.runs.logInputs(
                    runID: id,
                    datasets: [
                        DatasetInput(
                            tags: [Tag("mlflow.data.context", index == 0 ? "training" : "eval")],
                            dataset: Dataset(name: "ds\(index)", digest: "d\(index)", sourceType: "code", source: "{}"))
                    ], modelIDs: [])
            }
            ids.append(id)
        }
        return [experiment] + ids
    }

    func names(_ services: TrackingServices, _ experiment: String, _ filter: String?, order: [String] = [], view: ViewType? = nil) async throws
        -> [String]
    {
        try await services.runs.searchRuns(
            experimentIDs: [experiment], filter: filter, viewType: view, maxResults: nil, orderBy: order, pageToken: nil
        )
        .items.map(\.info.runName)
    }

    @Test("Each kind of clause selects the right runs", arguments: TestEngine.available)
    func clauses(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            let seeded = try await Self.seed(services)
            let experiment = seeded[0]
            let order = ["attributes.run_name ASC"]
            func check(_ filter: String, _ expected: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws {
                #expect(try await names(services, experiment, filter, order: order) == expected, "\(filter)", sourceLocation: sourceLocation)
            }
            try await check("metrics.rmse < 0.5", ["r0", "r4"])
            try await check("metrics.rmse < 0.5 and params.model = 'tree'", ["r0"])
            try await check("metrics.rmse >= 0.3", ["r0", "r1"])
            try await check("metrics.rmse = 0.7", ["r1"])
            try await check("metrics.rmse != 0.7", ["r0", "r2", "r4"])
            try await check("params.model != 'tree'", ["r2", "r4"])
            try await check("params.model LIKE 'T%'", ["r4"])
            try await check("params.model ILIKE 't%'", ["r0", "r1", "r3", "r4"])
            try await check("params.model LIKE '%e_'", ["r0", "r1", "r3", "r4"])
            try await check("tags.team = 'ml'", ["r0", "r4"])
            try await check("tags.team ILIKE 'ml'", ["r0", "r1", "r4"])
            try await check("tags.team IS NULL", ["r2"])
            try await check("tags.team IS NOT NULL and params.model = 'tree'", ["r0", "r1", "r3"])
            try await check("attributes.status = 'FINISHED'", ["r0", "r1", "r4"])
            try await check("status != 'FINISHED'", ["r2", "r3"])
            try await check("attributes.user_id = 'alice'", ["r0", "r1"])
            try await check("run_name LIKE 'r%' and `run name` != 'r0'", ["r1", "r2", "r3", "r4"])
            try await check("attributes.start_time >= 1003", ["r3", "r4"])
            try await check("created < 1001", ["r0"])
            try await check("attributes.end_time > 2001", ["r2", "r4"])
            try await check("run_id IN ('\(seeded[1])', '\(seeded[3])')", ["r0", "r2"])
            try await check("attributes.run_id NOT IN ('\(seeded[1])')", ["r1", "r2", "r3", "r4"])
            try await check("attributes.artifact_uri LIKE 'mlflow-artifacts:/\(experiment)/%'", ["r0", "r1", "r2", "r3", "r4"])
            try await check("datasets.name = 'ds0'", ["r0"])
            try await check("datasets.digest IN ('d0', 'd1')", ["r0", "r1"])
            try await check("datasets.context = 'eval'", ["r1"])
            try await check("datasets.name LIKE 'ds%' and metrics.rmse > 0.5", ["r1"])
            try await check("metrics.missing > 0", [])
        }
    }

    @Test("Ordering puts NaN after numbers and missing values last, in both directions", arguments: TestEngine.available)
    func ordering(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            let experiment = try await Self.seed(services)[0]
            #expect(try await names(services, experiment, nil, order: ["metrics.rmse ASC"]) == ["r4", "r0", "r1", "r2", "r3"])
            #expect(try await names(services, experiment, nil, order: ["metrics.`rmse` DESC"]) == ["r1", "r0", "r4", "r2", "r3"])
            #expect(try await names(services, experiment, nil, order: ["tags.team DESC", "run_name"]) == ["r3", "r0", "r4", "r1", "r2"])
            #expect(try await names(services, experiment, nil, order: ["params.model", "run_name DESC"]) == ["r4", "r2", "r3", "r1", "r0"])
            #expect(try await names(services, experiment, nil) == ["r4", "r3", "r2", "r1", "r0"])
            #expect(try await names(services, experiment, "metrics.rmse < 1", order: ["metrics.rmse DESC"]) == ["r1", "r0", "r4"])
        }
    }

    @Test("Pages follow each other without gaps or repeats; view types and experiment lists apply", arguments: TestEngine.available)
    func paging(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            let seeded = try await Self.seed(services)
            let experiment = seeded[0]
            var collected: [String] = []
            var token: String?
            repeat {
                let page = try await services.runs.searchRuns(
                    experimentIDs: [experiment], filter: nil, viewType: nil, maxResults: 2, orderBy: ["metrics.rmse"], pageToken: token)
                collected += page.items.map(\.info.runName)
                token = page.nextPageToken
            } while token != nil
            #expect(collected == ["r4", "r0", "r1", "r2", "r3"])

            try await services.runs.deleteRun(id: seeded[1])
            #expect(try await names(services, experiment, nil, order: ["run_name"]) == ["r1", "r2", "r3", "r4"])
            #expect(try await names(services, experiment, nil, order: ["run_name"], view: .deletedOnly) == ["r0"])
            #expect(try await names(services, experiment, nil, order: ["run_name"], view: .all).count == 5)
            #expect(
                try await services.runs.searchRuns(
                    experimentIDs: ["0", experiment], filter: nil, viewType: .all, maxResults: 100, orderBy: [], pageToken: nil
                ).items.count == 5)

            let full = try await services.runs.searchRuns(
                experimentIDs: [experiment], filter: "run_name = 'r1'", viewType: nil, maxResults: nil, orderBy: [], pageToken: nil)
            #expect(full.items.first?.data.params == [Param("model", "tree")])
            #expect(full.items.first?.datasetInputs.first?.dataset.name == "ds1")

            for bad in ["metrics.rmse < 'x'", "params.model > 'a'", "foo.bar = 'x'", "a = 'x' OR b = 'y'"] {
                await #expect(throws: StewardError.self, "\(bad)") {
                    try await services.runs.searchRuns(
                        experimentIDs: [experiment], filter: bad, viewType: nil, maxResults: nil, orderBy: [], pageToken: nil)
                }
            }
            await #expect(throws: StewardError.self) {
                try await services.runs.searchRuns(
                    experimentIDs: [experiment], filter: nil, viewType: nil, maxResults: 50001, orderBy: [], pageToken: nil)
            }
            await #expect(throws: StewardError.self) {
                try await services.runs.searchRuns(experimentIDs: ["x"], filter: nil, viewType: nil, maxResults: nil, orderBy: [], pageToken: nil)
            }
            await #expect(throws: StewardError.self) {
                try await services.runs.searchRuns(
                    experimentIDs: [experiment], filter: nil, viewType: nil, maxResults: nil, orderBy: [], pageToken: "@@")
            }
        }
    }
}
