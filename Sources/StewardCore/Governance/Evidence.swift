/// A record that a control is met, until the component that meets it reports on its own: what kind of
/// evidence, where it is, its digest, who added it and when; bound to a model version or to the whole system.
public struct Evidence: Sendable, Equatable, Codable {
    public let id: String
    public let systemID: String
    public let type: String
    public let reference: String
    public let digest: String
    public let model: String?
    public let version: Int64?
    public let author: String
    public let createdAt: Int64

    public init(
        id: String, systemID: String, type: String, reference: String, digest: String, model: String?, version: Int64?, author: String,
        createdAt: Int64
    ) {
        self.id = id
        self.systemID = systemID
        self.type = type
        self.reference = reference
        self.digest = digest
        self.model = model
        self.version = version
        self.author = author
        self.createdAt = createdAt
    }
}
