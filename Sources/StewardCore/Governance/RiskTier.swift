/// How much governance a system needs, proportional to the harm it could do.
public enum RiskTier: String, Sendable, Codable, CaseIterable, Comparable, NamedChoice {
    case low
    case medium
    case high
    case critical

    public static let choiceName = "risk tier"

    private var rank: Int { RiskTier.allCases.firstIndex(of: self)! }

    public static func < (lhs: RiskTier, rhs: RiskTier) -> Bool { lhs.rank < rhs.rank }
}
