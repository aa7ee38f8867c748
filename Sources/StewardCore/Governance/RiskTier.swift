/// How much governance a system needs, proportional to the harm it could do.
public enum RiskTier: String, Sendable, Codable, CaseIterable, Comparable {
    case low
    case medium
    case high
    case critical

    public init(parsing text: String) throws(StewardError) {
        guard let tier = RiskTier(rawValue: text.lowercased()) else {
            throw .invalidParameter("Unknown risk tier '\(text)': use one of \(RiskTier.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        self = tier
    }

    private var rank: Int { RiskTier.allCases.firstIndex(of: self)! }

    public static func < (lhs: RiskTier, rhs: RiskTier) -> Bool { lhs.rank < rhs.rank }
}
