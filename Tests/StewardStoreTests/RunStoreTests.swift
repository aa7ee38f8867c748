import StewardCore
import StewardStore
import StewardTestSupport
import Testing

/// Run rules and SQL, on every available engine.
@Suite("Runs")
struct RunStoreTests {
    @Test("Created runs get an id, a generated name mirrored in mlflow.runName, and a proxied artifact URI", arguments: TestEngine.available)
    func create(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            let run = try await services.runs.createRun(
                experimentID: nil, userID: "alice", runName: nil, startTime: 1_700_000_000_000, tags: [Tag("mlflow.user", "alice")])
            #expect(run.info.runID.count == 32)
            #expect(run.info.experimentID == "0")
            #expect(run.info.runName.split(separator: "-").count == 3)
            #expect(run.info.artifactURI == "mlflow-artifacts:/0/\(run.info.runID)/artifacts")
            #expect(run.info.status == .running)
            let stored = try await services.runs.run(id: run.info.runID)
            #expect(stored.info == run.info)
            #expect(Set(stored.data.tags) == [Tag("mlflow.user", "alice"), Tag("mlflow.runName", run.info.runName)])

            let named = try await services.runs.createRun(experimentID: "0", userID: nil, runName: "r2", startTime: nil, tags: [])
            #expect(named.info.runName == "r2")
            let tagged = try await services.runs.createRun(
                experimentID: "0", userID: nil, runName: nil, startTime: nil, tags: [Tag("mlflow.runName", "from-tag")])
            #expect(tagged.info.runName == "from-tag")
            await #expect(throws: StewardError.self) {
                try await services.runs.createRun(experimentID: "0", userID: nil, runName: "a", startTime: nil, tags: [Tag("mlflow.runName", "b")])
            }
            await #expect(throws: TrackingErrors.experimentNotFound("7")) {
                try await services.runs.createRun(experimentID: "7", userID: nil, runName: nil, startTime: nil, tags: [])
            }
            await #expect(throws: TrackingErrors.runNotFound("missing")) { try await services.runs.run(id: "missing") }
            #expect(try await services.count("runs") == 3)
        }
    }

    @Test("Update sets status, end time and name (with its tag); deleted runs refuse changes", arguments: TestEngine.available)
    func updateAndLifecycle(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            let id = try await services.runs.createRun(experimentID: "0", userID: nil, runName: "a", startTime: 5, tags: []).info.runID
            let info = try await services.runs.updateRun(id: id, status: .finished, endTime: 9, runName: "b")
            #expect(info.status == .finished)
            #expect(info.endTime == 9)
            #expect(info.runName == "b")
            #expect(try await services.runs.run(id: id).data.tags.contains(Tag("mlflow.runName", "b")))
            try await services.runs.setTag(runID: id, Tag("mlflow.runName", "c"))
            #expect(try await services.runs.run(id: id).info.runName == "c")
            try await services.runs.logBatch(runID: id, metrics: [], params: [], tags: [])

            try await services.runs.deleteRun(id: id)
            #expect(try await services.runs.run(id: id).info.lifecycleStage == .deleted)
            await #expect(throws: TrackingErrors.runNotActive(id)) { try await services.runs.logParam(runID: id, Param("p", "1")) }
            await #expect(throws: TrackingErrors.runNotActive(id)) { try await services.runs.logBatch(runID: id, metrics: [], params: [], tags: []) }
            await #expect(throws: TrackingErrors.runNotActive(id)) {
                try await services.runs.updateRun(id: id, status: .failed, endTime: nil, runName: nil)
            }
            try await services.runs.restoreRun(id: id)
            try await services.runs.logParam(runID: id, Param("p", "1"))
            await #expect(throws: TrackingErrors.runNotFound("nope")) { try await services.runs.deleteRun(id: "nope") }
        }
    }

    @Test("Metric history keeps every observation; the latest is the greatest by step, timestamp, value", arguments: TestEngine.available)
    func metrics(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            let id = try await services.runs.createRun(experimentID: "0", userID: nil, runName: nil, startTime: nil, tags: []).info.runID
            try await services.runs.logMetric(runID: id, Metric(key: "loss", value: 0.5, timestamp: 100, step: 2))
            try await services.runs.logMetric(runID: id, Metric(key: "loss", value: 0.9, timestamp: 200, step: 1))
            try await services.runs.logMetric(runID: id, Metric(key: "loss", value: 0.4, timestamp: 50, step: 2))
            try await services.runs.logMetric(runID: id, Metric(key: "loss", value: 0.4, timestamp: 50, step: 2))
            try await services.runs.logBatch(
                runID: id,
                metrics: [
                    Metric(key: "nan", value: .nan, timestamp: 1, step: 0), Metric(key: "inf", value: .infinity, timestamp: 1, step: 0),
                    Metric(key: "ninf", value: -.infinity, timestamp: 1),
                ], params: [], tags: [])
            let run = try await services.runs.run(id: id)
            let latest = Dictionary(uniqueKeysWithValues: run.data.metrics.map { ($0.key, $0) })
            #expect(latest["loss"]?.value == 0.5)
            #expect(latest["loss"]?.step == 2)
            #expect(latest["nan"]?.value.isNaN == true)
            #expect(latest["inf"]?.value == .infinity)
            #expect(latest["ninf"]?.value == -.infinity)
            let history = try await services.runs.metricHistory(runID: id, key: "loss", maxResults: nil, pageToken: nil)
            #expect(history.items.map(\.value) == [0.4, 0.5, 0.9], "ordered by timestamp, then step, as MLflow")
            #expect(history.nextPageToken == nil)
            let first = try await services.runs.metricHistory(runID: id, key: "loss", maxResults: 2, pageToken: nil)
            #expect(first.items.count == 2)
            let second = try await services.runs.metricHistory(runID: id, key: "loss", maxResults: 2, pageToken: first.nextPageToken)
            #expect(second.items.map(\.value) == [0.9])
            #expect(try await services.runs.metricHistory(runID: id, key: "none", maxResults: nil, pageToken: nil).items.isEmpty)
            await #expect(throws: TrackingErrors.runNotFound("x")) {
                try await services.runs.metricHistory(runID: "x", key: "loss", maxResults: nil, pageToken: nil)
            }
        }
    }

    @Test("Params are immutable; a conflicting batch is refused whole", arguments: TestEngine.available)
    func paramsAreImmutable(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            let id = try await services.runs.createRun(experimentID: "0", userID: nil, runName: nil, startTime: nil, tags: []).info.runID
            try await services.runs.logParam(runID: id, Param("lr", "0.1"))
            try await services.runs.logParam(runID: id, Param("lr", "0.1"))
            let metricsBefore = try await services.count("metrics")
            await #expect(throws: TrackingErrors.paramChanged(runID: id, key: "lr", old: "0.1", new: "0.2")) {
                try await services.runs.logBatch(
                    runID: id, metrics: [Metric(key: "m", value: 1, timestamp: 1)], params: [Param("new", "x"), Param("lr", "0.2")],
                    tags: [Tag("t", "v")])
            }
            let run = try await services.runs.run(id: id)
            #expect(run.data.params == [Param("lr", "0.1")])
            #expect(run.data.metrics.isEmpty)
            #expect(!run.data.tags.contains(Tag("t", "v")))
            #expect(try await services.count("metrics") == metricsBefore)
            await #expect(throws: StewardError.self) {
                try await services.runs.logBatch(runID: id, metrics: [], params: [Param("d", "1"), Param("d", "1")], tags: [])
            }
        }
    }

    @Test("Batch limits, key rules and value truncation follow MLflow", arguments: TestEngine.available)
    func batchLimits(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            let id = try await services.runs.createRun(experimentID: "0", userID: nil, runName: nil, startTime: nil, tags: []).info.runID
            let thousand = (0..<1000).map { Metric(key: "m\($0 % 10)", value: Double($0), timestamp: Int64($0), step: Int64($0)) }
            try await services.runs.logBatch(runID: id, metrics: thousand, params: [], tags: [])
            #expect(try await services.count("metrics") == 1000)
            await #expect(throws: StewardError.self) {
                try await services.runs.logBatch(runID: id, metrics: thousand + [thousand[0]], params: [], tags: [])
            }
            await #expect(throws: StewardError.self) {
                try await services.runs.logBatch(runID: id, metrics: [], params: (0..<101).map { Param("p\($0)", "v") }, tags: [])
            }
            await #expect(throws: StewardError.self) {
                try await services.runs.logBatch(
                    runID: id, metrics: Array(thousand.prefix(950)), params: (0..<51).map { Param("p\($0)", "v") }, tags: [])
            }
            await #expect(throws: StewardError.self) { try await services.runs.logParam(runID: id, Param("../escape", "v")) }
            await #expect(throws: StewardError.self) {
                try await services.runs.logMetric(runID: id, Metric(key: "m", value: 1, timestamp: -1))
            }
            #expect(try await services.count("metrics") == 1000)
            try await services.runs.logParam(runID: id, Param("long", String(repeating: "x", count: 7000)))
            try await services.runs.setTag(runID: id, Tag("long", String(repeating: "y", count: 9000)))
            let run = try await services.runs.run(id: id)
            #expect(run.data.params.first { $0.key == "long" }?.value.count == TrackingLimits.maxParamValueLength)
            #expect(run.data.tags.first { $0.key == "long" }?.value.count == TrackingLimits.maxTagValueLength)
        }
    }

    @Test("Tags upsert and delete; deleting a missing tag is RESOURCE_DOES_NOT_EXIST", arguments: TestEngine.available)
    func tags(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            let id = try await services.runs.createRun(experimentID: "0", userID: nil, runName: "r", startTime: nil, tags: []).info.runID
            try await services.runs.setTag(runID: id, Tag("t", "1"))
            try await services.runs.logBatch(runID: id, metrics: [], params: [], tags: [Tag("t", "2"), Tag("u", "3")])
            #expect(try await services.runs.run(id: id).data.tags == [Tag("mlflow.runName", "r"), Tag("t", "2"), Tag("u", "3")])
            try await services.runs.deleteTag(runID: id, key: "t")
            await #expect(throws: TrackingErrors.runTagNotFound(runID: id, key: "t")) { try await services.runs.deleteTag(runID: id, key: "t") }
        }
    }

    @Test("Dataset inputs are shared within an experiment by name and digest, with per-run context tags", arguments: TestEngine.available)
    func inputsAndOutputs(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            let a = try await services.runs.createRun(experimentID: "0", userID: nil, runName: nil, startTime: nil, tags: []).info.runID
            let b = try await services.runs.createRun(experimentID: "0", userID: nil, runName: nil, startTime: nil, tags: []).info.runID
            let dataset = Dataset(
                name: "train", digest: "cd5cd803", sourceType: "code", source: "{}", schema: "{\"s\":1}", profile: "{\"num_rows\":2}")
            try await services.runs.logInputs(
                runID: a, datasets: [DatasetInput(tags: [Tag("mlflow.data.context", "training")], dataset: dataset)], modelIDs: [])
            try await services.runs.logInputs(
                runID: b, datasets: [DatasetInput(tags: [Tag("mlflow.data.context", "eval")], dataset: dataset)], modelIDs: [])
            try await services.runs.logInputs(
                runID: a, datasets: [DatasetInput(tags: [Tag("mlflow.data.context", "training")], dataset: dataset)], modelIDs: [])
            #expect(try await services.count("datasets") == 1)
            let run = try await services.runs.run(id: a)
            #expect(run.datasetInputs == [DatasetInput(tags: [Tag("mlflow.data.context", "training")], dataset: dataset)])
            #expect(try await services.runs.run(id: b).datasetInputs.first?.tags == [Tag("mlflow.data.context", "eval")])
            await #expect(throws: StewardError.self) {
                try await services.runs.logInputs(
                    runID: a, datasets: [DatasetInput(tags: [], dataset: Dataset(name: "", digest: "d", sourceType: "s", source: "x"))], modelIDs: [])
            }
            try await services.runs.logOutputs(runID: a, models: [ModelOutput(modelID: "m-1", step: 3)])
            #expect(try await services.runs.run(id: a).modelOutputs == [ModelOutput(modelID: "m-1", step: 3)])
        }
    }

    @Test("Bulk-interval history samples each run's steps and checks every run exists", arguments: TestEngine.available)
    func bulkInterval(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            var ids: [String] = []
            for _ in 0..<2 {
                let id = try await services.runs.createRun(experimentID: "0", userID: nil, runName: nil, startTime: nil, tags: []).info.runID
                try await services.runs.logBatch(
                    runID: id, metrics: (0..<10).map { Metric(key: "m", value: Double($0), timestamp: 1, step: Int64($0)) }, params: [], tags: [])
                ids.append(id)
            }
            let sampled = try await services.runs.metricHistoryBulkInterval(runIDs: ids, key: "m", startStep: nil, endStep: nil, maxResults: 3)
            #expect(sampled.map(\.step) == [0, 4, 9, 0, 4, 9])
            #expect(sampled.map(\.runID) == [ids[0], ids[0], ids[0], ids[1], ids[1], ids[1]])
            let ranged = try await services.runs.metricHistoryBulkInterval(runIDs: [ids[0]], key: "m", startStep: 2, endStep: 4, maxResults: nil)
            #expect(ranged.map(\.step) == [2, 3, 4])
            let withUnknown = try await services.runs.metricHistoryBulkInterval(
                runIDs: [ids[1], "nope", ids[1]], key: "m", startStep: nil, endStep: nil, maxResults: 2)
            #expect(withUnknown.map(\.step) == [0, 9, 0, 9], "unknown runs add nothing; repeated runs repeat, in request order")
            await #expect(throws: StewardError.self) {
                try await services.runs.metricHistoryBulkInterval(runIDs: ids, key: "m", startStep: 5, endStep: nil, maxResults: nil)
            }
            await #expect(throws: StewardError.self) {
                try await services.runs.metricHistoryBulkInterval(runIDs: ids, key: "m", startStep: nil, endStep: nil, maxResults: 2501)
            }
        }
    }

    @Test("Concurrent writers share commits and each gets its own outcome", arguments: TestEngine.available)
    func concurrentWrites(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            let id = try await services.runs.createRun(experimentID: "0", userID: nil, runName: nil, startTime: nil, tags: []).info.runID
            try await services.runs.logParam(runID: id, Param("fixed", "1"))
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        do {
                            // Every tenth writer tries to change a param and must fail alone.
                            let params = index % 10 == 0 ? [Param("fixed", "2")] : [Param("p\(index)", "v")]
                            try await services.runs.logBatch(
                                runID: id, metrics: [Metric(key: "m", value: Double(index), timestamp: Int64(index), step: Int64(index))],
                                params: params, tags: [])
                            return true
                        } catch {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 180)
            let run = try await services.runs.run(id: id)
            #expect(run.data.params.count == 181)
            #expect(try await services.runs.metricHistory(runID: id, key: "m", maxResults: nil, pageToken: nil).items.count == 180)
            #expect(run.data.metrics.first?.step == 199)
        }
    }

    @Test("Concurrent metric-only writers to live, deleted and missing runs: each refused caller alone", arguments: TestEngine.available)
    func concurrentMetricWrites(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            let live = try await services.runs.createRun(experimentID: "0", userID: nil, runName: nil, startTime: nil, tags: []).info.runID
            let deleted = try await services.runs.createRun(experimentID: "0", userID: nil, runName: nil, startTime: nil, tags: []).info.runID
            try await services.runs.deleteRun(id: deleted)
            let outcomes = try await withThrowingTaskGroup(of: (Int, StewardError?).self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let run = index % 10 == 0 ? deleted : index % 10 == 5 ? "missing-run" : live
                        do {
                            try await services.runs.logBatch(
                                runID: run,
                                metrics: [
                                    Metric(key: "m", value: Double(index), timestamp: Int64(index), step: Int64(index)),
                                    Metric(key: "n", value: Double(-index), timestamp: 7, step: 0),
                                    // The same observation from every caller: kept once, whichever batches carry it.
                                    Metric(key: "same", value: 1, timestamp: 1, step: 1),
                                    Metric(key: "nan", value: index % 2 == 0 ? .nan : 3, timestamp: 9, step: 9),
                                ], params: [], tags: [])
                            return (index, nil)
                        } catch let error as StewardError {
                            return (index, error)
                        }
                    }
                }
                return try await group.reduce(into: [Int: StewardError?]()) { $0[$1.0] = $1.1 }
            }
            for (index, error) in outcomes {
                switch index % 10 {
                case 0: #expect(error == TrackingErrors.runNotActive(deleted))
                case 5: #expect(error == TrackingErrors.runNotFound("missing-run"))
                default: #expect(error == nil)
                }
            }
            #expect(try await services.runs.metricHistory(runID: live, key: "m", maxResults: nil, pageToken: nil).items.count == 160)
            let latest = Dictionary(uniqueKeysWithValues: try await services.runs.run(id: live).data.metrics.map { ($0.key, $0) })
            #expect(latest["m"]?.step == 199)
            // Same step and timestamp: the greatest value supersedes, whichever batch carried it.
            #expect(latest["n"]?.value == -1)
            #expect(try await services.runs.metricHistory(runID: live, key: "same", maxResults: nil, pageToken: nil).items.count == 1)
            // A number supersedes NaN at the same step and timestamp; both are kept in the history.
            #expect(latest["nan"]?.value == 3)
            #expect(try await services.runs.metricHistory(runID: live, key: "nan", maxResults: nil, pageToken: nil).items.count == 2)
            #expect(try await services.runs.metricHistory(runID: deleted, key: "m", maxResults: nil, pageToken: nil).items.isEmpty)
        }
    }

    @Test("Writers on two replicas racing to log one new param: one value wins, and only its rivals are refused", arguments: TestEngine.available)
    func racingParams(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            let first = try await services.runs.createRun(experimentID: "0", userID: nil, runName: nil, startTime: nil, tags: []).info.runID
            let second = try await services.runs.createRun(experimentID: "0", userID: nil, runName: nil, startTime: nil, tags: []).info.runID
            try await TestStorage.withReplica(of: storage) { replica in
                let repositories = [SQLRunRepository(database: storage.database), SQLRunRepository(database: replica)]
                for round in 0..<5 {
                    // Ten writers log the same new key with ten values; thirty others write alongside, in the same batches
                    // (the others first, so that they lead and the contested calls wait in the batches that follow).
                    let outcomes = try await withThrowingTaskGroup(of: (contested: Bool, error: StewardError?).self) { group in
                        for index in Array(10..<40) + Array(0..<10) {
                            group.addTask {
                                let contested = index < 10
                                let params = contested ? [Param("contested-\(round)", "v\(index)")] : [Param("own-\(round)-\(index)", "v")]
                                do {
                                    try await repositories[index % 2].logBatch(
                                        runID: contested || index % 4 < 2 ? first : second,
                                        metrics: [Metric(key: "m", value: 1, timestamp: Int64(index), step: Int64(round * 100 + index))],
                                        params: params,
                                        tags: [])
                                    return (contested, nil)
                                } catch let error as StewardError {
                                    return (contested, error)
                                }
                            }
                        }
                        return try await group.reduce(into: [(contested: Bool, error: StewardError?)]()) { $0.append($1) }
                    }
                    let contested = outcomes.filter(\.contested)
                    #expect(contested.filter { $0.error == nil }.count == 1, "round \(round)")
                    #expect(contested.compactMap(\.error).allSatisfy { $0.code == .invalidParameterValue })
                    let refused = outcomes.filter { !$0.contested && $0.error != nil }.map { $0.error!.message }
                    #expect(refused.isEmpty, "round \(round): no other writer is refused")
                }
            }
            #expect(try await services.runs.run(id: first).data.params.count == 5 + 5 * 14)
        }
    }
}
