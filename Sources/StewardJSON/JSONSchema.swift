import Foundation

/// A JSON Schema (draft 2020-12), compiled once and checked against many documents, to score whether structured
/// outputs follow a contract. It covers the core, applicator and validation vocabularies, with references within
/// the schema; `format` and unknown keywords are annotations, as in python-jsonschema by default.
///
/// A schema is refused when it could not be applied faithfully: keyword values of the wrong type, invalid
/// patterns, references that do not resolve or point outside the document (nothing is ever fetched),
/// `$dynamicRef`, and references that loop without moving into the instance.
public struct JSONSchema: Sendable {
    /// One way an instance fails the schema.
    public struct Violation: Sendable, Equatable, CustomStringConvertible {
        /// Where in the instance, as a JSON Pointer: "" is the whole document, "/items/2/name" a nested value.
        public let instanceLocation: String
        /// The keyword that failed ("type", "required", …); "false" for a `false` schema, "json" for text that is not
        /// JSON, "depth" where validation stopped because subschemas nest too deep.
        public let keyword: String
        /// Where the failing keyword sits in the schema document, as a JSON Pointer.
        public let schemaLocation: String
        /// What was expected and what was found, e.g. "expected integer, found string".
        public let message: String

        public init(instanceLocation: String, keyword: String, schemaLocation: String, message: String) {
            self.instanceLocation = instanceLocation
            self.keyword = keyword
            self.schemaLocation = schemaLocation
            self.message = message
        }

        public var description: String { "\(instanceLocation.isEmpty ? "(root)" : instanceLocation): \(message)" }
    }

    /// A compiled subschema; references to other subschemas are indexes into `nodes`, so recursion needs no cycles
    /// of values.
    struct Node: Sendable {
        /// Where the subschema sits in the document, as a JSON Pointer.
        var location: String
        /// The `false` schema, which nothing satisfies.
        var rejectsEverything = false
        var keywords: [Keyword] = []
    }

    /// A keyword with its operands checked and compiled; keywords that read each other (`items` after
    /// `prefixItems`, `additionalProperties` after `properties`) carry what they need.
    enum Keyword: Sendable {
        case reference(Int)
        case type([String])
        case enumeration([JSONValue])
        case constant(JSONValue)
        case multipleOf(JSONValue)
        case maximum(JSONValue)
        case exclusiveMaximum(JSONValue)
        case minimum(JSONValue)
        case exclusiveMinimum(JSONValue)
        case maxLength(Int)
        case minLength(Int)
        case pattern(String, BoundedRegex)
        case prefixItems([Int])
        case items(Int, after: Int)
        case contains(Int, minimum: Int, maximum: Int?, minimumKeyword: String)
        case maxItems(Int)
        case minItems(Int)
        case uniqueItems
        case properties([(name: String, schema: Int)])
        case patternProperties([(pattern: String, regex: BoundedRegex, schema: Int)])
        case additionalProperties(Int, named: Set<String>, patterns: [BoundedRegex])
        case propertyNames(Int)
        case required([String])
        case dependentRequired([(name: String, requires: [String])])
        case dependentSchemas([(name: String, schema: Int)])
        case maxProperties(Int)
        case minProperties(Int)
        case allOf([Int])
        case anyOf([Int])
        case oneOf([Int])
        case not(Int)
        case conditional(if: Int, then: Int?, else: Int?)
        case unevaluatedItems(Int)
        case unevaluatedProperties(Int)

        /// Subschemas applied to the same instance; a cycle through these alone would never end.
        var inPlaceSubschemas: [Int] {
            switch self {
            case .reference(let schema), .not(let schema): [schema]
            case .allOf(let schemas), .anyOf(let schemas), .oneOf(let schemas): schemas
            case .dependentSchemas(let schemas): schemas.map(\.schema)
            case .conditional(let condition, let then, let otherwise): [condition] + [then, otherwise].compactMap { $0 }
            default: []
            }
        }

        var subschemas: [Int] {
            switch self {
            case .prefixItems(let schemas): schemas
            case .items(let schema, _), .contains(let schema, _, _, _), .additionalProperties(let schema, _, _), .propertyNames(let schema),
                .unevaluatedItems(let schema), .unevaluatedProperties(let schema):
                [schema]
            case .properties(let schemas), .dependentSchemas(let schemas): schemas.map(\.schema)
            case .patternProperties(let schemas): schemas.map(\.schema)
            default: inPlaceSubschemas
            }
        }
    }

    /// The compiled subschemas; the root is the first.
    let nodes: [Node]

    /// How many subschemas may enclose one another while validating (each `$ref`, `items`, `properties`… counts
    /// one); deeper, validation stops with a violation rather than exhaust the stack. 400 is about 200 nested arrays,
    /// where python-jsonschema reaches Python's recursion limit, and fits a 512 KB thread stack in release builds.
    var maximumDepth = 400

    public init(json: String) throws(JSONError) {
        try self.init(try JSONValue.parse(json, what: "The JSON schema"))
    }

    public init(data: Data) throws(JSONError) {
        try self.init(try JSONValue.parse(data, what: "The JSON schema"))
    }

    public init(_ document: JSONValue) throws(JSONError) {
        var compiler = try JSONSchemaCompiler(document)
        nodes = try compiler.compile()
    }

    /// Every violation of the schema by the JSON text; a text that is not JSON is a single violation.
    public func validate(json instance: String) -> [Violation] {
        validate(data: Data(instance.utf8))
    }

    public func validate(data instance: Data) -> [Violation] {
        switch JSONValue.decode(instance) {
        case .success(let value):
            return validate(value)
        case .failure(let problem):
            return [
                Violation(
                    instanceLocation: "", keyword: "json", schemaLocation: "",
                    message: "expected a JSON document, found text that is not JSON: \(problem.message)")
            ]
        }
    }

    public func validate(_ instance: JSONValue) -> [Violation] {
        evaluate(0, instance, at: "", depth: 0).violations
    }

    public func isValid(json instance: String) -> Bool { validate(json: instance).isEmpty }

    public func isValid(_ instance: JSONValue) -> Bool { validate(instance).isEmpty }

    /// Escapes one JSON Pointer reference token (RFC 6901).
    static func pointerToken(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}
