/// The classic MLflow deployment stage of a model version.
public enum ModelStage: String, Sendable, CaseIterable {
    case none = "None"
    case staging = "Staging"
    case production = "Production"
    case archived = "Archived"

    /// A stage by name, ignoring case, as MLflow accepts it.
    public init?(lenient name: String) {
        guard let stage = Self.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else { return nil }
        self = stage
    }
}

/// Whether a version's files are in place; Steward registers from files it already stores, so versions are
/// ready at once.
public enum ModelVersionStatus: String, Sendable {
    case pendingRegistration = "PENDING_REGISTRATION"
    case failedRegistration = "FAILED_REGISTRATION"
    case ready = "READY"
}

/// One numbered version of a registered model (or of a prompt).
public struct ModelVersion: Sendable, Equatable {
    public var name: String
    public var version: Int64
    public var creationTime: Int64
    public var lastUpdatedTime: Int64
    public var userID: String
    public var currentStage: ModelStage
    public var description: String
    /// The location the client registered from (`models:/m-…`, `runs:/…`, `mlflow-artifacts:/…`, or a prompt
    /// placeholder).
    public var source: String
    /// Where the version's files are, resolved from `source` at registration; what downloads use.
    public var storageLocation: String
    public var runID: String
    public var status: ModelVersionStatus
    public var runLink: String
    public var modelID: String?
    public var tags: [Tag]
    public var aliases: [String]
    /// The digest of the version's content as registered (`ContentManifest.digest`); nil when the server does not
    /// store its files, or for a version registered before digests were kept, until it is first checked.
    public var contentDigest: String?

    public init(
        name: String, version: Int64, creationTime: Int64, lastUpdatedTime: Int64, userID: String = "", currentStage: ModelStage = .none,
        description: String = "", source: String, storageLocation: String, runID: String = "", status: ModelVersionStatus = .ready,
        runLink: String = "", modelID: String? = nil, tags: [Tag] = [], aliases: [String] = [], contentDigest: String? = nil
    ) {
        self.contentDigest = contentDigest
        self.name = name
        self.version = version
        self.creationTime = creationTime
        self.lastUpdatedTime = lastUpdatedTime
        self.userID = userID
        self.currentStage = currentStage
        self.description = description
        self.source = source
        self.storageLocation = storageLocation
        self.runID = runID
        self.status = status
        self.runLink = runLink
        self.modelID = modelID
        self.tags = tags
        self.aliases = aliases
    }

    /// Whether this version is a prompt (MLflow's prompt registry marks prompts with a tag).
    public var isPrompt: Bool { tags.contains { $0.key == PromptTags.isPrompt && $0.value.lowercased() == "true" } }
}

/// An alias pointing at one version.
public struct ModelAlias: Sendable, Hashable {
    public var alias: String
    public var version: Int64

    public init(alias: String, version: Int64) {
        self.alias = alias
        self.version = version
    }
}

/// A named model (or prompt) with its versions' latest per stage, tags and aliases.
public struct RegisteredModel: Sendable, Equatable {
    public var name: String
    public var creationTime: Int64
    public var lastUpdatedTime: Int64
    public var userID: String
    public var description: String
    public var tags: [Tag]
    public var aliases: [ModelAlias]
    /// The newest version in each stage.
    public var latestVersions: [ModelVersion]

    public init(
        name: String, creationTime: Int64, lastUpdatedTime: Int64, userID: String = "", description: String = "", tags: [Tag] = [],
        aliases: [ModelAlias] = [], latestVersions: [ModelVersion] = []
    ) {
        self.name = name
        self.creationTime = creationTime
        self.lastUpdatedTime = lastUpdatedTime
        self.userID = userID
        self.description = description
        self.tags = tags
        self.aliases = aliases
        self.latestVersions = latestVersions
    }

    public var isPrompt: Bool { tags.contains { $0.key == PromptTags.isPrompt && $0.value.lowercased() == "true" } }
}

/// The tags MLflow's prompt registry uses.
public enum PromptTags {
    public static let isPrompt = "mlflow.prompt.is_prompt"
    public static let text = "mlflow.prompt.text"
    public static let type = "_mlflow_prompt_type"
    public static let responseFormat = "_mlflow_prompt_response_format"
    public static let modelConfig = "_mlflow_prompt_model_config"

    /// Whether a version tag holds prompt content (`mlflow.prompt.*`, `_mlflow_prompt*`: the template, its type,
    /// response format and model configuration), which is fixed once the version is registered.
    public static func isContent(_ key: String) -> Bool {
        key.hasPrefix("mlflow.prompt.") || key.hasPrefix("_mlflow_prompt")
    }
    /// The `source` a prompt version is registered with; prompts have no files.
    public static let sources: Set<String> = ["dummy-source", "prompt-template"]
}
