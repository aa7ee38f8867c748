import Foundation

/// A parsed JSON document. `parse` reads text with `JSONScanner` (strict RFC 8259, nesting up to 512 levels):
/// booleans are never numbers, integers that fit stay `Int` (9007199254740993 stays exact), other numbers are
/// `Double`.
///
/// Equality is JSON equality, as JSON Schema defines it: `1 == 1.0`, object key order is irrelevant, `true != 1`,
/// and strings are equal when their code points are (no Unicode normalisation).
public enum JSONValue: Sendable, Equatable, Decodable, CustomStringConvertible {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Decodes a value embedded in a `Decodable` payload (a number written 1.0 arrives as `integer(1)` here).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Parses a JSON text; a top-level scalar is allowed. `what` names the text in the error ("The schema").
    public static func parse(_ data: Data, what: String = "The text") throws(JSONError) -> JSONValue {
        switch decode(data) {
        case .success(let value): return value
        case .failure(let problem): throw JSONError("\(what) is not valid JSON: \(problem.message).")
        }
    }

    public static func parse(_ text: String, what: String = "The text") throws(JSONError) -> JSONValue {
        try parse(Data(text.utf8), what: what)
    }

    /// The value, or what is wrong with the text (the error's message is that reason alone). A request message
    /// refuses duplicate members, which other readers would resolve differently (first or last wins).
    public static func decode(_ data: Data, refusingDuplicateMembers: Bool = false) -> Result<JSONValue, JSONError> {
        JSONScanner.value(of: data, refusingDuplicateMembers: refusingDuplicateMembers)
    }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let left), .bool(let right)): return left == right
        case (.string(let left), .string(let right)): return left.utf8.elementsEqual(right.utf8)
        case (.array(let left), .array(let right)): return left == right
        case (.object(let left), .object(let right)):
            return left.count == right.count && left.allSatisfy { key, value in right[key] == value }
        default:
            guard let order = compareNumbers(lhs, rhs) else { return false }
            return order == 0
        }
    }

    /// The JSON Schema type name: numbers with no fractional part are "integer", as in draft 2020-12.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer: "integer"
        case .number(let value): value.rounded(.towardZero) == value ? "integer" : "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    var isNumber: Bool {
        switch self {
        case .integer, .number: true
        default: false
        }
    }

    /// The value as a `Double` when it is a number (rounded when an integer is beyond 2^53).
    var doubleValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }

    /// The value as a non-negative `Int` when it is an integral number (2.0 counts); huge values saturate.
    var nonNegativeInteger: Int? {
        switch self {
        case .integer(let value): return value >= 0 ? value : nil
        case .number(let value):
            guard value >= 0, value.rounded(.towardZero) == value else { return nil }
            return Int(exactly: value) ?? Int.max
        default: return nil
        }
    }

    /// Orders two numbers exactly (an `Int` against a `Double` without rounding either): -1, 0 or 1; nil unless
    /// both are numbers.
    static func compareNumbers(_ lhs: JSONValue, _ rhs: JSONValue) -> Int? {
        switch (lhs, rhs) {
        case (.integer(let left), .integer(let right)): return left < right ? -1 : (left == right ? 0 : 1)
        case (.number(let left), .number(let right)): return left < right ? -1 : (left == right ? 0 : 1)
        case (.integer(let left), .number(let right)): return compare(left, right)
        case (.number(let left), .integer(let right)): return -compare(right, left)
        default: return nil
        }
    }

    static func compare(_ integer: Int, _ double: Double) -> Int {
        let limit = 9_223_372_036_854_775_808.0  // 2^63, the first Double above Int.max
        if double >= limit { return -1 }
        if double < -limit { return 1 }
        let whole = double.rounded(.down)
        let wholeInteger = Int(whole)  // exact: integral and within [-2^63, 2^63)
        if integer != wholeInteger { return integer < wholeInteger ? -1 : 1 }
        return double > whole ? -1 : 0
    }

    /// The value a JSON Pointer's reference tokens lead to, if any.
    func value(at tokens: [String]) -> JSONValue? {
        var current = self
        for token in tokens {
            switch current {
            case .object(let members):
                guard let next = members[token] else { return nil }
                current = next
            case .array(let values):
                guard let index = Int(token), index >= 0, index < values.count, String(index) == token else { return nil }
                current = values[index]
            default:
                return nil
            }
        }
        return current
    }

    /// A hash shared by equal values (numbers by value, strings by code units, containers by size), to find
    /// duplicates without comparing every pair.
    var shallowHash: Int {
        var hasher = Hasher()
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(value)
        case .integer, .number: hasher.combine(doubleValue)
        case .string(let text): for unit in text.utf8 { hasher.combine(unit) }
        case .array(let values): hasher.combine(values.count)
        case .object(let members): hasher.combine(members.count)
        }
        return hasher.finalize()
    }

    /// Compact JSON text with sorted keys, for messages.
    public var description: String {
        var text = ""
        write(into: &text, limit: Int.max)
        return text
    }

    /// The text, shortened to about `limit` characters for a readable message; a large value is not written whole.
    func brief(_ limit: Int = 60) -> String {
        var text = ""
        write(into: &text, limit: limit * 4 + 4)
        return text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }

    /// Appends the JSON text, stopping once `text` holds `limit` UTF-8 bytes.
    func write(into text: inout String, limit: Int) {
        guard text.utf8.count < limit else { return }
        switch self {
        case .null: text += "null"
        case .bool(let value): text += value ? "true" : "false"
        case .integer(let value): text += String(value)
        case .number(let value): text += "\(value)"
        case .string(let value): text += Self.quoted(value)
        case .array(let values):
            text += "["
            for (index, value) in values.enumerated() {
                guard text.utf8.count < limit else { return }
                if index > 0 { text += "," }
                value.write(into: &text, limit: limit)
            }
            text += "]"
        case .object(let members):
            text += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                guard text.utf8.count < limit, let value = members[key] else { return }
                text += (index > 0 ? "," : "") + Self.quoted(key) + ":"
                value.write(into: &text, limit: limit)
            }
            text += "}"
        }
    }

    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
