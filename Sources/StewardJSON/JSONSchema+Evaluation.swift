import Foundation

/// Applying compiled subschemas to an instance. Keywords that apply subschemas each have a small function, so the
/// frames on the recursive path stay small (debug builds give every local of a function its own stack slot).
extension JSONSchema {
    /// The outcome of one subschema on one instance: its violations and, when there are none, the properties and
    /// items it evaluated (the annotations `unevaluatedProperties` and `unevaluatedItems` read).
    struct Evaluation {
        var violations: [Violation] = []
        var properties: Set<String> = []
        var items: Set<Int> = []

        var isValid: Bool { violations.isEmpty }

        /// Takes in a subschema applied to the same instance: its violations, and its annotations if it passed.
        mutating func include(_ other: Evaluation) {
            violations += other.violations
            guard other.isValid else { return }
            properties.formUnion(other.properties)
            items.formUnion(other.items)
        }
    }

    func evaluate(_ index: Int, _ instance: JSONValue, at location: String, depth: Int) -> Evaluation {
        let node = nodes[index]
        var result = Evaluation()
        if node.rejectsEverything {
            result.violations = [
                Violation(
                    instanceLocation: location, keyword: "false", schemaLocation: node.location,
                    message: "no value is allowed here (the schema is false)")
            ]
        } else if depth >= maximumDepth {
            result.violations = [
                Violation(
                    instanceLocation: location, keyword: "depth", schemaLocation: node.location,
                    message: "validation stopped: subschemas nest more than \(maximumDepth) deep here")
            ]
        } else {
            for keyword in node.keywords { apply(keyword, of: node, to: instance, at: location, depth: depth + 1, into: &result) }
        }
        if !result.isValid {
            result.properties = []
            result.items = []
        }
        return result
    }

    func apply(_ keyword: Keyword, of node: Node, to instance: JSONValue, at location: String, depth: Int, into result: inout Evaluation) {
        switch keyword {
        case .reference(let target):
            result.include(evaluate(target, instance, at: location, depth: depth))
        case .prefixItems(let schemas):
            applyPrefixItems(schemas, node, instance, location, depth, &result)
        case .items(let schema, let prefix):
            applyItems(schema, prefix, node, instance, location, depth, &result)
        case .contains:
            applyContains(keyword, node, instance, location, depth, &result)
        case .properties(let schemas):
            applyProperties(schemas, node, instance, location, depth, &result)
        case .patternProperties(let schemas):
            applyPatternProperties(schemas, node, instance, location, depth, &result)
        case .additionalProperties:
            applyAdditionalProperties(keyword, node, instance, location, depth, &result)
        case .propertyNames(let schema):
            applyPropertyNames(schema, node, instance, location, depth, &result)
        case .dependentSchemas(let schemas):
            applyDependentSchemas(schemas, node, instance, location, depth, &result)
        case .allOf(let schemas):
            for schema in schemas { result.include(evaluate(schema, instance, at: location, depth: depth)) }
        case .anyOf(let schemas):
            applyAnyOf(schemas, node, instance, location, depth, &result)
        case .oneOf(let schemas):
            applyOneOf(schemas, node, instance, location, depth, &result)
        case .not(let schema):
            applyNot(schema, node, instance, location, depth, &result)
        case .conditional(let condition, let then, let otherwise):
            applyConditional(condition, then, otherwise, instance, location, depth, &result)
        case .unevaluatedItems(let schema):
            applyUnevaluatedItems(schema, node, instance, location, depth, &result)
        case .unevaluatedProperties(let schema):
            applyUnevaluatedProperties(schema, node, instance, location, depth, &result)
        default:
            if let failure = Self.check(keyword, instance) {
                result.violations.append(Self.violation(node, failure.keyword, location, failure.message))
            }
        }
    }

    static func violation(_ node: Node, _ keyword: String, _ location: String, _ message: String) -> Violation {
        Violation(instanceLocation: location, keyword: keyword, schemaLocation: node.location + "/" + keyword, message: message)
    }

    static func member(_ location: String, _ token: String) -> String { location + "/" + pointerToken(token) }

    /// Applies a subschema to a member of the instance; a `false` subschema gets a message naming what is refused.
    func descend(_ index: Int, _ value: JSONValue, _ location: String, _ depth: Int, _ keyword: String, _ node: Node, refusal: () -> String)
        -> [Violation]
    {
        guard nodes[index].rejectsEverything else { return evaluate(index, value, at: location, depth: depth).violations }
        return [Violation(instanceLocation: location, keyword: keyword, schemaLocation: node.location + "/" + keyword, message: refusal())]
    }

    // MARK: Arrays

    func applyPrefixItems(_ schemas: [Int], _ node: Node, _ instance: JSONValue, _ location: String, _ depth: Int, _ result: inout Evaluation) {
        guard case .array(let items) = instance else { return }
        for (index, (schema, item)) in zip(schemas, items).enumerated() {
            result.violations += descend(schema, item, Self.member(location, String(index)), depth, "prefixItems", node) {
                "item \(index) is not allowed"
            }
        }
        result.items.formUnion(0..<min(schemas.count, items.count))
    }

    func applyItems(_ schema: Int, _ prefix: Int, _ node: Node, _ instance: JSONValue, _ location: String, _ depth: Int, _ result: inout Evaluation) {
        guard case .array(let items) = instance, items.count > prefix else { return }
        for index in prefix..<items.count {
            result.violations += descend(schema, items[index], Self.member(location, String(index)), depth, "items", node) {
                "item \(index) is not allowed: expected at most \(Self.plural(prefix, "item")), found \(items.count)"
            }
        }
        result.items.formUnion(prefix..<items.count)
    }

    func applyContains(_ keyword: Keyword, _ node: Node, _ instance: JSONValue, _ location: String, _ depth: Int, _ result: inout Evaluation) {
        guard case .contains(let schema, let minimum, let maximum, let minimumKeyword) = keyword, case .array(let items) = instance else { return }
        let matching = items.indices.filter { evaluate(schema, items[$0], at: Self.member(location, String($0)), depth: depth).isValid }
        result.items.formUnion(matching)
        if matching.count < minimum {
            result.violations.append(
                Self.violation(
                    node, minimumKeyword, location, "expected at least \(Self.plural(minimum, "item")) matching contains, found \(matching.count)"))
        }
        if let maximum, matching.count > maximum {
            result.violations.append(
                Self.violation(
                    node, "maxContains", location, "expected at most \(Self.plural(maximum, "item")) matching contains, found \(matching.count)"))
        }
    }

    func applyUnevaluatedItems(_ schema: Int, _ node: Node, _ instance: JSONValue, _ location: String, _ depth: Int, _ result: inout Evaluation) {
        guard case .array(let items) = instance else { return }
        for index in items.indices where !result.items.contains(index) {
            result.violations += descend(schema, items[index], Self.member(location, String(index)), depth, "unevaluatedItems", node) {
                "item \(index) is not allowed (no other keyword evaluated it)"
            }
        }
        result.items.formUnion(items.indices)
    }

    // MARK: Objects

    func applyProperties(
        _ schemas: [(name: String, schema: Int)], _ node: Node, _ instance: JSONValue, _ location: String, _ depth: Int, _ result: inout Evaluation
    ) {
        guard case .object(let members) = instance else { return }
        for (name, schema) in schemas {
            guard let value = members[name] else { continue }
            result.violations += descend(schema, value, Self.member(location, name), depth, "properties", node) {
                "property \(JSONValue.quoted(name)) is not allowed"
            }
            result.properties.insert(name)
        }
    }

    func applyPatternProperties(
        _ schemas: [(pattern: String, regex: BoundedRegex, schema: Int)], _ node: Node, _ instance: JSONValue, _ location: String,
        _ depth: Int, _ result: inout Evaluation
    ) {
        guard case .object(let members) = instance else { return }
        for (name, value) in members.sorted(by: { $0.key < $1.key }) {
            for (pattern, regex, schema) in schemas where Self.matches(regex, name) {
                result.violations += descend(schema, value, Self.member(location, name), depth, "patternProperties", node) {
                    "property \(JSONValue.quoted(name)) is not allowed (it matches \(pattern))"
                }
                result.properties.insert(name)
            }
        }
    }

    func applyAdditionalProperties(
        _ keyword: Keyword, _ node: Node, _ instance: JSONValue, _ location: String, _ depth: Int, _ result: inout Evaluation
    ) {
        guard case .additionalProperties(let schema, let named, let patterns) = keyword, case .object(let members) = instance else { return }
        for (name, value) in members.sorted(by: { $0.key < $1.key })
        where !named.contains(name) && !patterns.contains(where: { Self.matches($0, name) }) {
            result.violations += descend(schema, value, Self.member(location, name), depth, "additionalProperties", node) {
                "property \(JSONValue.quoted(name)) is not allowed"
            }
            result.properties.insert(name)
        }
    }

    func applyPropertyNames(_ schema: Int, _ node: Node, _ instance: JSONValue, _ location: String, _ depth: Int, _ result: inout Evaluation) {
        guard case .object(let members) = instance else { return }
        for name in members.keys.sorted() {
            let outcome = evaluate(schema, .string(name), at: location, depth: depth)
            guard !outcome.isValid else { continue }
            let reasons = outcome.violations.map(\.message).joined(separator: "; ")
            result.violations.append(
                Self.violation(node, "propertyNames", location, "property name \(JSONValue.quoted(name)) is invalid: \(reasons)"))
        }
    }

    func applyDependentSchemas(
        _ schemas: [(name: String, schema: Int)], _ node: Node, _ instance: JSONValue, _ location: String, _ depth: Int, _ result: inout Evaluation
    ) {
        guard case .object(let members) = instance else { return }
        for (name, schema) in schemas where members[name] != nil {
            if nodes[schema].rejectsEverything {
                result.violations.append(Self.violation(node, "dependentSchemas", location, "property \(JSONValue.quoted(name)) is not allowed"))
            } else {
                result.include(evaluate(schema, instance, at: location, depth: depth))
            }
        }
    }

    func applyUnevaluatedProperties(_ schema: Int, _ node: Node, _ instance: JSONValue, _ location: String, _ depth: Int, _ result: inout Evaluation)
    {
        guard case .object(let members) = instance else { return }
        for (name, value) in members.sorted(by: { $0.key < $1.key }) where !result.properties.contains(name) {
            result.violations += descend(schema, value, Self.member(location, name), depth, "unevaluatedProperties", node) {
                "property \(JSONValue.quoted(name)) is not allowed (no other keyword evaluated it)"
            }
        }
        result.properties.formUnion(members.keys)
    }

    // MARK: Combinations

    func applyAnyOf(_ schemas: [Int], _ node: Node, _ instance: JSONValue, _ location: String, _ depth: Int, _ result: inout Evaluation) {
        let outcomes = schemas.map { evaluate($0, instance, at: location, depth: depth) }
        guard outcomes.contains(where: \.isValid) else {
            let message = "expected to match at least one schema in anyOf, matched none (\(Self.reasons(outcomes)))"
            result.violations.append(Self.violation(node, "anyOf", location, message))
            return
        }
        for outcome in outcomes where outcome.isValid { result.include(outcome) }
    }

    func applyOneOf(_ schemas: [Int], _ node: Node, _ instance: JSONValue, _ location: String, _ depth: Int, _ result: inout Evaluation) {
        let outcomes = schemas.map { evaluate($0, instance, at: location, depth: depth) }
        let passing = outcomes.indices.filter { outcomes[$0].isValid }
        if passing.count == 1 {
            result.include(outcomes[passing[0]])
            return
        }
        let found = passing.isEmpty ? "none (\(Self.reasons(outcomes)))" : "\(passing.count) (at \(passing.map(String.init).joined(separator: ", ")))"
        result.violations.append(Self.violation(node, "oneOf", location, "expected to match exactly one schema in oneOf, matched \(found)"))
    }

    func applyNot(_ schema: Int, _ node: Node, _ instance: JSONValue, _ location: String, _ depth: Int, _ result: inout Evaluation) {
        guard evaluate(schema, instance, at: location, depth: depth).isValid else { return }
        result.violations.append(Self.violation(node, "not", location, "expected not to match the schema in not, found \(instance.brief())"))
    }

    func applyConditional(
        _ condition: Int, _ then: Int?, _ otherwise: Int?, _ instance: JSONValue, _ location: String, _ depth: Int, _ result: inout Evaluation
    ) {
        let test = evaluate(condition, instance, at: location, depth: depth)
        if test.isValid {
            result.include(test)
            if let then { result.include(evaluate(then, instance, at: location, depth: depth)) }
        } else if let otherwise {
            result.include(evaluate(otherwise, instance, at: location, depth: depth))
        }
    }

    // MARK: Keywords that apply no subschema

    /// The keyword and message when a keyword that applies no subschema fails on the instance.
    static func check(_ keyword: Keyword, _ instance: JSONValue) -> (keyword: String, message: String)? {
        switch (keyword, instance) {
        case (.type(let types), _):
            guard !types.contains(where: { hasType(instance, $0) }) else { return nil }
            return ("type", "expected \(types.joined(separator: " or ")), found \(instance.typeName)")
        case (.enumeration(let values), _):
            return values.contains(instance) ? nil : ("enum", "expected one of \(JSONValue.array(values).brief()), found \(instance.brief())")
        case (.constant(let value), _):
            return value == instance ? nil : ("const", "expected \(value.brief()), found \(instance.brief())")
        case (.multipleOf(let divisor), _):
            return !instance.isNumber || isMultiple(instance, of: divisor)
                ? nil : ("multipleOf", "expected a multiple of \(divisor), found \(instance)")
        case (.maximum(let limit), _):
            return (JSONValue.compareNumbers(instance, limit) ?? 0) > 0 ? ("maximum", "expected at most \(limit), found \(instance)") : nil
        case (.exclusiveMaximum(let limit), _):
            return (JSONValue.compareNumbers(instance, limit) ?? -1) >= 0
                ? ("exclusiveMaximum", "expected less than \(limit), found \(instance)") : nil
        case (.minimum(let limit), _):
            return (JSONValue.compareNumbers(instance, limit) ?? 0) < 0 ? ("minimum", "expected at least \(limit), found \(instance)") : nil
        case (.exclusiveMinimum(let limit), _):
            return (JSONValue.compareNumbers(instance, limit) ?? 1) <= 0
                ? ("exclusiveMinimum", "expected more than \(limit), found \(instance)") : nil
        case (.maxLength(let limit), .string(let text)):
            let length = text.unicodeScalars.count
            return length > limit ? ("maxLength", "expected at most \(plural(limit, "character")), found \(length)") : nil
        case (.minLength(let limit), .string(let text)):
            let length = text.unicodeScalars.count
            return length < limit ? ("minLength", "expected at least \(plural(limit, "character")), found \(length)") : nil
        case (.pattern(let source, let regex), .string(let text)):
            switch regex.search(text) {
            case true?: return nil
            case false?: return ("pattern", "expected a string matching the pattern \(source), found \(instance.brief())")
            case nil: return ("pattern", "the pattern \(source) took more than its budget to check against \(instance.brief())")
            }
        case (.maxItems(let limit), .array(let items)):
            return items.count > limit ? ("maxItems", "expected at most \(plural(limit, "item")), found \(items.count)") : nil
        case (.minItems(let limit), .array(let items)):
            return items.count < limit ? ("minItems", "expected at least \(plural(limit, "item")), found \(items.count)") : nil
        case (.uniqueItems, .array(let items)):
            guard let pair = firstDuplicate(items) else { return nil }
            return ("uniqueItems", "expected unique items, found equal items at \(pair.0) and \(pair.1)")
        case (.required(let names), .object(let members)):
            let missing = names.filter { members[$0] == nil }
            guard !missing.isEmpty else { return nil }
            let list = missing.map(JSONValue.quoted).joined(separator: ", ")
            return ("required", "missing required \(missing.count == 1 ? "property" : "properties") \(list)")
        case (.dependentRequired(let dependencies), .object(let members)):
            let missing = dependencies.filter { members[$0.name] != nil }.flatMap { name, requires in
                requires.filter { members[$0] == nil }.map { "\(JSONValue.quoted($0)) (required when \(JSONValue.quoted(name)) is present)" }
            }
            return missing.isEmpty
                ? nil : ("dependentRequired", "missing \(missing.count == 1 ? "property" : "properties") \(missing.joined(separator: ", "))")
        case (.maxProperties(let limit), .object(let members)):
            return members.count > limit
                ? ("maxProperties", "expected at most \(plural(limit, "property", "properties")), found \(members.count)") : nil
        case (.minProperties(let limit), .object(let members)):
            return members.count < limit
                ? ("minProperties", "expected at least \(plural(limit, "property", "properties")), found \(members.count)") : nil
        default:
            return nil
        }
    }

    static func hasType(_ value: JSONValue, _ type: String) -> Bool {
        type == "number" ? value.isNumber : value.typeName == type
    }

    /// `multipleOf` as python-jsonschema decides it, so results agree: exact remainders for an integer divisor, and
    /// for a fractional one whether the floating-point quotient is whole (0.3 is not a multiple of 0.1, 1.1 is);
    /// when the quotient overflows, the exact rational test.
    static func isMultiple(_ value: JSONValue, of divisor: JSONValue) -> Bool {
        switch (value, divisor) {
        case (.integer(let dividend), .integer(let divisor)):
            return dividend % divisor == 0
        case (.number(let dividend), .integer(let divisor)):
            return dividend.truncatingRemainder(dividingBy: Double(divisor)) == 0
        case (_, .number(let divisor)):
            guard let dividend = value.doubleValue else { return true }
            let quotient = dividend / divisor
            if quotient.isFinite { return quotient.rounded(.towardZero) == quotient }
            return exactlyDivisible(dividend, by: divisor)
        default:
            return true
        }
    }

    /// Whether `dividend / divisor` is an integer in exact arithmetic: with each written as odd × 2^e, the odd
    /// part of the divisor must divide the dividend's and its power of two must not be larger.
    static func exactlyDivisible(_ dividend: Double, by divisor: Double) -> Bool {
        guard dividend != 0 else { return true }
        guard dividend.isFinite, divisor.isFinite, divisor != 0 else { return false }
        let (dividendOdd, dividendExponent) = oddSignificand(dividend)
        let (divisorOdd, divisorExponent) = oddSignificand(divisor)
        return dividendExponent >= divisorExponent && dividendOdd % divisorOdd == 0
    }

    static func oddSignificand(_ value: Double) -> (UInt64, Int) {
        let magnitude = abs(value)
        let width = magnitude.significandWidth
        let odd = UInt64(Double(sign: .plus, exponent: width, significand: magnitude.significand))
        return (odd, Int(magnitude.exponent) - width)
    }

    /// Whether `regex` matches `text`; a search stopped by its budget counts as no match, and the budget records it.
    static func matches(_ regex: BoundedRegex, _ text: String) -> Bool {
        regex.search(text) ?? false
    }

    /// The first pair of equal items, comparing only items whose shallow hashes agree.
    static func firstDuplicate(_ items: [JSONValue]) -> (Int, Int)? {
        var seen: [Int: [Int]] = [:]
        for (index, item) in items.enumerated() {
            let hash = item.shallowHash
            if let earlier = seen[hash]?.first(where: { items[$0] == item }) { return (earlier, index) }
            seen[hash, default: []].append(index)
        }
        return nil
    }

    /// The first violation of each alternative, to say why none matched.
    static func reasons(_ outcomes: [Evaluation]) -> String {
        outcomes.enumerated().map { index, outcome in "\(index): \(outcome.violations.first?.message ?? "valid")" }.joined(separator: "; ")
    }

    static func plural(_ count: Int, _ noun: String, _ nouns: String? = nil) -> String {
        "\(count) \(count == 1 ? noun : nouns ?? noun + "s")"
    }
}
