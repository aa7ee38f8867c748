import StewardCore
import StewardStore
import StewardTestSupport
import Testing

/// The model and prompt registry over the SQL store, on every available engine.
@Suite("Model registry")
struct ModelRegistryStoreTests {
    /// An experiment with one run and one logged model of that run.
    struct Fixture {
        let experiment: String
        let run: String
        let model: String
    }

    static func fixture(_ services: TrackingServices) async throws -> Fixture {
        let experiment = try await services.experiments.createExperiment(name: "e", artifactLocation: nil, tags: [])
        let run = try await services.runs.createRun(experimentID: experiment, userID: nil, runName: nil, startTime: nil, tags: []).info.runID
        let model = try await services.loggedModels.createLoggedModel(
            experimentID: experiment, name: "model", modelType: nil, sourceRunID: run, params: [], tags: [])
        return Fixture(experiment: experiment, run: run, model: model.modelID)
    }

    @Test("Versions take the next number, never a deleted one; sources resolve to storage and run", arguments: TestEngine.available)
    func versions(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            let registry = services.registry
            let fixture = try await Self.fixture(services)
            _ = try await registry.createRegisteredModel(name: "fraud", description: "d", tags: [Tag("team", "risk")], actor: "ana")
            await #expect(throws: RegistryErrors.registeredModelExists("fraud")) {
                try await registry.createRegisteredModel(name: "fraud", description: nil, tags: [], actor: "ana")
            }
            let fromModel = try await registry.register("fraud", "models:/\(fixture.model)", actor: "ana")
            #expect(fromModel.version == 1 && fromModel.status == .ready && fromModel.currentStage == .none)
            #expect(fromModel.runID == fixture.run)
            #expect(fromModel.userID == "ana")
            #expect(
                try await registry.downloadURI(name: "fraud", version: "1", actor: "tester")
                    == "mlflow-artifacts:/\(fixture.experiment)/models/\(fixture.model)/artifacts")

            let fromRun = try await registry.register(
                "fraud", "runs:/\(fixture.run)/model", runID: fixture.run, description: "v2", tags: [Tag("k", "v")],
                actor: ModelRegistryService.anonymousActor)
            #expect(fromRun.version == 2 && fromRun.userID == "" && fromRun.tags == [Tag("k", "v")])
            let proxied = try await registry.register("fraud", "mlflow-artifacts:/\(fixture.experiment)/\(fixture.run)/artifacts/model", actor: "ana")
            #expect(proxied.version == 3 && proxied.runID == fixture.run)
            let copied = try await registry.register("fraud", "models:/fraud/1", actor: "ana")
            #expect(copied.version == 4 && copied.storageLocation == fromModel.storageLocation && copied.runID == fixture.run)

            try await registry.deleteModelVersion(name: "fraud", version: "4", actor: "ana")
            await #expect(throws: RegistryErrors.modelVersionNotFound("fraud", 4)) { try await registry.modelVersion(name: "fraud", version: "4") }
            let next = try await registry.register("fraud", "runs:/\(fixture.run)/model", actor: "ana")
            #expect(next.version == 5)
            #expect(try await registry.version(name: "fraud", alias: "latest").version == 5)
            #expect(try await registry.registeredModel(name: "fraud").latestVersions.map(\.version) == [5])
        }
    }

    @Test(
        "Sources the server does not own are refused with INVALID_PARAMETER_VALUE and create nothing",
        arguments: TestEngine.available)
    func sourceValidation(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            let registry = services.registry
            let fixture = try await Self.fixture(services)
            let other = try await services.runs.createRun(experimentID: fixture.experiment, userID: nil, runName: nil, startTime: nil, tags: [])
            _ = try await registry.createRegisteredModel(name: "m", description: nil, tags: [], actor: "a")
            _ = try await registry.createRegisteredModel(name: "p", description: nil, tags: [Tag(PromptTags.isPrompt, "true")], actor: "a")
            let run = fixture.run
            let refused: [(source: String, runID: String?)] = [
                ("file:///etc/passwd", nil), ("/etc/passwd", nil), ("../../etc/passwd", nil), ("relative/dir", nil),
                ("http://169.254.169.254/latest/meta-data", nil), ("https://evil.example/model", nil), ("ftp://host/x", nil),
                ("mlflow-artifacts://evil.example/1/\(run)/artifacts", nil), ("s3://bucket/model", nil),
                ("runs:/\(run)/../../../etc", nil), ("runs:/\(run)/%2e%2e/%2e%2e/etc", nil), ("runs:/\(run)/%252e%252e/x", nil),
                ("runs:/\(run)/a\\..\\..\\b", nil), ("runs:/\(run)//etc/passwd", nil), ("runs://host/\(run)/model", nil),
                ("runs:/\(run)/model", other.info.runID), ("runs:/0123456789abcdef0123456789abcdef/model", nil),
                ("mlflow-artifacts:/\(fixture.experiment)/\(run)/artifacts/../../../x", nil),
                ("mlflow-artifacts:/\(fixture.experiment)/\(other.info.runID)/artifacts/model", run),
                ("mlflow-artifacts:/999/\(run)/artifacts/model", nil), ("mlflow-artifacts:/../../etc", nil),
                ("models:/m-00000000000000000000000000000000", nil), ("models:/\(fixture.model)/../x", nil), ("models:/m/7", nil),
                ("dummy-source", nil), ("prompt-template", nil), ("runs:/\(run)/model\u{0}", nil),
            ]
            for (source, runID) in refused {
                let error = await #expect(throws: StewardError.self, "\(source)") {
                    try await registry.register("m", source, runID: runID)
                }
                #expect(error?.code == .invalidParameterValue, "\(source): \(String(describing: error))")
            }
            // The prompt tag does not open a way round the checks.
            for source in ["file:///etc/passwd", "runs:/\(run)/model", "../x", "http://evil/x"] {
                await #expect(throws: StewardError.self, "\(source)") {
                    try await registry.register("p", source, tags: [Tag(PromptTags.isPrompt, "true"), Tag(PromptTags.text, "Hi")])
                }
                await #expect(throws: StewardError.self, "\(source)") {
                    try await registry.register("m", source, tags: [Tag(PromptTags.isPrompt, "TRUE")])
                }
            }
            #expect(try await services.count("model_versions") == 0)
            #expect(try await services.count("model_version_tags") == 0)
            #expect(try await services.count("registry_events") == 0)
            let prompt = try await registry.register("p", "dummy-source", tags: [Tag(PromptTags.isPrompt, "true"), Tag(PromptTags.text, "Hi {{x}}")])
            #expect(prompt.version == 1)
            #expect(try await registry.registeredModel(name: "m").latestVersions.isEmpty)
        }
    }

    @Test("Aliases move, resolve, vanish with their version, and every move is in the history", arguments: TestEngine.available)
    func aliasesAndHistory(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            let registry = services.registry
            let fixture = try await Self.fixture(services)
            _ = try await registry.createRegisteredModel(name: "m", description: nil, tags: [], actor: "ana")
            for _ in 1...3 {
                _ = try await registry.register("m", "runs:/\(fixture.run)/model", actor: "ana")
            }
            try await registry.setAlias(name: "m", alias: "best", version: "1", actor: "ana")
            try await registry.setAlias(name: "m", alias: "best", version: "2", actor: "bo")
            try await registry.setAlias(name: "m", alias: "best", version: "2", actor: "bo")
            try await registry.setAlias(name: "m", alias: "challenger", version: "3", actor: "bo")
            #expect(try await registry.version(name: "m", alias: "best").version == 2)
            #expect(try await registry.modelVersion(name: "m", version: "2").aliases == ["best"])
            #expect(try await registry.registeredModel(name: "m").aliases.map(\.alias) == ["best", "challenger"])
            await #expect(throws: RegistryErrors.aliasNotFound("m", "nope")) { try await registry.version(name: "m", alias: "nope") }
            await #expect(throws: StewardError.self) { try await registry.setAlias(name: "m", alias: "x", version: "9", actor: "bo") }

            _ = try await registry.transitionStage(name: "m", version: "1", stage: "staging", archiveExisting: false, actor: "ana")
            let promoted = try await registry.transitionStage(name: "m", version: "2", stage: "Staging", archiveExisting: true, actor: "cy")
            #expect(promoted.currentStage == .staging)
            #expect(try await registry.modelVersion(name: "m", version: "1").currentStage == .archived)
            #expect(try await registry.latestVersions(name: "m", stages: ["Staging"]).map(\.version) == [2])
            await #expect(throws: StewardError.self) {
                try await registry.transitionStage(name: "m", version: "2", stage: "Live", archiveExisting: false, actor: "cy")
            }

            try await registry.deleteAlias(name: "m", alias: "best", actor: "bo")
            try await registry.deleteAlias(name: "m", alias: "best", actor: "bo")
            try await registry.deleteModelVersion(name: "m", version: "3", actor: "ana")
            #expect(try await registry.registeredModel(name: "m").aliases.isEmpty)

            let events = try await registry.history(name: "m")
            let summary = events.map { "\($0.kind.rawValue) v\($0.version ?? 0) \($0.alias ?? "") \($0.fromVersion ?? 0) \($0.actor)" }
            #expect(
                summary.filter { $0.hasPrefix("alias") } == [
                    "alias_set v1 best 0 ana", "alias_set v2 best 1 bo", "alias_set v3 challenger 0 bo", "alias_deleted v2 best 0 bo",
                    "alias_deleted v3 challenger 0 ana",
                ])
            let stages = events.filter { $0.kind == .stageTransition }.map {
                "v\($0.version ?? 0) \($0.fromStage?.rawValue ?? "") -> \($0.toStage?.rawValue ?? "") by \($0.actor)"
            }
            #expect(stages == ["v1 None -> Staging by ana", "v1 Staging -> Archived by cy", "v2 None -> Staging by cy"])
            #expect(events.map(\.time) == events.map(\.time).sorted())
        }
    }

    @Test("Renaming moves versions, tags, aliases and history; deleting removes the model but keeps its history", arguments: TestEngine.available)
    func renameAndDelete(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            let registry = services.registry
            let fixture = try await Self.fixture(services)
            _ = try await registry.createRegisteredModel(name: "old", description: nil, tags: [Tag("t", "1")], actor: "ana")
            _ = try await registry.register("old", "runs:/\(fixture.run)/model", tags: [Tag("vt", "2")], actor: "ana")
            try await registry.setAlias(name: "old", alias: "live", version: "1", actor: "ana")
            try await registry.setCardNotes(name: "old", version: "1", notes: ["limitations": "Small sample"], actor: "tester")
            _ = try await registry.createRegisteredModel(name: "taken", description: nil, tags: [], actor: "ana")
            await #expect(throws: RegistryErrors.registeredModelExists("taken")) {
                try await registry.renameRegisteredModel(name: "old", to: "taken", actor: "ana")
            }

            let renamed = try await registry.renameRegisteredModel(name: "old", to: "new", actor: "bo")
            #expect(renamed.name == "new" && renamed.tags == [Tag("t", "1")])
            await #expect(throws: RegistryErrors.registeredModelNotFound("old")) { try await registry.registeredModel(name: "old") }
            let version = try await registry.version(name: "new", alias: "live")
            #expect(version.version == 1 && version.tags == [Tag("vt", "2")] && version.name == "new")
            #expect(try await registry.modelCard(name: "new", version: "1").considerations.limitations == "Small sample")
            let history = try await registry.history(name: "new")
            #expect(history.map(\.kind) == [.versionCreated, .aliasSet, .modelRenamed])
            #expect(history.allSatisfy { $0.name == "new" })

            try await registry.deleteRegisteredModel(name: "new", actor: "cy")
            await #expect(throws: RegistryErrors.registeredModelNotFound("new")) { try await registry.registeredModel(name: "new") }
            #expect(try await registry.history(name: "new").last?.kind == .modelDeleted)
            for table in ["model_versions", "model_version_tags", "registered_model_aliases", "model_card_notes"] {
                #expect(try await services.count(table) == 0, "\(table)")
            }
            #expect(try await services.count("registered_model_tags") == 0)
            // A model created again under the name starts numbering at 1.
            _ = try await registry.createRegisteredModel(name: "new", description: nil, tags: [], actor: "ana")
            let first = try await registry.register("new", "runs:/\(fixture.run)/model", actor: "ana")
            #expect(first.version == 1)
        }
    }

    @Test("Searches filter, order and page; prompts are left out unless asked for", arguments: TestEngine.available)
    func search(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            let registry = services.registry
            let fixture = try await Self.fixture(services)
            let second = try await services.runs.createRun(experimentID: fixture.experiment, userID: nil, runName: nil, startTime: nil, tags: [])
            for name in ["fraud-a", "fraud-b", "Churn"] {
                _ = try await registry.createRegisteredModel(
                    name: name, description: nil, tags: name == "fraud-b" ? [Tag("team", "risk")] : [], actor: "a")
            }
            _ = try await registry.createRegisteredModel(name: "fraud-prompt", description: nil, tags: [Tag(PromptTags.isPrompt, "true")], actor: "a")
            _ = try await registry.register("fraud-prompt", "prompt-template", tags: [Tag(PromptTags.isPrompt, "true"), Tag(PromptTags.text, "Hi")])
            for (name, run) in [("fraud-a", fixture.run), ("fraud-a", second.info.runID), ("fraud-b", fixture.run)] {
                _ = try await registry.register(name, "runs:/\(run)/model", tags: name == "fraud-b" ? [Tag("validated", "yes")] : [])
            }

            func models(_ filter: String?, _ order: [String] = []) async throws -> [String] {
                try await registry.searchRegisteredModels(filter: filter, orderBy: order, maxResults: nil, pageToken: nil).items.map(\.name)
            }
            func versions(_ filter: String?, _ order: [String] = []) async throws -> [String] {
                try await registry.searchModelVersions(filter: filter, orderBy: order, maxResults: nil, pageToken: nil).items.map {
                    "\($0.name)/\($0.version)"
                }
            }
            #expect(try await models(nil) == ["Churn", "fraud-a", "fraud-b"])
            #expect(try await models("name LIKE 'fraud%'") == ["fraud-a", "fraud-b"])
            #expect(try await models("name ILIKE 'CHURN'") == ["Churn"])
            #expect(try await models("tags.team = 'risk'") == ["fraud-b"])
            #expect(try await models("tags.team != 'risk'") == ["Churn", "fraud-a"])
            #expect(try await models("name LIKE 'fraud%'", ["name DESC"]) == ["fraud-b", "fraud-a"])
            #expect(try await models("tags.`mlflow.prompt.is_prompt` = 'true'") == ["fraud-prompt"])
            #expect(try await models("name = 'fraud-prompt'").isEmpty)

            #expect(try await versions("name = 'fraud-a'", ["version_number DESC"]) == ["fraud-a/2", "fraud-a/1"])
            #expect(try await versions("run_id IN ('\(fixture.run)')", ["name ASC", "version_number ASC"]) == ["fraud-a/1", "fraud-b/1"])
            #expect(try await versions("version_number > 1") == ["fraud-a/2"])
            #expect(try await versions("tags.validated = 'yes'") == ["fraud-b/1"])
            #expect(try await versions("source_path = 'runs:/\(second.info.runID)/model'") == ["fraud-a/2"])
            #expect(try await versions("tags.`mlflow.prompt.is_prompt` = 'true'") == ["fraud-prompt/1"])

            let first = try await registry.searchRegisteredModels(filter: nil, orderBy: ["name ASC"], maxResults: 2, pageToken: nil)
            #expect(first.items.map(\.name) == ["Churn", "fraud-a"])
            let rest = try await registry.searchRegisteredModels(filter: nil, orderBy: ["name ASC"], maxResults: 2, pageToken: first.nextPageToken)
            #expect(rest.items.map(\.name) == ["fraud-b"] && rest.nextPageToken == nil)
            await #expect(throws: StewardError.self) { try await models("bogus = 'x'") }
        }
    }

    @Test("Prompts render by version, alias and latest; a missing variable is a clear error", arguments: TestEngine.available)
    func prompts(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let registry = TrackingServices(storage).registry
            let promptTag = Tag(PromptTags.isPrompt, "true")
            _ = try await registry.createRegisteredModel(name: "greet", description: nil, tags: [promptTag], actor: "a")
            _ = try await registry.register(
                "greet", "dummy-source", tags: [promptTag, Tag(PromptTags.text, "Hello {{ name }}!"), Tag(PromptTags.type, "text")])
            _ = try await registry.register(
                "greet", "dummy-source",
                tags: [promptTag, Tag(PromptTags.text, #"[{"role": "user", "content": "Hi {{name}}"}]"#), Tag(PromptTags.type, "chat")])
            try await registry.setAlias(name: "greet", alias: "live", version: "1", actor: "a")
            #expect(try await registry.renderPrompt(name: "greet", version: nil, alias: "live", variables: ["name": "Ann"]).1 == .text("Hello Ann!"))
            #expect(try await registry.renderPrompt(name: "greet", version: "1", alias: nil, variables: ["name": "Bo"]).1 == .text("Hello Bo!"))
            let latest = try await registry.renderPrompt(name: "greet", version: nil, alias: nil, variables: ["name": "Cy"])
            #expect(latest.0.version == 2 && latest.1 == .chat([.init(role: "user", content: "Hi Cy")]))
            await #expect(throws: StewardError.invalidParameter("Missing value for prompt variable(s): name.")) {
                try await registry.renderPrompt(name: "greet", version: "1", alias: nil, variables: [:])
            }
        }
    }
}

extension ModelRegistryService {
    /// Registers a version with what these tests vary, leaving the rest unset.
    fileprivate func register(
        _ name: String, _ source: String, runID: String? = nil, description: String? = nil, tags: [StewardCore.Tag] = [], actor: String = "a"
    ) async throws -> ModelVersion {
        try await createModelVersion(
            name: name, source: source, runID: runID, modelID: nil, runLink: nil, description: description, tags: tags, actor: actor)
    }
}
