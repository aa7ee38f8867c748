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

    /// Compact JSON text with sorted keys: for messages, and the canonical text a cache key hashes.
    public var description: String { String(decoding: encoded, as: UTF8.self) }

    /// `description` as UTF-8 bytes, which is how the gateway sends a body on and hashes a cache key.
    public var encoded: [UInt8] { encoded(reservingCapacity: 256) }

    /// `encoded`, in an array made with room for `capacity` bytes (a body's own size is a good guess for the same
    /// body written again).
    public func encoded(reservingCapacity capacity: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(capacity)
        write(into: &bytes, limit: Int.max)
        return bytes
    }

    /// The text, shortened to about `limit` characters for a readable message; a large value is not written whole.
    func brief(_ limit: Int = 60) -> String {
        var bytes: [UInt8] = []
        write(into: &bytes, limit: limit * 4 + 4)
        let text = String(decoding: bytes, as: UTF8.self)
        return text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }

    /// Appends the JSON text as UTF-8, stopping once `bytes` holds `limit` of them.
    ///
    /// Written into bytes, a run of characters that need no escape at a time: appending to a `String` one
    /// character at a time made writing JSON 14% of a gateway call's CPU time (`bench/gateway.py` under `perf`).
    public func write(into bytes: inout [UInt8], limit: Int = .max) {
        guard bytes.count < limit else { return }
        switch self {
        case .null: bytes += "null".utf8
        case .bool(let value): bytes += (value ? "true" : "false").utf8
        case .integer(let value): bytes += String(value).utf8
        case .number(let value): bytes += value.description.utf8
        case .string(let value): Self.quote(value, into: &bytes)
        case .array(let values):
            bytes.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                guard bytes.count < limit else { return }
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                value.write(into: &bytes, limit: limit)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members): Self.writeObject(members, into: &bytes, limit: limit)
        }
    }

    /// Appends `members` as a JSON object with sorted keys, leaving out those `omitting` holds (as if they were
    /// not members), and stopping once `bytes` holds `limit` of them.
    ///
    /// An object of up to eight members is sorted on the stack, a larger one in an array: an array of sorted keys
    /// per object was ten allocations per gateway call (`perf` probe on `malloc` under `bench/gateway.py`). Eight
    /// members take at most 320 bytes of stack per level of nesting, however deep the value.
    public static func writeObject(
        _ members: [String: JSONValue], omitting: Set<String> = [], into bytes: inout [UInt8], limit: Int = .max
    ) {
        typealias Member = (key: String, value: JSONValue)
        /// Sorts the members in `storage`, which has room for all of them, writes them, and leaves `storage` as it
        /// found it; false when the limit cut the object short.
        func write(sortingIn storage: UnsafeMutableBufferPointer<Member>) -> Bool {
            var count = 0
            for member in members where omitting.isEmpty || !omitting.contains(member.key) {
                (storage.baseAddress! + count).initialize(to: member)
                count += 1
            }
            var sorted = UnsafeMutableBufferPointer(rebasing: storage[..<count])
            defer { sorted.deinitialize() }
            sorted.sort { $0.key < $1.key }
            for index in sorted.indices {
                guard bytes.count < limit else { return false }
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                quote(sorted[index].key, into: &bytes)
                bytes.append(UInt8(ascii: ":"))
                sorted[index].value.write(into: &bytes, limit: limit)
            }
            return true
        }
        bytes.append(UInt8(ascii: "{"))
        let complete =
            members.count <= 8
            ? withUnsafeTemporaryAllocation(of: Member.self, capacity: members.count, write(sortingIn:))
            : {
                let storage = UnsafeMutableBufferPointer<Member>.allocate(capacity: members.count)
                defer { storage.deallocate() }
                return write(sortingIn: storage)
            }()
        if complete { bytes.append(UInt8(ascii: "}")) }
    }

    /// `text` as a JSON string (see `quote(_:into:shortControlEscapes:)`).
    public static func quoted(_ text: String) -> String {
        var bytes: [UInt8] = []
        quote(text, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `text` as a JSON string: quotes, backslashes and control characters escaped, everything else as it is.
    /// The runs between the characters escaped are copied whole (each of those is one ASCII byte, so a run always
    /// ends on a character's edge). `shortControlEscapes` writes backspace and form feed as `\b` and `\f`, as
    /// RFC 8785 (canonical JSON) has them, instead of `\u0008` and `\u000c`.
    public static func quote(_ text: String, into bytes: inout [UInt8], shortControlEscapes: Bool = false) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { source in
            var run = 0
            for index in source.indices {
                let byte = source[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[run..<index]))
                switch byte {
                case UInt8(ascii: "\""): bytes += #"\""#.utf8
                case UInt8(ascii: "\\"): bytes += #"\\"#.utf8
                case UInt8(ascii: "\n"): bytes += #"\n"#.utf8
                case UInt8(ascii: "\r"): bytes += #"\r"#.utf8
                case UInt8(ascii: "\t"): bytes += #"\t"#.utf8
                case 0x08 where shortControlEscapes: bytes += #"\b"#.utf8
                case 0x0C where shortControlEscapes: bytes += #"\f"#.utf8
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes += #"\u00"#.utf8
                    bytes.append(hex[Int(byte >> 4)])
                    bytes.append(hex[Int(byte & 0xF)])
                }
                run = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[run...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
