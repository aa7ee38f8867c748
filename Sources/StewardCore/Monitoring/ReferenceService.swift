import StewardStatistics

/// A system's reference profile: what its production data is compared with. It is made from training data: a
/// registered test set, or a table file a run logged (that of a registered model version's run, say). Every
/// version is kept and audited.
public struct ReferenceService: Sendable {
    let repository: any ReferenceRepository
    /// Emptied when a reference changes, so ingestion profiles against the new one at once.
    let cache: ReferenceCache
    let testSets: TestSets
    /// The artifacts runs logged, where training files are read from.
    let runArtifacts: any FileStore
    let registry: any ModelRegistryRepository
    let runs: any RunRepository
    let tables: any TableReader
    let now: @Sendable () -> Int64

    public init(
        repository: any ReferenceRepository, cache: ReferenceCache, testSets: TestSets, runArtifacts: any FileStore,
        registry: any ModelRegistryRepository, runs: any RunRepository, tables: any TableReader, now: @escaping @Sendable () -> Int64 = EpochClock.now
    ) {
        self.repository = repository
        self.cache = cache
        self.testSets = testSets
        self.runArtifacts = runArtifacts
        self.registry = registry
        self.runs = runs
        self.tables = tables
        self.now = now
    }

    /// Where a reference is made from: a registered test set (`dataset`, `version` or the latest), or a table file
    /// a run logged (`artifactPath` in `runID`, or in the run of the registered `model` version). `model` with
    /// `modelVersion` also records which version the reference is for; `features` picks columns (default: all).
    public struct Source: Sendable {
        public var dataset: String?
        public var version: String?
        public var runID: String?
        public var artifactPath: String?
        public var model: String?
        public var modelVersion: String?
        public var features: [String]?

        public init(
            dataset: String? = nil, version: String? = nil, runID: String? = nil, artifactPath: String? = nil, model: String? = nil,
            modelVersion: String? = nil, features: [String]? = nil
        ) {
            self.dataset = dataset
            self.version = version
            self.runID = runID
            self.artifactPath = artifactPath
            self.model = model
            self.modelVersion = modelVersion
            self.features = features
        }
    }

    /// Makes the system's reference from training data.
    public func setReference(systemID: String, from source: Source, actor: Principal) async throws -> ReferenceProfile {
        var model: ReferenceProfile.ModelVersionKey?
        var modelRunID: String?
        if let name = source.model {
            let number = try ModelRegistryService.versionNumber(try Self.required(source.modelVersion, "model_version"))
            let version = try await registry.modelVersion(name: name, version: number)
            model = ReferenceProfile.ModelVersionKey(name: version.name, version: version.version)
            modelRunID = version.runID.nonEmptyValue
        } else if source.modelVersion != nil {
            throw StewardError.invalidParameter("model_version needs model.")
        }
        switch (source.dataset, source.artifactPath) {
        case (let name?, nil):
            guard source.runID == nil else { throw StewardError.invalidParameter("Give either dataset or run_id with artifact_path.") }
            return try await testSets.withVerifiedCopy(
                systemID: systemID, name: name, version: source.version, actor: actor, action: "monitoring.reference"
            ) { file, dataset in
                try await setReference(
                    systemID: systemID, file: file, format: try TableFormat(parsing: dataset.format), columns: dataset.columns,
                    source: "\(dataset.name)@v\(dataset.version)", features: source.features, model: model, actor: actor)
            }
        case (nil, let artifact?):
            guard let runID = source.runID ?? modelRunID else {
                throw StewardError.invalidParameter("artifact_path needs run_id, or a model version registered from a run.")
            }
            var location = try ArtifactService.path(of: try await runs.run(id: runID).info.artifactURI)
            for component in try ArtifactPath(decoded: artifact).components { location = try location.appending(component) }
            return try await runArtifacts.withCopy(of: location) { file in
                guard let file else { throw StewardError.notFound("No such artifact: '\(location)'") }
                let format = TableFormat(path: artifact)
                return try await setReference(
                    systemID: systemID, file: file, format: format, columns: try tables.profile(path: file.path, format: format).columns,
                    source: "runs:/\(runID)/\(artifact)", features: source.features, model: model, actor: actor)
            }
        default:
            throw StewardError.invalidParameter("Give the reference data: dataset (a registered test set), or artifact_path with run_id or model.")
        }
    }

    /// Profiles the chosen columns of a table file (texts and booleans as categories) and makes it the reference.
    func setReference(
        systemID: String, file: LocalFile, format: TableFormat, columns: [EvaluationDataset.Column], source: String, features: [String]?,
        model: ReferenceProfile.ModelVersionKey?, actor: Principal
    ) async throws -> ReferenceProfile {
        let names = features ?? columns.map(\.name)
        let text = Set(columns.filter { $0.type == .string || $0.type == .boolean }.map(\.name))
        let table = try tables.read(path: file.path, columns: names, categories: text, format: format)
        return try await setReference(
            systemID: systemID, source: source, features: try ReferenceProfile.features(of: table.columns, names: names), model: model, actor: actor)
    }

    /// Makes a profile of reference data the system's reference; later windows are measured against it. The stored
    /// events are profiled over the new bins in the same write, so windows reaching back before the change are
    /// measured against it too. Audited.
    public func setReference(
        systemID: String, source: String, features: [String: FeatureProfile], model: ReferenceProfile.ModelVersionKey? = nil, actor: Principal
    ) async throws -> ReferenceProfile {
        guard !features.isEmpty else { throw StewardError.invalidParameter("A reference profile needs at least one feature.") }
        var profile = ReferenceProfile(
            systemID: systemID, version: 0, source: source, features: features, createdBy: actor.name, createdAt: now(), model: model)
        var details = ["source": source, "features": features.keys.sorted().joined(separator: ", ")]
        if let model { details["model"] = "\(model.name)/\(model.version)" }
        let entry = AuditEntry(actor: actor, action: "monitoring.reference", target: "system:\(systemID)", systemID: systemID, details: details)
        profile.version = try await repository.storeReference(profile, audit: entry, profile: WindowProfile.profiler(now: profile.createdAt))
        await cache.forget(systemID)
        return profile
    }

    public func reference(systemID: String) async throws -> ReferenceProfile {
        guard let reference = try await repository.currentReference(systemID: systemID) else { throw Self.noReference(systemID) }
        return reference
    }

    static func noReference(_ systemID: String) -> StewardError {
        StewardError.notFound("AI system '\(systemID)' has no reference profile; set one with PUT /api/v1/systems/\(systemID)/reference.")
    }

    static func required(_ value: String?, _ field: String) throws(StewardError) -> String {
        guard let value, !value.isEmpty else { throw TrackingLimits.missingValue(field) }
        return value
    }
}
