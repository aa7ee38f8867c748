/// A person or service account that can hold API tokens.
public struct User: Sendable, Equatable, Codable {
    public let name: String
    public let role: Role
    public let createdAt: Int64
    public let createdBy: String

    public init(name: String, role: Role, createdAt: Int64, createdBy: String) {
        self.name = name
        self.role = role
        self.createdAt = createdAt
        self.createdBy = createdBy
    }
}
