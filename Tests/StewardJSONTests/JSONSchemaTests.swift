import Foundation
import Testing

@testable import StewardJSON

/// The JSON Schema validator against python-jsonschema's `Draft202012Validator` (`scripts/fixtures/json_schema.py`),
/// plus the messages, locations and refusals that only Steward defines.
@Suite("JSON Schema")
struct JSONSchemaTests {
    struct Fixture: Decodable {
        let jsonschema: String
        let cases: [Case]
        let refused: [Refusal]
    }

    /// A schema and an instance, both as JSON text, and whether jsonschema finds the instance valid.
    struct Case: Decodable, CustomTestStringConvertible {
        let group: String
        let schema: String
        let instance: String
        let valid: Bool

        var testDescription: String { "\(group): \(instance) against \(schema)" }
    }

    /// A schema Steward must refuse to compile, and why (see the generator's docstring for the kinds).
    struct Refusal: Decodable, CustomTestStringConvertible {
        let name: String
        let kind: String
        let schema: String

        var testDescription: String { "\(name) (\(kind))" }
    }

    static func load() throws -> Fixture {
        guard let url = Bundle.module.url(forResource: "json_schema", withExtension: "json", subdirectory: "Fixtures") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Fixtures/json_schema.json"])
        }
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    /// Empty when the fixture is missing or broken, which `fixtureLoads` reports as a failure.
    static let fixture = try? load()

    @Test("The fixture is present and covers every keyword")
    func fixtureLoads() throws {
        let fixture = try Self.load()
        #expect(fixture.cases.count >= 150)
        #expect(fixture.refused.count >= 20)
        #expect(fixture.cases.contains { $0.valid } && fixture.cases.contains { !$0.valid })
        let groups = Set(fixture.cases.map(\.group))
        for keyword in [
            "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern",
            "prefixItems", "items", "contains", "minItems", "maxItems", "uniqueItems", "properties", "patternProperties", "additionalProperties",
            "propertyNames", "required", "dependentRequired", "dependentSchemas", "minProperties", "maxProperties", "allOf", "anyOf", "oneOf", "not",
            "if", "$ref", "$anchor", "recursion", "unevaluatedProperties", "unevaluatedItems", "boolean schema",
        ] {
            #expect(groups.contains(keyword), "no cases for \(keyword)")
        }
    }

    @Test("Validity matches python-jsonschema", arguments: fixture?.cases ?? [])
    func matchesJsonschema(_ fixture: Case) throws {
        let schema = try JSONSchema(json: fixture.schema)
        let violations = schema.validate(json: fixture.instance)
        #expect(violations.isEmpty == fixture.valid, "jsonschema says \(fixture.valid ? "valid" : "invalid"); Steward found \(violations)")
        #expect(schema.isValid(json: fixture.instance) == violations.isEmpty)
    }

    @Test("Schemas that cannot be applied faithfully are refused", arguments: fixture?.refused ?? [])
    func refuses(_ fixture: Refusal) {
        #expect(throws: JSONError.self) { try JSONSchema(json: fixture.schema) }
    }

    @Test("A nested failure names the instance location, keyword and what was expected")
    func nestedViolation() throws {
        let schema = try JSONSchema(
            json: """
                {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object",
                 "properties": {"name": {"type": "string"}}}}}}
                """)
        let violations = schema.validate(json: ##"{"items": [{"name": "a"}, {"name": "b"}, {"name": 3}]}"##)
        #expect(
            violations == [
                JSONSchema.Violation(
                    instanceLocation: "/items/2/name", keyword: "type", schemaLocation: "/properties/items/items/properties/name/type",
                    message: "expected string, found integer")
            ])
        #expect(violations.first?.description == "/items/2/name: expected string, found integer")
    }

    @Test("Every violation is reported, with escaped pointers")
    func allViolations() throws {
        let schema = try JSONSchema(
            json: ##"{"required": ["a", "b"], "properties": {"c/d": {"type": "string"}, "e": {"maximum": 1}}, "additionalProperties": false}"##)
        let violations = schema.validate(json: ##"{"c/d": 1, "e": 2, "f": null}"##)
        #expect(
            violations.map { "\($0.instanceLocation) \($0.keyword): \($0.message)" } == [
                "/c~1d type: expected string, found integer",
                "/e maximum: expected at most 1, found 2",
                "/f additionalProperties: property \"f\" is not allowed",
                " required: missing required properties \"a\", \"b\"",
            ])
    }

    @Test("Combinators say why no alternative matched")
    func combinatorMessages() throws {
        let schema = try JSONSchema(json: ##"{"oneOf": [{"type": "string"}, {"minimum": 2}]}"##)
        #expect(
            schema.validate(json: "1").map(\.message) == [
                "expected to match exactly one schema in oneOf, matched none (0: expected string, found integer; 1: expected at least 2, found 1)"
            ])
        #expect(schema.validate(json: #""a""#).map(\.message) == ["expected to match exactly one schema in oneOf, matched 2 (at 0, 1)"])
    }

    @Test("Text that is not JSON is one violation, trailing commas included")
    func unparseableInstance() throws {
        let schema = try JSONSchema(json: "true")
        let violations = schema.validate(json: "{\"a\": ")
        #expect(violations.count == 1)
        #expect(violations.first?.keyword == "json")
        #expect(violations.first?.message.hasPrefix("expected a JSON document, found text that is not JSON: ") == true)
        // Foundation would read these; RFC 8259 and Python's json do not.
        for text in ["[1,]", "{\"a\": 1 , }", "[[\"x\",\n]]"] {
            #expect(
                schema.validate(json: text).map(\.message) == [
                    "expected a JSON document, found text that is not JSON: a comma comes right before a closing bracket or brace"
                ])
        }
        #expect(schema.isValid(json: #"["a,]", {"b,}": ",]"}]"#))
        #expect(schema.isValid(json: #"["\\", ","]"#))
    }

    @Test("A reference loop that consumes no input is refused instead of recursing forever")
    func referenceCycle() {
        #expect {
            try JSONSchema(json: ##"{"$ref": "#"}"##)
        } throws: { error in
            (error as? JSONError)?.message.contains("never end") == true
        }
        #expect(throws: JSONError.self) {
            try JSONSchema(json: ##"{"$defs": {"a": {"not": {"$ref": "#/$defs/a"}}}, "properties": {"x": {"$ref": "#/$defs/a"}}}"##)
        }
        // Unreachable loops are harmless, as they would be in jsonschema.
        #expect(throws: Never.self) { try JSONSchema(json: ##"{"$defs": {"loop": {"$ref": "#/$defs/loop"}}, "type": "integer"}"##) }
    }

    @Test("Recursion through $ref follows the instance, and stops with a violation past the depth limit")
    func deepRecursion() throws {
        var schema = try JSONSchema(json: ##"{"type": "array", "items": {"$ref": "#"}, "maxItems": 1}"##)
        func nested(_ depth: Int, innermost: String = "") -> String {
            String(repeating: "[", count: depth) + innermost + String(repeating: "]", count: depth)
        }
        // Each level applies two subschemas (items, then $ref): 60 levels stay well within the default limit.
        #expect(schema.isValid(json: nested(60)))
        let violations = schema.validate(json: nested(60, innermost: "[], []"))
        #expect(violations.map(\.instanceLocation) == [String(repeating: "/0", count: 59)])
        #expect(violations.map(\.keyword) == ["maxItems"])

        schema.maximumDepth = 20
        #expect(schema.isValid(json: nested(9)))
        let stopped = schema.validate(json: nested(30))
        #expect(stopped.map(\.keyword) == ["depth"])
        #expect(stopped.first?.message == "validation stopped: subschemas nest more than 20 deep here")
    }

    @Test("Deeply nested text parses without exhausting the stack")
    func deepParse() throws {
        let depth = 500
        let value = try JSONValue.parse(String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
        var level = 0
        var current = value
        while case .array(let items) = current, let first = items.first {
            level += 1
            current = first
        }
        #expect(level == depth - 1)
        #expect(current == .array([]))
    }

    @Test("Refusals say what is wrong and where")
    func refusalMessages() {
        func message(_ schema: String) -> String {
            do {
                _ = try JSONSchema(json: schema)
                return "accepted"
            } catch {
                return error.message
            }
        }
        #expect(
            message(##"{"properties": {"a": {"minLength": "a"}}}"##)
                == "The JSON schema is invalid at #/properties/a/minLength: expected a non-negative integer, found \"a\".")
        #expect(message(##"{"$ref": "https://example.com/s.json"}"##).contains("remote schemas are never fetched"))
        #expect(message(##"{"$ref": "#/$defs/missing"}"##).contains("cannot be resolved"))
        #expect(message(##"{"pattern": "(a"}"##).contains("not a valid regular expression"))
        #expect(message(##"{"items": [{}]}"##).contains("use prefixItems"))
        #expect(message("[]") == "The JSON schema must be an object or a boolean, found array.")
        #expect(message("{").hasPrefix("The JSON schema is not valid JSON: "))
    }

    @Test("Booleans are never numbers, and integers keep 64 bits")
    func numbers() throws {
        #expect(try JSONValue.parse("true") == .bool(true))
        #expect(try JSONValue.parse("1") == .integer(1))
        #expect(try JSONValue.parse("1") != .bool(true))
        #expect(try JSONValue.parse("9007199254740993") == .integer(9_007_199_254_740_993))
        #expect(try JSONValue.parse("9007199254740993") != .number(9_007_199_254_740_992))
        #expect(try JSONValue.parse("1.0") == .integer(1))
        #expect(try JSONValue.parse(##"{"a": 1, "b": [true]}"##) == JSONValue.parse(##"{"b": [true], "a": 1.0}"##))
        let schema = try JSONSchema(data: Data(##"{"type": "integer", "minimum": 9007199254740993}"##.utf8))
        #expect(schema.isValid(json: "9007199254740993"))
        #expect(!schema.isValid(json: "9007199254740992"))
    }

    @Test("A catastrophically backtracking pattern is stopped by its budget: no answer, never a hang")
    func patternBudget() throws {
        let evil = BoundedRegex("^(a+)+$")!
        let text = String(repeating: "a", count: 30) + "!"
        let started = ContinuousClock.now
        #expect(evil.search(text) == nil)
        #expect(evil.search(String(repeating: "a", count: 30)) == true)
        #expect(BoundedRegex("^\\d{3}$")!.search("12a") == false)
        #expect(BoundedRegex("(") == nil)
        // Many stopped searches share one evaluation's budget: once it is spent, searches stop at once.
        let budget = RegexBudget(time: .milliseconds(250))
        RegexBudget.$current.withValue(budget) {
            for _ in 0..<20 { #expect(evil.search(text) == nil) }
        }
        #expect(budget.isSpent)
        #expect(budget.stoppedSearches == 20)
        // Long ordinary text costs one report per position, which is time, not a count: it is searched to the end.
        let long = String(repeating: "x", count: 50_000) + "error"
        #expect(RegexBudget.$current.withValue(RegexBudget()) { BoundedRegex("error")!.search(long) } == true)
        #expect(RegexBudget.$current.withValue(RegexBudget()) { BoundedRegex("fault")!.search(long) } == false)
        #expect(ContinuousClock.now - started < .seconds(10))

        let schema = try JSONSchema(json: ##"{"type": "string", "pattern": "^(a+)+$"}"##)
        let violations = schema.validate(json: "\"" + text + "\"")
        #expect(violations.first?.message.contains("took more than its budget") == true)
        #expect(throws: RegexBudgetExceeded.self) { try JSONOutputs(outputs: ["\"" + text + "\"", "\"aa\""]).compliance(with: schema) }
        #expect(try JSONOutputs(outputs: ["\"aaa\"", "\"b\""]).compliance(with: schema) == 0.5)
    }

    @Test("JSON-Schema compliance is the share of outputs that parse and satisfy the schema")
    func compliance() throws {
        let schema = try JSONSchema(json: ##"{"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}"##)
        let outputs = [##"{"a": 1}"##, ##"{"a": "x"}"##, "not json", ##"{"a": 2.0, "b": true}"##, "[]"]
        let metrics = JSONOutputs(outputs: outputs)
        #expect(try metrics.compliance(with: schema) == 0.4)
        #expect(metrics.validity == 0.8)
        #expect(JSONOutputs(outputs: [##"{"a": 1,}"##, "NaN", "[1]"]).validity == 1.0 / 3, "strict: no trailing comma, no NaN")
    }
}
