/// Why a text is not the JSON expected, or a schema cannot be used: a message a person can act on.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
