import StewardCore
import StewardStore
import StewardTestSupport
import Testing

/// Logged models, on every available engine.
@Suite("Logged models")
struct LoggedModelStoreTests {
    @Test(
        "A model is created pending under its experiment, finalized, tagged, given params and metrics, found and deleted",
        arguments: TestEngine.available)
    func lifecycle(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            let experiment = try await services.experiments.createExperiment(name: "e", artifactLocation: nil, tags: [])
            let run = try await services.runs.createRun(experimentID: experiment, userID: nil, runName: nil, startTime: nil, tags: []).info.runID
            let model = try await services.loggedModels.createLoggedModel(
                experimentID: experiment, name: "model", modelType: nil, sourceRunID: run, params: [Param("alpha", "0.5")],
                tags: [Tag("mlflow.user", "me")])
            #expect(model.modelID.hasPrefix("m-") && model.modelID.count == 34)
            #expect(model.status == .pending)
            #expect(model.artifactURI == "mlflow-artifacts:/\(experiment)/models/\(model.modelID)/artifacts")
            #expect(model.params == [Param("alpha", "0.5")])

            let ready = try await services.loggedModels.finalizeLoggedModel(id: model.modelID, status: .ready)
            #expect(ready.status == .ready)
            _ = try await services.loggedModels.setLoggedModelTags(id: model.modelID, tags: [Tag("stage", "dev")])
            try await services.loggedModels.logLoggedModelParams(id: model.modelID, params: [Param("beta", "1")])
            await #expect(throws: StewardError.self) {
                try await services.loggedModels.logLoggedModelParams(id: model.modelID, params: [Param("beta", "2")])
            }
            try await services.runs.logMetric(
                runID: run, Metric(key: "acc", value: 0.93, timestamp: 5, step: 1, modelID: model.modelID, datasetName: "test", datasetDigest: "abc"))
            await #expect(throws: TrackingErrors.loggedModelNotFound("m-none")) {
                try await services.runs.logMetric(runID: run, Metric(key: "acc", value: 1, timestamp: 5, modelID: "m-none"))
            }
            let stored = try await services.loggedModels.loggedModel(id: model.modelID)
            #expect(stored.tags.contains(Tag("stage", "dev")))
            #expect(stored.params == [Param("alpha", "0.5"), Param("beta", "1")])
            #expect(stored.metrics.map(\.value) == [0.93])
            #expect(stored.metrics.first?.datasetName == "test")

            let other = try await services.loggedModels.createLoggedModel(
                experimentID: experiment, name: "other", modelType: "sklearn", sourceRunID: nil, params: [], tags: [])
            func search(_ filter: String?, order: [(field: String, ascending: Bool, dataset: DatasetReference?)] = []) async throws -> [String] {
                try await services.loggedModels.searchLoggedModels(
                    experimentIDs: [experiment], filter: filter, datasets: [], orderBy: order, maxResults: nil, pageToken: nil
                ).items.map(\.name)
            }
            #expect(try await search("name = 'dir'").isEmpty)
            #expect(try await search("name = 'model'") == ["model"])
            #expect(try await search("metrics.acc > 0.9") == ["model"])
            #expect(try await search("params.alpha = '0.5' and tags.stage = 'dev'") == ["model"])
            #expect(try await search("model_type = 'sklearn'") == ["other"])
            #expect(try await search("status = 'LOGGED_MODEL_PENDING'") == ["other"])
            #expect(try await search(nil, order: [("name", true, nil)]) == ["model", "other"])
            #expect(try await search(nil, order: [("metrics.acc", false, nil)]) == ["model", "other"])
            await #expect(throws: StewardError.self) { try await search("bogus = 'x'") }

            try await services.loggedModels.deleteLoggedModelTag(id: model.modelID, key: "stage")
            await #expect(throws: StewardError.self) { try await services.loggedModels.deleteLoggedModelTag(id: model.modelID, key: "stage") }
            try await services.loggedModels.deleteLoggedModel(id: other.modelID)
            await #expect(throws: TrackingErrors.loggedModelNotFound(other.modelID)) {
                try await services.loggedModels.loggedModel(id: other.modelID)
            }
            #expect(try await search(nil) == ["model"])
            await #expect(throws: StewardError.self) { try await services.loggedModels.finalizeLoggedModel(id: model.modelID, status: .pending) }
        }
    }
}
