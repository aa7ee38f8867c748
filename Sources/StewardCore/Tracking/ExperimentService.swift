/// The rules of experiments: what a valid name, location and tag is, and which experiments may change.
public struct ExperimentService: Sendable {
    let repository: any ExperimentRepository
    let now: @Sendable () -> Int64

    public init(repository: any ExperimentRepository, now: @escaping @Sendable () -> Int64 = EpochClock.now) {
        self.repository = repository
        self.now = now
    }

    /// Schemes of artifact stores that clients write to directly; the server never reads these locations.
    static let externalArtifactSchemes: Set<String> = ["s3", "gs", "wasbs", "wasb", "abfss", "abfs", "hdfs", "viewfs", "dbfs", "oss"]

    public func createExperiment(name: String, artifactLocation: String?, tags: [Tag]) async throws -> String {
        try Self.validateName(name)
        let location = artifactLocation?.isEmpty == false ? artifactLocation : nil
        let normalized = try location.map { location throws(StewardError) in try Self.normalizedArtifactLocation(location) }
        for tag in tags { try Self.validateTag(tag) }
        return try await repository.createExperiment(name: name, artifactLocation: normalized, tags: tags, now: now())
    }

    public func experiment(id: String) async throws -> Experiment {
        try await repository.experiment(id: id)
    }

    public func experiment(name: String) async throws -> Experiment {
        try await repository.experiment(name: name)
    }

    public func searchExperiments(
        filter: String?, orderBy: [String], viewType: ViewType?, maxResults: Int?, pageToken: String?
    ) async throws -> Page<Experiment> {
        let maxResults = try PageSize.resolve(
            maxResults, default: ExperimentSearchGrammar.defaultMaxResults, maximum: ExperimentSearchGrammar.maximumMaxResults)
        let query = ExperimentQuery(
            filter: try ExperimentSearchGrammar.filter(filter), orderBy: try ExperimentSearchGrammar.orderBy(orderBy),
            viewType: viewType ?? .activeOnly, maxResults: maxResults, page: try PageToken.decode(pageToken))
        return try await repository.searchExperiments(query)
    }

    public func renameExperiment(id: String, to newName: String) async throws {
        try Self.validateName(newName, field: "new_name")
        try await repository.renameExperiment(id: id, to: newName, now: now())
    }

    public func deleteExperiment(id: String) async throws {
        try await repository.setExperimentLifecycle(id: id, to: .deleted, now: now())
    }

    public func restoreExperiment(id: String) async throws {
        try await repository.setExperimentLifecycle(id: id, to: .active, now: now())
    }

    public func setExperimentTag(id: String, tag: Tag) async throws {
        try Self.validateTag(tag)
        try await repository.setExperimentTag(id: id, tag: tag)
    }

    public func deleteExperimentTag(id: String, key: String) async throws {
        try await repository.deleteExperimentTag(id: id, key: key)
    }

    static func validateName(_ name: String, field: String = "name") throws(StewardError) {
        guard !name.isEmpty else { throw .invalidParameter("Invalid experiment name: '\(name)'") }
        guard name.count <= TrackingLimits.maxExperimentNameLength else {
            throw TrackingLimits.exceedsLength(field, TrackingLimits.maxExperimentNameLength)
        }
    }

    static func validateTag(_ tag: Tag) throws(StewardError) {
        try TrackingLimits.validateKey(tag.key, path: "key")
        guard tag.key.count <= TrackingLimits.maxExperimentTagKeyLength else {
            throw TrackingLimits.exceedsLength("key", TrackingLimits.maxExperimentTagKeyLength)
        }
        guard tag.value.count <= TrackingLimits.maxExperimentTagValueLength else {
            throw TrackingLimits.exceedsLength("value", TrackingLimits.maxExperimentTagValueLength)
        }
    }

    /// Accepts Steward's own proxied locations and object stores that clients write to directly; refuses local
    /// paths, `file:` and web URLs, and anything carrying a query, fragment or traversal. Returns the location as
    /// stored: a proxied one as `mlflow-artifacts:/<path>` with a plain path (letters, digits, `._-/`), so that the
    /// location the clients write to and the one the server lists are the same folder.
    static func normalizedArtifactLocation(_ location: String) throws(StewardError) -> String {
        func refuse(_ reason: String) -> StewardError {
            .invalidParameter("Invalid value '\(location)' for parameter 'artifact_location': \(reason)")
        }
        if location.contains("#") || location.contains("?") || location.contains(";") {
            throw refuse("an artifact location can't include a query, fragment or params")
        }
        guard let colon = location.firstIndex(of: ":") else {
            throw refuse("expected a URI such as 'mlflow-artifacts:/path' or 's3://bucket/prefix'; local paths are not accepted")
        }
        let scheme = location[..<colon].lowercased()
        let rest = String(location[location.index(after: colon)...])
        if scheme == "mlflow-artifacts" {
            var path = Substring(rest)
            while path.hasPrefix("/") { path = path.dropFirst() }
            let plain = path.unicodeScalars.allSatisfy { scalar in
                ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || "._-/".unicodeScalars.contains(scalar)
            }
            guard plain else { throw refuse("a proxied location's path may hold only letters, digits, '.', '_', '-' and '/'") }
            do { _ = try ArtifactPath(encoded: String(path)) } catch { throw refuse("the path must stay within the artifact root") }
            return "mlflow-artifacts:/" + path
        }
        guard externalArtifactSchemes.contains(scheme) else {
            throw refuse("the scheme '\(scheme)' is not accepted; use mlflow-artifacts:/ or an object store")
        }
        guard let decoded = ArtifactPath.percentDecoded(rest), !decoded.split(separator: "/").contains("..") else {
            throw refuse("the location must not contain '..'")
        }
        return location
    }
}
