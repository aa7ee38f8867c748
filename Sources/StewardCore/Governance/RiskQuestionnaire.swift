/// The answers that classify a system's risk: its domain and how it acts on people.
public struct RiskQuestionnaire: Sendable, Equatable, Codable {
    /// Application domains. The high-risk ones follow the EU AI Act's Annex III areas.
    public enum Domain: String, Sendable, Codable, CaseIterable {
        case general
        case credit
        case insurance
        case medical
        case legal
        case employment
        case education
        case criticalInfrastructure = "critical_infrastructure"
        case biometrics
        case lawEnforcement = "law_enforcement"
        case migration
        case essentialServices = "essential_services"

        /// Domains where an AI system's decisions can decide access to work, money, care, justice or safety.
        public var isHighRisk: Bool { self != .general }
    }

    public var domain: Domain
    public var customerFacing: Bool
    public var autonomousActions: Bool
    public var safetyCritical: Bool
    public var personalData: Bool

    public init(
        domain: Domain = .general, customerFacing: Bool = false, autonomousActions: Bool = false, safetyCritical: Bool = false,
        personalData: Bool = false
    ) {
        self.domain = domain
        self.customerFacing = customerFacing
        self.autonomousActions = autonomousActions
        self.safetyCritical = safetyCritical
        self.personalData = personalData
    }

    /// The tier the answers suggest and every reason that raised it.
    public func suggestedTier() -> (tier: RiskTier, reasons: [String]) {
        var tier = RiskTier.low
        var reasons: [String] = []
        func raise(_ to: RiskTier, _ reason: String) {
            tier = max(tier, to)
            reasons.append("\(to.rawValue): \(reason)")
        }
        // The seed's tier table: a system that acts on its own, or whose failure can endanger people, is critical
        // whatever its domain.
        if autonomousActions { raise(.critical, "takes actions without a person confirming them") }
        if safetyCritical { raise(.critical, "safety-critical: a failure can endanger people") }
        if domain.isHighRisk { raise(.high, "\(domain.rawValue) is a high-risk domain (EU AI Act Annex III)") }
        if customerFacing { raise(.medium, "customer-facing") }
        if personalData { raise(.medium, "processes personal data") }
        if reasons.isEmpty { reasons.append("low: no risk factor declared") }
        return (tier, reasons)
    }
}

extension RiskQuestionnaire {
    /// Written in snake case on the wire by the coders' key strategy.
    enum CodingKeys: String, CodingKey {
        case domain
        case customerFacing
        case autonomousActions
        case safetyCritical
        case personalData
    }

    /// Missing answers mean "no"; an unknown domain is an error that lists the known ones.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let domainName = try container.decodeIfPresent(String.self, forKey: .domain) ?? Domain.general.rawValue
        guard let domain = Domain(rawValue: domainName.lowercased()) else {
            throw StewardError.invalidParameter(
                "Unknown domain '\(domainName)': use one of \(Domain.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        self.init(
            domain: domain, customerFacing: try container.decodeIfPresent(Bool.self, forKey: .customerFacing) ?? false,
            autonomousActions: try container.decodeIfPresent(Bool.self, forKey: .autonomousActions) ?? false,
            safetyCritical: try container.decodeIfPresent(Bool.self, forKey: .safetyCritical) ?? false,
            personalData: try container.decodeIfPresent(Bool.self, forKey: .personalData) ?? false)
    }
}
