/// A search over registered models or model versions.
public struct RegistryQuery<Field: Sendable & Hashable>: Sendable {
    public var filter: [FilterClause<Field>]
    public var orderBy: [OrderClause<Field>]
    public var maxResults: Int
    public var page: PageToken

    public init(filter: [FilterClause<Field>], orderBy: [OrderClause<Field>], maxResults: Int, page: PageToken) {
        self.filter = filter
        self.orderBy = orderBy
        self.maxResults = maxResults
        self.page = page
    }
}

/// A version to register, with everything the service resolved from its source.
public struct NewModelVersion: Sendable {
    public var name: String
    public var source: String
    public var storageLocation: String
    public var runID: String
    public var runLink: String
    public var modelID: String?
    public var userID: String
    public var description: String
    public var tags: [Tag]
    /// The content as registered; nil when the server does not store it.
    public var manifest: ContentManifest?

    public init(
        name: String, source: String, storageLocation: String, runID: String, runLink: String, modelID: String?, userID: String,
        description: String, tags: [Tag], manifest: ContentManifest? = nil
    ) {
        self.manifest = manifest
        self.name = name
        self.source = source
        self.storageLocation = storageLocation
        self.runID = runID
        self.runLink = runLink
        self.modelID = modelID
        self.userID = userID
        self.description = description
        self.tags = tags
    }
}

/// Persistence of registered models, their versions, tags, aliases, card notes and history.
///
/// Every alias move, stage transition and version creation or deletion is recorded as a `RegistryEvent` in the
/// same transaction as the change itself.
public protocol ModelRegistryRepository: Sendable {
    /// Inserts a model; `registeredModelExists` when the name is taken, a refusal when it is reserved and `guarded`
    /// says the actor may not take it. `audit`, when given, is appended in the same transaction.
    func createRegisteredModel(
        name: String, description: String, tags: [Tag], userID: String, now: Int64, audit: AuditEntry?, guarded: NameGuard
    ) async throws -> RegisteredModel
    /// The model with its tags, aliases and newest version per stage (`registeredModelNotFound`).
    func registeredModel(name: String) async throws -> RegisteredModel
    /// Renames a model, its versions, aliases and history following it. `guarded` is enforced inside the
    /// transaction, after locking both names; the old name of a model of a system stays reserved for that system.
    func renameRegisteredModel(
        name: String, to newName: String, actor: String, now: Int64, audit: AuditEntry?, guarded: NameGuard
    ) async throws -> RegisteredModel
    func updateRegisteredModel(name: String, description: String, now: Int64) async throws -> RegisteredModel
    /// Deletes a model with its versions, as `renameRegisteredModel` guards and reserves.
    func deleteRegisteredModel(name: String, actor: String, now: Int64, audit: AuditEntry?, guarded: NameGuard) async throws
    /// The reservation of a name a governed model held, if any.
    func reservation(of name: String) async throws -> NameReservation?
    func searchRegisteredModels(_ query: RegistryQuery<RegisteredModelField>) async throws -> Page<RegisteredModel>
    func setRegisteredModelTag(name: String, tag: Tag, now: Int64) async throws
    func deleteRegisteredModelTag(name: String, key: String, now: Int64) async throws

    /// Registers the next version number (numbers are never reused).
    func createModelVersion(_ version: NewModelVersion, actor: String, now: Int64) async throws -> ModelVersion
    /// A version with its tags and aliases (`modelVersionNotFound`).
    func modelVersion(name: String, version: Int64) async throws -> ModelVersion
    /// The highest version number of a model, for the reserved alias `latest`.
    func latestVersionNumber(name: String) async throws -> Int64?
    func updateModelVersion(name: String, version: Int64, description: String, now: Int64) async throws -> ModelVersion
    func deleteModelVersion(name: String, version: Int64, actor: String, now: Int64, audit: AuditEntry?) async throws
    func searchModelVersions(_ query: RegistryQuery<ModelVersionField>) async throws -> Page<ModelVersion>
    /// Moves a version to a stage, optionally archiving the others in that stage; `audit`, when given, is
    /// appended to the audit chain in the same transaction.
    func transitionModelVersion(
        name: String, version: Int64, to stage: ModelStage, archiveExisting: Bool, actor: String, now: Int64, audit: AuditEntry?
    ) async throws -> ModelVersion
    func setModelVersionTag(name: String, version: Int64, tag: Tag, now: Int64) async throws
    func deleteModelVersionTag(name: String, version: Int64, key: String, now: Int64) async throws

    /// Points an alias at a version (moving it if it pointed elsewhere); `audit` as for stage transitions.
    func setAlias(name: String, alias: String, version: Int64, actor: String, now: Int64, audit: AuditEntry?) async throws
    func deleteAlias(name: String, alias: String, actor: String, now: Int64, audit: AuditEntry?) async throws
    /// The version an alias points at (`aliasNotFound`).
    func aliasedVersion(name: String, alias: String) async throws -> Int64

    /// The manifest a version was registered with (`nil` when none was recorded).
    func contentManifest(name: String, version: Int64) async throws -> ContentManifest?
    /// Records the manifest of a version registered before manifests were kept; a recorded one is never replaced.
    func recordContentManifest(name: String, version: Int64, _ manifest: ContentManifest) async throws
    /// A registered version whose files are at one of `locations` (a location and its ancestors), or, with
    /// `below`, anywhere below that location; the first found.
    func versionStored(at locations: [String], orBelow below: String?) async throws -> (name: String, version: Int64)?

    /// Editable model-card fields of a version.
    func cardNotes(name: String, version: Int64) async throws -> [String: String]
    /// Sets (an empty value removes) card fields of a version and appends `audit` in the same transaction.
    func setCardNotes(name: String, version: Int64, notes: [String: String], now: Int64, audit: AuditEntry) async throws
    /// Every recorded change of a model, oldest first.
    func history(name: String) async throws -> [RegistryEvent]
}
