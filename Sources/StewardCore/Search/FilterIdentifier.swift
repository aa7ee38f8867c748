/// The left-hand side of a filter clause or an order-by key as written: an optional entity prefix
/// (`metrics`, `tags`, …) and a key, with quoting already removed.
public struct FilterIdentifier: Sendable, Hashable {
    /// The entity prefix before the first unquoted dot, lowercased; nil for a bare identifier.
    public var prefix: String?
    /// The key after the prefix (or the whole identifier), unquoted.
    public var key: String
    /// The identifier exactly as written, for error messages.
    public var text: String
    /// Whether the key was written in backticks or double quotes.
    public var keyWasQuoted: Bool

    public init(prefix: String?, key: String, text: String, keyWasQuoted: Bool = false) {
        self.prefix = prefix
        self.key = key
        self.text = text
        self.keyWasQuoted = keyWasQuoted
    }
}
