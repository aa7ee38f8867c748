/// The fields a client gives to register a system or change its entry; absent fields stay as they are.
public struct SystemDraft: Sendable, Equatable, Decodable {
    public var name: String?
    public var purpose: String?
    public var outOfScopeUses: [String]?
    public var businessOwner: String?
    public var technicalOwner: String?
    public var status: String?
    public var dataSources: [SystemProfile.DataSource]?
    public var externalModels: [SystemProfile.ExternalModel]?
    public var knownLimitations: [String]?
    public var reviewDue: String?
    public var questionnaire: RiskQuestionnaire?
    public var models: [String]?
    public var prompts: [String]?

    public init() {}

    /// Applies the given fields to a profile, validating them.
    func apply(to profile: inout SystemProfile) throws(StewardError) {
        if let purpose { profile.purpose = purpose }
        if let outOfScopeUses { profile.outOfScopeUses = outOfScopeUses }
        if let businessOwner { profile.businessOwner = businessOwner }
        if let technicalOwner { profile.technicalOwner = technicalOwner }
        if let dataSources {
            if dataSources.contains(where: { $0.name.isEmpty }) { throw .invalidParameter("Every data source needs a name.") }
            profile.dataSources = dataSources
        }
        if let externalModels {
            if externalModels.contains(where: { $0.provider.isEmpty || $0.model.isEmpty }) {
                throw .invalidParameter("Every external model needs a provider and a model.")
            }
            profile.externalModels = externalModels
        }
        if let knownLimitations { profile.knownLimitations = knownLimitations }
        if let reviewDue {
            guard reviewDue.isEmpty || Self.isCalendarDate(reviewDue) else {
                throw .invalidParameter("review_due must be a date written YYYY-MM-DD, got '\(reviewDue)'.")
            }
            profile.reviewDue = reviewDue
        }
    }

    static func isCalendarDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), year >= 1970, (1...12).contains(month)
        else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }
}

extension SystemProfile.DataSource {
    enum CodingKeys: String, CodingKey {
        case name, kind, personalData
    }

    /// `kind` and `personal_data` may be left out.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try container.decode(String.self, forKey: .name), kind: try container.decodeIfPresent(String.self, forKey: .kind) ?? "",
            personalData: try container.decodeIfPresent(Bool.self, forKey: .personalData) ?? false)
    }
}

extension SystemProfile.ExternalModel {
    enum CodingKeys: String, CodingKey {
        case provider, model, version, type
    }

    /// `version` and `type` may be left out.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            provider: try container.decode(String.self, forKey: .provider), model: try container.decode(String.self, forKey: .model),
            version: try container.decodeIfPresent(String.self, forKey: .version) ?? "",
            type: try container.decodeIfPresent(String.self, forKey: .type) ?? "")
    }
}
