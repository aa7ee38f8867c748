/// A JSON object whose member names are data (metric names, audit details, group values) and must reach the
/// client exactly as they are, untouched by the snake-case conversion the native routes apply to field names.
struct VerbatimDictionary<Value: Encodable>: Encodable {
    let values: [String: Value]

    init(_ values: [String: Value]) {
        self.values = values
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: VerbatimKey.self)
        for (name, value) in values.sorted(by: { $0.key < $1.key }) { try container.encode(value, forKey: VerbatimKey(stringValue: name)) }
    }
}

/// A JSON member name written as given.
struct VerbatimKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
