/// How well a text task's outputs are formed as JSON: the share that parse as strict JSON (RFC 8259: no trailing
/// commas, no NaN), and the share that also satisfy a JSON Schema, read with the same parser.
public struct JSONOutputs: Sendable {
    public let outputs: [String]

    public init(outputs: [String]) {
        self.outputs = outputs
    }

    public var validity: Double {
        outputs.isEmpty ? 0 : Double(outputs.filter { (try? JSONValue.parse($0)) != nil }.count) / Double(outputs.count)
    }

    /// The share of outputs that satisfy `schema`; throws when a `pattern` could not be checked within the
    /// regular-expression budget, since the share would then be a guess.
    public func compliance(with schema: JSONSchema) throws(RegexBudgetExceeded) -> Double {
        let (valid, stopped) = RegexBudget.measuring { outputs.filter { schema.isValid(json: $0) }.count }
        guard stopped == 0 else { throw RegexBudgetExceeded(stoppedSearches: stopped) }
        return outputs.isEmpty ? 0 : Double(valid) / Double(outputs.count)
    }
}
