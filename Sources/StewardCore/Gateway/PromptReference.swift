/// A registered prompt a gateway call names instead of (or before) its messages: rendered server-side from the
/// prompt registry with the call's variables.
public struct PromptReference: Sendable, Equatable {
    public let name: String
    /// A version number; nil for the one `alias` points to (or the latest).
    public let version: String?
    public let alias: String?
    public let variables: [String: String]

    public init(name: String, version: String?, alias: String?, variables: [String: String]) {
        self.name = name
        self.version = version
        self.alias = alias
        self.variables = variables
    }
}
