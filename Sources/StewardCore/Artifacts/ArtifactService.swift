import NIOCore

/// MLflow's proxied artifact store as Steward serves it (`mlflow-artifacts:/`): listings, downloads, uploads and
/// deletions below the artifact root, each path validated by `ArtifactPath`, and no change ever touching the
/// files of a registered version or a finished logged model (`ArtifactWriteRules`).
public struct ArtifactService: Sendable {
    let store: any ArtifactStore
    let rules: ArtifactWriteRules
    let runs: any RunRepository
    let loggedModels: any LoggedModelRepository
    /// The largest file an upload may hold.
    let maximumBytes: Int64

    public init(
        store: any ArtifactStore, rules: ArtifactWriteRules, runs: any RunRepository, loggedModels: any LoggedModelRepository, maximumBytes: Int64
    ) {
        self.store = store
        self.rules = rules
        self.runs = runs
        self.loggedModels = loggedModels
        self.maximumBytes = maximumBytes
    }

    /// What is at `path`.
    public func list(_ path: ArtifactPath) async throws -> ArtifactListing {
        try await store.list(path)
    }

    /// The file at `path`, opened for streaming.
    public func open(_ path: ArtifactPath) async throws -> any ArtifactContent {
        try await store.open(path)
    }

    /// Stores an upload at `path`, unless the path belongs to a registered version or a finished logged model:
    /// checked before the body is read, and again once it is all in, just before it becomes visible, since a
    /// version may be registered from the path while a slow upload runs.
    public func upload<Contents: AsyncSequence>(_ path: ArtifactPath, contents: Contents, actor: Principal) async throws
    where Contents.Element == ByteBuffer {
        try await rules.requireChangeable(path, deleting: false, actor: actor)
        let staged = try await store.stage(path, contents: contents, maxBytes: maximumBytes)
        do {
            // A version may have been registered over this path while the upload streamed.
            try await rules.requireChangeable(path, deleting: false, actor: actor)
            try await store.commit(staged)
        } catch {
            await store.discard(staged)
            throw error
        }
    }

    /// Deletes the file or folder at `path`, unless it holds files of a registered version or a finished logged model.
    public func delete(_ path: ArtifactPath, actor: Principal) async throws {
        try await rules.requireChangeable(path, deleting: true, actor: actor)
        try await store.delete(path)
    }

    /// A folder below an entity's artifact root, with the root and the folder's path relative to it.
    public struct RootedListing: Sendable {
        public let rootURI: String
        /// The listed folder relative to the root; nil for the root itself.
        public let folder: String?
        public let listing: ArtifactListing
    }

    /// Lists `relativePath` below a run's artifact root (MLflow's `artifacts/list`).
    public func listRunArtifacts(runID: String, relativePath: String?) async throws -> RootedListing {
        try await list(below: try await runs.run(id: runID).info.artifactURI, relativePath: relativePath)
    }

    /// Lists `relativePath` below a logged model's artifact root.
    public func listLoggedModelArtifacts(modelID: String, relativePath: String?) async throws -> RootedListing {
        try await list(below: try await loggedModels.loggedModel(id: modelID).artifactURI, relativePath: relativePath)
    }

    func list(below rootURI: String, relativePath: String?) async throws -> RootedListing {
        var target = try Self.path(of: rootURI)
        let relative = try ArtifactPath(decoded: relativePath ?? "")
        for component in relative.components { target = try target.appending(component) }
        return RootedListing(rootURI: rootURI, folder: relative.isRoot ? nil : relative.string, listing: try await store.list(target))
    }

    /// The path below the artifact root that an `mlflow-artifacts:` location names.
    public static func path(of location: String) throws(StewardError) -> ArtifactPath {
        guard location.hasPrefix("mlflow-artifacts:") else {
            throw .invalidParameter("Artifacts at '\(location)' are not stored by this server; the client reads them directly.")
        }
        return try ArtifactPath(decoded: String(location.dropFirst("mlflow-artifacts:".count).drop { $0 == "/" }))
    }
}
