import Foundation

/// The rules of the model registry: names, aliases, tags, stages, which sources a version may be registered
/// from, and the prompt registry's conventions on top of registered models.
public struct ModelRegistryService: Sendable {
    let repository: any ModelRegistryRepository
    let runs: any RunRepository
    let loggedModels: any LoggedModelRepository
    /// Decides moves of protected aliases and into Production; nil only where no governance applies.
    let gate: (any PromotionGate)?
    /// Where model cards find each version's latest evaluation.
    let evaluations: (any EvaluationRepository)?
    /// Where model cards find the name of the experiment a version was trained in.
    let experiments: (any ExperimentRepository)?
    /// Records each version's content at registration and checks it before the version is handed out.
    public let integrity: ContentIntegrity?
    let now: @Sendable () -> Int64

    public init(
        repository: any ModelRegistryRepository, runs: any RunRepository, loggedModels: any LoggedModelRepository,
        gate: (any PromotionGate)? = nil, evaluations: (any EvaluationRepository)? = nil, experiments: (any ExperimentRepository)? = nil,
        integrity: ContentIntegrity? = nil, now: @escaping @Sendable () -> Int64 = EpochClock.now
    ) {
        self.experiments = experiments
        self.integrity = integrity
        self.repository = repository
        self.runs = runs
        self.loggedModels = loggedModels
        self.gate = gate
        self.evaluations = evaluations
        self.now = now
    }

    public static let maxTagValueLength = 100_000
    public static let maxAliasLength = 255
    /// The alias that always means the highest version.
    public static let latestAlias = "latest"
    /// Who history records when a request names no user; such requests leave `user_id` empty, as MLflow does.
    public static let anonymousActor = "anonymous"

    static func userID(of actor: String) -> String { actor == anonymousActor ? "" : actor }

    // MARK: Registered models

    /// Creates a model; taking a name that a model of an AI system held is governance's decision.
    public func createRegisteredModel(name: String, description: String?, tags: [Tag], actor: Principal) async throws -> RegisteredModel {
        try Self.validateName(name)
        for tag in tags { try Self.validateTag(tag) }
        let decision = try await gate?.authorize(.create(name), actor: actor)
        return try await guardedWrite(decision) {
            try await repository.createRegisteredModel(
                name: name, description: description ?? "", tags: tags, userID: Self.userID(of: actor.name), now: now(), audit: decision?.audit,
                guarded: decision?.guarded ?? Self.unguarded)
        }
    }

    public func registeredModel(name: String) async throws -> RegisteredModel {
        try await repository.registeredModel(name: try Self.requiredName(name))
    }

    /// Renames a model, as governance allows (`PromotionGate.authorize(_:actor:)`).
    public func renameRegisteredModel(name: String, to newName: String, actor: Principal) async throws -> RegisteredModel {
        try Self.validateName(newName, field: "new_name")
        let name = try Self.requiredName(name)
        let decision = try await gate?.authorize(.rename(from: name, to: newName), actor: actor)
        return try await guardedWrite(decision) {
            try await repository.renameRegisteredModel(
                name: name, to: newName, actor: actor.name, now: now(), audit: decision?.audit,
                guarded: decision?.guarded ?? Self.unguarded)
        }
    }

    public func updateRegisteredModel(name: String, description: String?) async throws -> RegisteredModel {
        try await repository.updateRegisteredModel(name: try Self.requiredName(name), description: description ?? "", now: now())
    }

    /// Deletes a model with its versions, as governance allows (`PromotionGate.authorize(_:actor:)`).
    public func deleteRegisteredModel(name: String, actor: Principal) async throws {
        let name = try Self.requiredName(name)
        let decision = try await gate?.authorize(.delete(name), actor: actor)
        try await guardedWrite(decision) {
            try await repository.deleteRegisteredModel(
                name: name, actor: actor.name, now: now(), audit: decision?.audit,
                guarded: decision?.guarded ?? Self.unguarded)
        }
    }

    /// Without governance (a bare registry), names are not guarded.
    static let unguarded = NameGuard(governor: true) { _ in false }

    /// Runs a name change's write; a refusal its guard made inside the transaction (something changed since the
    /// decision) is audited as the decision's refusal.
    func guardedWrite<T>(_ decision: NameDecision?, _ write: () async throws -> T) async throws -> T {
        do { return try await write() } catch let error as StewardError where error.code == .permissionDenied {
            guard let gate, let decision else { throw error }
            try await gate.refuse(decision.refusal, error)
        }
    }

    public func searchRegisteredModels(filter: String?, orderBy: [String], maxResults: Int?, pageToken: String?) async throws -> Page<RegisteredModel>
    {
        let size = try PageSize.resolve(
            maxResults, default: RegistrySearchGrammar.registeredModelsDefaultMaxResults,
            maximum: RegistrySearchGrammar.registeredModelsMaximumMaxResults)
        return try await repository.searchRegisteredModels(
            RegistryQuery(
                filter: Self.leavingOutPrompts(try RegistrySearchGrammar.registeredModelFilter(filter), tag: .tag(PromptTags.isPrompt)),
                orderBy: try RegistrySearchGrammar.registeredModelOrder(orderBy),
                maxResults: size, page: try PageToken.decode(pageToken)))
    }

    /// Model searches leave prompts out unless the filter asks about the prompt tag, as MLflow's server does:
    /// prompts are found through that tag, models through everything else.
    static func leavingOutPrompts<Field>(_ filter: [FilterClause<Field>], tag: Field) -> [FilterClause<Field>] {
        if filter.contains(where: { $0.field == tag }) { return filter }
        return filter + [FilterClause(field: tag, comparator: .notEqual, value: .string("true"))]
    }

    public func setRegisteredModelTag(name: String, tag: Tag) async throws {
        try Self.validateTag(tag)
        try await repository.setRegisteredModelTag(name: try Self.requiredName(name), tag: tag, now: now())
    }

    public func deleteRegisteredModelTag(name: String, key: String) async throws {
        try await repository.deleteRegisteredModelTag(name: try Self.requiredName(name), key: key, now: now())
    }

    /// The newest version in each requested stage (every stage when none is named).
    public func latestVersions(name: String, stages: [String]) async throws -> [ModelVersion] {
        let model = try await repository.registeredModel(name: try Self.requiredName(name))
        let wanted = try stages.map { stage throws(StewardError) in
            guard let parsed = ModelStage(lenient: stage) else {
                throw .invalidParameter(
                    "Invalid Model Version stage: \(stage). Value must be one of "
                        + ModelStage.allCases.map(\.rawValue).joined(separator: ", ") + ".")
            }
            return parsed
        }
        return model.latestVersions.filter { wanted.isEmpty || wanted.contains($0.currentStage) }
    }

    // MARK: Versions

    /// Registers a version after checking that its source is a location this server owns: a logged model
    /// (`models:/m-…`), a run's artifact path (`runs:/<run>/<path>`), a path below a run's or logged model's
    /// proxied artifacts (`mlflow-artifacts:/…`), or another version (`models:/<name>/<version>`). Prompts take
    /// only MLflow's placeholder sources, and only prompts may.
    public func createModelVersion(
        name: String, source: String, runID: String?, modelID: String?, runLink: String?, description: String?, tags: [Tag], actor: String
    ) async throws -> ModelVersion {
        let name = try Self.requiredName(name)
        for tag in tags { try Self.validateTag(tag) }
        let model = try await repository.registeredModel(name: name)
        let isPrompt = model.isPrompt || tags.contains { $0.key == PromptTags.isPrompt && $0.value.lowercased() == "true" }
        let resolved = try await resolve(source: source, runID: runID?.nonEmptyValue, modelID: modelID?.nonEmptyValue, isPrompt: isPrompt)
        // Locations are indexed (an upload looks up the version its path belongs to), and an index entry has a size limit.
        for (field, text) in [("source", source), ("storage location", resolved.storage)] where text.utf8.count > Self.maximumLocationBytes {
            throw StewardError.invalidParameter(
                "A model version's \(field) is at most \(Self.maximumLocationBytes) bytes; this one is \(text.utf8.count).")
        }
        let manifest = try await integrity?.manifest(storageLocation: resolved.storage, tags: tags, isPrompt: isPrompt)
        return try await repository.createModelVersion(
            NewModelVersion(
                name: name, source: source, storageLocation: resolved.storage, runID: resolved.runID, runLink: runLink ?? "",
                modelID: resolved.modelID, userID: Self.userID(of: actor), description: description ?? "", tags: tags, manifest: manifest),
            actor: actor, now: now())
    }

    static let maximumLocationBytes = 2000

    struct ResolvedSource {
        var storage: String
        var runID: String
        var modelID: String?
    }

    func resolve(source: String, runID: String?, modelID: String?, isPrompt: Bool) async throws -> ResolvedSource {
        func refuse(_ reason: String) -> StewardError {
            .invalidParameter("Invalid model version source '\(source)': \(reason)")
        }
        if PromptTags.sources.contains(source) {
            guard isPrompt else { throw refuse("'\(source)' is reserved for prompt versions.") }
            return ResolvedSource(storage: "", runID: runID ?? "", modelID: nil)
        }
        if isPrompt {
            throw refuse("a prompt version's source must be one of \(PromptTags.sources.sorted()); the prompt tag cannot register files.")
        }
        var resolved: ResolvedSource
        if source.hasPrefix("models:/") {
            let reference = String(source.dropFirst("models:/".count))
            if reference.hasPrefix("m-"), !reference.contains("/") {
                let model = try await loggedModel(reference, refuse)
                resolved = ResolvedSource(storage: model.artifactURI, runID: runID ?? model.sourceRunID ?? "", modelID: model.modelID)
            } else {
                let parts = reference.split(separator: "/", omittingEmptySubsequences: false)
                guard parts.count == 2, let version = Int64(parts[1]) else {
                    throw refuse("expected models:/<logged model id> or models:/<name>/<version>.")
                }
                let existing: ModelVersion
                do { existing = try await repository.modelVersion(name: String(parts[0]), version: version) } catch let error as StewardError
                    where error.code == .resourceDoesNotExist
                { throw refuse(error.message) }
                resolved = ResolvedSource(storage: existing.storageLocation, runID: runID ?? existing.runID, modelID: existing.modelID)
            }
        } else if source.hasPrefix("runs:/") {
            let rest = source.dropFirst("runs:/".count)
            guard let slash = rest.firstIndex(of: "/") else { throw refuse("expected runs:/<run id>/<artifact path>.") }
            let sourceRun = String(rest[..<slash])
            let path = try ArtifactPath(decoded: String(rest[rest.index(after: slash)...]))
            let run: Run
            do { run = try await runs.run(id: sourceRun) } catch let error as StewardError where error.code == .resourceDoesNotExist {
                throw refuse("run '\(sourceRun)' does not exist.")
            }
            if let runID, runID != sourceRun { throw refuse("it names run '\(sourceRun)' but run_id is '\(runID)'.") }
            resolved = ResolvedSource(
                storage: path.isRoot ? run.info.artifactURI : run.info.artifactURI + "/" + path.string, runID: sourceRun, modelID: nil)
        } else if source.hasPrefix("mlflow-artifacts:") {
            var rest = Substring(source.dropFirst("mlflow-artifacts:".count))
            while rest.hasPrefix("/") { rest = rest.dropFirst() }
            let path = try ArtifactPath(encoded: String(rest))
            let components = path.components
            let location = "mlflow-artifacts:/" + path.string
            func isBelow(_ root: String) -> Bool { location == root || location.hasPrefix(root + "/") }
            // <experiment>/<run>/artifacts/... or <experiment>/models/<model>/artifacts/...
            if components.count >= 4, components[1] == "models", components[3] == "artifacts" {
                let model = try await loggedModel(components[2], refuse)
                guard isBelow(model.artifactURI) else { throw refuse("it is not below logged model \(model.modelID)'s artifacts.") }
                resolved = ResolvedSource(storage: location, runID: runID ?? model.sourceRunID ?? "", modelID: model.modelID)
            } else if components.count >= 3, components[2] == "artifacts" {
                let run: Run
                do { run = try await runs.run(id: components[1]) } catch let error as StewardError where error.code == .resourceDoesNotExist {
                    throw refuse("it is not below the artifacts of a run this server knows.")
                }
                guard isBelow(run.info.artifactURI) else { throw refuse("it is not below run \(run.info.runID)'s artifacts.") }
                if let runID, runID != run.info.runID { throw refuse("it lies in run '\(run.info.runID)' but run_id is '\(runID)'.") }
                resolved = ResolvedSource(storage: location, runID: run.info.runID, modelID: nil)
            } else {
                throw refuse("it is not below a run's or a logged model's artifacts.")
            }
        } else {
            throw refuse(
                "only locations this server stores are accepted: models:/<logged model id>, runs:/<run id>/<path> or "
                    + "mlflow-artifacts:/<experiment>/<run>/artifacts/<path>.")
        }
        if let modelID, resolved.modelID == nil {
            let model = try await loggedModel(modelID, refuse)
            resolved.modelID = model.modelID
            if resolved.runID.isEmpty { resolved.runID = model.sourceRunID ?? "" }
        }
        if let runID, resolved.runID.isEmpty { resolved.runID = runID }
        return resolved
    }

    private func loggedModel(_ id: String, _ refuse: (String) -> StewardError) async throws -> LoggedModel {
        do { return try await loggedModels.loggedModel(id: id) } catch let error as StewardError where error.code == .resourceDoesNotExist {
            throw refuse("logged model '\(id)' does not exist.")
        }
    }

    public func modelVersion(name: String, version: String) async throws -> ModelVersion {
        try await repository.modelVersion(name: try Self.requiredName(name), version: try Self.versionNumber(version))
    }

    public func updateModelVersion(name: String, version: String, description: String?) async throws -> ModelVersion {
        try await repository.updateModelVersion(
            name: try Self.requiredName(name), version: try Self.versionNumber(version), description: description ?? "", now: now())
    }

    public func deleteModelVersion(name: String, version: String, actor: Principal) async throws {
        let name = try Self.requiredName(name)
        let number = try Self.versionNumber(version)
        let audit = try await gate?.authorizeVersionDeletion(model: name, version: number, actor: actor)
        try await repository.deleteModelVersion(name: name, version: number, actor: actor.name, now: now(), audit: audit)
    }

    public func searchModelVersions(filter: String?, orderBy: [String], maxResults: Int?, pageToken: String?) async throws -> Page<ModelVersion> {
        let size = try PageSize.resolve(
            maxResults, default: RegistrySearchGrammar.modelVersionsDefaultMaxResults,
            maximum: RegistrySearchGrammar.modelVersionsMaximumMaxResults)
        return try await repository.searchModelVersions(
            RegistryQuery(
                filter: Self.leavingOutPrompts(try RegistrySearchGrammar.modelVersionFilter(filter), tag: .tag(PromptTags.isPrompt)),
                orderBy: try RegistrySearchGrammar.modelVersionOrder(orderBy),
                maxResults: size, page: try PageToken.decode(pageToken)))
    }

    /// Moves a version to a stage; entering Production needs the promotion gate's consent, and leaving it is
    /// audited.
    public func transitionStage(name: String, version: String, stage: String, archiveExisting: Bool, actor: Principal) async throws -> ModelVersion {
        guard let target = ModelStage(lenient: stage) else {
            throw StewardError.invalidParameter(
                "Invalid Model Version stage: \(stage). Value must be one of " + ModelStage.allCases.map(\.rawValue).joined(separator: ", ") + ".")
        }
        let name = try Self.requiredName(name)
        let number = try Self.versionNumber(version)
        let current = try await repository.modelVersion(name: name, version: number)
        var audit = try await gate?.authorize(model: name, version: number, target: .stage(target), actor: actor, action: "promotion")
        if audit == nil, current.currentStage == .production, target != .production {
            audit = try await gate?.release(model: name, target: .stage(.production), actor: actor)
        }
        return try await repository.transitionModelVersion(
            name: name, version: number, to: target, archiveExisting: archiveExisting && (target == .staging || target == .production),
            actor: actor.name, now: now(), audit: audit)
    }

    public func setModelVersionTag(name: String, version: String, tag: Tag, actor: Principal) async throws {
        try Self.validateTag(tag)
        let (name, number) = (try Self.requiredName(name), try Self.versionNumber(version))
        try await refuseContentTag(tag.key, name: name, version: number, actor: actor)
        try await repository.setModelVersionTag(name: name, version: number, tag: tag, now: now())
    }

    public func deleteModelVersionTag(name: String, version: String, key: String, actor: Principal) async throws {
        let (name, number) = (try Self.requiredName(name), try Self.versionNumber(version))
        try await refuseContentTag(key, name: name, version: number, actor: actor)
        try await repository.deleteModelVersionTag(name: name, version: number, key: key, now: now())
    }

    /// Refuses a change to a tag that holds a prompt version's content (`PromptTags.isContent`), fixed when it is
    /// registered like a model version's files; under governance the refusal is audited.
    func refuseContentTag(_ key: String, name: String, version: Int64, actor: Principal) async throws {
        guard PromptTags.isContent(key) else { return }
        let error = StewardError(
            .permissionDenied,
            "'\(key)' holds a prompt version's content, which is immutable once registered: register a new version instead.")
        guard let gate else { throw error }
        try await gate.refuse(
            AuditEntry(
                actor: actor, action: "model_version.tag", target: "model:\(name)/\(version)", systemID: try await gate.systemID(owning: name),
                details: ["key": String(key.prefix(250))]), error)
    }

    /// Where a version's files are, for downloads, after checking they are still the ones registered.
    public func downloadURI(name: String, version: String, actor: Principal) async throws -> String {
        let modelVersion = try await modelVersion(name: name, version: version)
        _ = try await integrity?.verify(
            modelVersion, actor: actor, action: "download", systemID: try await gate?.systemID(owning: modelVersion.name), reusingRecent: true)
        return modelVersion.storageLocation
    }

    // MARK: Aliases

    /// Points an alias at a version; a protected alias needs the promotion gate's consent.
    public func setAlias(name: String, alias: String, version: String, actor: Principal) async throws {
        try Self.validateAlias(alias)
        let name = try Self.requiredName(name)
        let number = try Self.versionNumber(version)
        _ = try await repository.modelVersion(name: name, version: number)
        let audit = try await gate?.authorize(model: name, version: number, target: .alias(alias), actor: actor, action: "promotion")
        try await repository.setAlias(name: name, alias: alias, version: number, actor: actor.name, now: now(), audit: audit)
    }

    /// Removes an alias; removing a protected one is audited.
    public func deleteAlias(name: String, alias: String, actor: Principal) async throws {
        guard !alias.isEmpty else { throw StewardError.invalidParameter("Registered model alias name cannot be empty.") }
        let name = try Self.requiredName(name)
        let audit = try await gate?.release(model: name, target: .alias(alias), actor: actor)
        try await repository.deleteAlias(name: name, alias: alias, actor: actor.name, now: now(), audit: audit)
    }

    /// Promotes a version of a registered system's model to a protected alias or stage: the system must hold
    /// the model, then the same decision as every other path.
    public func promote(
        systemID: String, name: String, version: String, target: PromotionTarget, archiveExisting: Bool, actor: Principal
    ) async throws -> ModelVersion {
        let gate = try requireGate()
        let name = try Self.requiredName(name)
        try await gate.requireComponent(systemID: systemID, model: name, actor: actor, action: "promotion")
        guard try await gate.isProtected(target) else {
            throw StewardError.invalidParameter("\(target) is not protected by the policy; move it through the model registry instead.")
        }
        switch target {
        case .alias(let alias):
            try await setAlias(name: name, alias: alias, version: version, actor: actor)
            return try await modelVersion(name: name, version: version)
        case .stage(let stage):
            return try await transitionStage(name: name, version: version, stage: stage.rawValue, archiveExisting: archiveExisting, actor: actor)
        }
    }

    /// Points a protected alias back at the version that held it before, in one audited step. The earlier
    /// version goes through the promotion gate again, so a rollback never restores what the controls refuse.
    public func rollback(systemID: String, name: String, alias: String, actor: Principal) async throws -> (from: Int64, to: Int64) {
        let gate = try requireGate()
        let name = try Self.requiredName(name)
        try await gate.requireComponent(systemID: systemID, model: name, actor: actor, action: "rollback")
        guard try await gate.isProtected(.alias(alias)) else {
            throw StewardError.invalidParameter("Alias '\(alias)' is not protected by the policy; move it through the model registry instead.")
        }
        let current = try await repository.aliasedVersion(name: name, alias: alias)
        var previous: Int64?
        for candidate in try await earlierHolders(of: alias, model: name, current: current) {
            if (try? await repository.modelVersion(name: name, version: candidate)) != nil {
                previous = candidate
                break
            }
        }
        guard let previous else {
            throw StewardError.invalidParameter("Alias '\(alias)' of '\(name)' has no earlier version to roll back to.")
        }
        var audit = try await gate.authorize(model: name, version: previous, target: .alias(alias), actor: actor, action: "rollback")
        audit?.details["rolled_back_from"] = "\(current)"
        try await repository.setAlias(name: name, alias: alias, version: previous, actor: actor.name, now: now(), audit: audit)
        return (current, previous)
    }

    /// Versions an alias pointed at before `current`, newest first.
    public func earlierHolders(of alias: String, model name: String, current: Int64) async throws -> [Int64] {
        let model = try await repository.registeredModel(name: name)
        return RegistryEvent.earlierHolders(of: alias, current: current, in: try await repository.history(name: name), since: model.creationTime)
    }

    func requireGate() throws(StewardError) -> any PromotionGate {
        guard let gate else { throw StewardError(.notImplemented, "This registry runs without governance; there is nothing to promote through.") }
        return gate
    }

    /// The version an alias points at; `latest` always means the highest version.
    public func version(name: String, alias: String) async throws -> ModelVersion {
        let name = try Self.requiredName(name)
        if alias.lowercased() == Self.latestAlias {
            guard let latest = try await repository.latestVersionNumber(name: name) else {
                _ = try await repository.registeredModel(name: name)
                throw StewardError.notFound("Latest version not found for model \(name).")
            }
            return try await repository.modelVersion(name: name, version: latest)
        }
        return try await repository.modelVersion(name: name, version: try await repository.aliasedVersion(name: name, alias: alias))
    }

    /// The newest `limit` versions of a model or a prompt, newest first; deleted numbers are skipped.
    public func recentVersions(name: String, limit: Int = 50) async throws -> [ModelVersion] {
        let name = try Self.requiredName(name)
        guard let latest = try await repository.latestVersionNumber(name: name) else {
            _ = try await repository.registeredModel(name: name)
            return []
        }
        var versions: [ModelVersion] = []
        var number = latest
        while number >= 1, versions.count < limit, latest - number < Int64(limit) * 4 {
            do {
                versions.append(try await repository.modelVersion(name: name, version: number))
            } catch let error as StewardError where error.code == .resourceDoesNotExist {
                // A deleted version keeps its number.
            }
            number -= 1
        }
        return versions
    }

    public func history(name: String) async throws -> [RegistryEvent] {
        let name = try Self.requiredName(name)
        let events = try await repository.history(name: name)
        if events.isEmpty { _ = try await repository.registeredModel(name: name) }
        return events
    }

    // MARK: Validation

    static func requiredName(_ name: String) throws(StewardError) -> String {
        guard !name.isEmpty else { throw TrackingLimits.missingValue("name") }
        return name
    }

    static func validateName(_ name: String, field: String = "name") throws(StewardError) {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw TrackingLimits.missingValue(field) }
        guard !name.contains("/"), !name.contains(":") else {
            throw .invalidParameter("Invalid model name '\(name)'. Names cannot contain '/' or ':'.")
        }
        let normalized = TrackingLimits.normalizedPath(name)
        guard normalized == name, normalized != ".", !normalized.hasPrefix("..") else {
            throw TrackingLimits.invalidValue(field, name, "Names may be treated as files in certain cases, and must not resolve to other names.")
        }
        guard name.count <= 256, !name.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw .invalidParameter("Invalid model name: at most 256 characters, with no control characters.")
        }
    }

    static func validateTag(_ tag: Tag) throws(StewardError) {
        try TrackingLimits.validateKey(tag.key, path: "key")
        guard tag.value.count <= maxTagValueLength else { throw TrackingLimits.exceedsLength("value", maxTagValueLength) }
    }

    static func validateAlias(_ alias: String) throws(StewardError) {
        guard !alias.isEmpty else { throw .invalidParameter("Registered model alias name cannot be empty.") }
        guard alias.unicodeScalars.allSatisfy({ $0 == "_" || $0 == "-" || $0.properties.isAlphabetic || $0.properties.numericType != nil }) else {
            throw .invalidParameter("Invalid alias name: '\(alias)'. Names may only contain alphanumerics, underscores (_), and dashes (-).")
        }
        guard alias.count <= maxAliasLength else { throw TrackingLimits.exceedsLength("Registered model alias name", maxAliasLength) }
        if alias.lowercased() == latestAlias { throw .invalidParameter("'latest' alias name (case insensitive) is reserved.") }
        if let first = alias.first, first == "v" || first == "V", alias.count > 1, alias.dropFirst().allSatisfy(\.isNumber) {
            throw .invalidParameter("Version alias name '\(alias)' is reserved.")
        }
    }

    static func versionNumber(_ text: String) throws(StewardError) -> Int64 {
        guard let number = Int64(text.trimmingCharacters(in: .whitespaces)) else {
            throw .invalidParameter("Parameter 'version' must be an integer, got '\(text)'.")
        }
        return number
    }
}

extension String {
    /// The string, or nil when empty.
    var nonEmptyValue: String? { isEmpty ? nil : self }
}
