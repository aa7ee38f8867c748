/// A JSON object whose member names are data (metric names, audit details, group values) and must reach the
/// client exactly as they are, untouched by the snake-case conversion the native routes apply to field names.
public struct VerbatimDictionary<Value: Encodable>: Encodable {
    public let values: [String: Value]

    public init(_ values: [String: Value]) {
        self.values = values
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: VerbatimKey.self)
        for (name, value) in values.sorted(by: { $0.key < $1.key }) { try container.encode(value, forKey: VerbatimKey(stringValue: name)) }
    }
}

/// A JSON member name written as given.
public struct VerbatimKey: CodingKey {
    public let stringValue: String
    public var intValue: Int? { nil }
    public init(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}
