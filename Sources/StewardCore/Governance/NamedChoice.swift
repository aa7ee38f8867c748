/// An enumeration chosen by name in requests (roles, tiers, statuses, severities): parsed without case, and a
/// wrong name is an error that lists the valid ones.
public protocol NamedChoice: RawRepresentable, CaseIterable where RawValue == String {
    /// What the value is called in messages, such as "risk tier".
    static var choiceName: String { get }
}

extension NamedChoice {
    public init(parsing text: String) throws(StewardError) {
        guard let value = Self(rawValue: text.lowercased()) else {
            throw .invalidParameter("Unknown \(Self.choiceName) '\(text)': use one of \(Self.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        self = value
    }
}
