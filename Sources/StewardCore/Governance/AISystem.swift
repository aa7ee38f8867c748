/// An entry of the AI Register: one AI system, what it is for, who answers for it, how risky it is and
/// which registered models and prompts it consists of.
public struct AISystem: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable, CaseIterable, NamedChoice {
        public static let choiceName = "status"

        case proposed
        case development
        case production
        case retired
    }

    /// Where the tier came from: the questionnaire's suggestion or a compliance override.
    public enum TierSource: String, Sendable, Codable {
        case questionnaire
        case override
    }

    public let id: String
    public var name: String
    public var status: Status
    public var profile: SystemProfile
    public var questionnaire: RiskQuestionnaire
    public var riskTier: RiskTier
    public var tierRationale: String
    public var tierSource: TierSource
    public var components: [SystemComponent]
    public let createdAt: Int64
    public var updatedAt: Int64
    public let createdBy: String

    public init(
        id: String, name: String, status: Status, profile: SystemProfile, questionnaire: RiskQuestionnaire, riskTier: RiskTier,
        tierRationale: String, tierSource: TierSource, components: [SystemComponent], createdAt: Int64, updatedAt: Int64, createdBy: String
    ) {
        self.id = id
        self.name = name
        self.status = status
        self.profile = profile
        self.questionnaire = questionnaire
        self.riskTier = riskTier
        self.tierRationale = tierRationale
        self.tierSource = tierSource
        self.components = components
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.createdBy = createdBy
    }
}

/// A registered model or prompt that belongs to a system. A model belongs to at most one system.
public struct SystemComponent: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case model
        case prompt
    }

    public let name: String
    public let kind: Kind

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }
}

/// The descriptive part of a register entry, kept as one document.
public struct SystemProfile: Sendable, Equatable, Codable {
    public var purpose: String = ""
    public var outOfScopeUses: [String] = []
    public var businessOwner: String = ""
    public var technicalOwner: String = ""
    public var dataSources: [DataSource] = []
    public var externalModels: [ExternalModel] = []
    public var knownLimitations: [String] = []
    /// The date (YYYY-MM-DD) by which the entry must be reviewed again.
    public var reviewDue: String = ""

    public init() {}

    public struct DataSource: Sendable, Equatable, Codable {
        public var name: String
        public var kind: String
        public var personalData: Bool

        public init(name: String, kind: String, personalData: Bool) {
            self.name = name
            self.kind = kind
            self.personalData = personalData
        }
    }

    /// A model the system calls but does not own, such as an LLM API.
    public struct ExternalModel: Sendable, Equatable, Codable {
        public var provider: String
        public var model: String
        public var version: String
        public var type: String

        public init(provider: String, model: String, version: String, type: String) {
            self.provider = provider
            self.model = model
            self.version = version
            self.type = type
        }
    }
}
