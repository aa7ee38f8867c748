import Foundation
import StewardJSON

/// The rows of a posted batch: a JSON array, or JSON Lines (one value per line, blank lines skipped). Each
/// row is parsed on its own (`JSONScanner`, measured several times faster here than Foundation's parsers), so
/// a row that is not JSON becomes that row's error and the others are still read.
enum BatchRows {
    /// Each row with its 1-based number (the line number, for JSON Lines).
    static func rows(of body: Data, limit: Int) throws(StewardError) -> [(row: Int, value: Result<JSONValue, StewardError>)] {
        let lines = lineRanges(body)
        guard let first = lines.first else { throw .invalidParameter("The body has no rows.") }
        var rows: [(row: Int, value: Result<JSONValue, StewardError>)]
        if body[first.range.lowerBound] == UInt8(ascii: "[") {
            let document: JSONValue
            do { document = try JSONValue.parse(body, what: "The body") } catch { throw .invalidParameter(error.message) }
            guard case .array(let elements) = document else { throw .invalidParameter("The body must be a JSON array of objects.") }
            rows = elements.enumerated().map { ($0 + 1, .success($1)) }
        } else {
            rows = lines.map { line in
                do throws(JSONError) {
                    return (line.number, .success(try JSONValue.parse(body[line.range], what: "The line")))
                } catch {
                    return (line.number, .failure(.invalidParameter(error.message)))
                }
            }
        }
        guard rows.count <= limit else { throw .invalidParameter("A batch holds at most \(limit) rows; this one has \(rows.count). Split it.") }
        guard !rows.isEmpty else { throw .invalidParameter("The body has no rows.") }
        return rows
    }

    /// The non-blank lines of the body with their 1-based numbers.
    static func lineRanges(_ body: Data) -> [(number: Int, range: Range<Data.Index>)] {
        body.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> [(number: Int, range: Range<Data.Index>)] in
            var lines: [(number: Int, range: Range<Data.Index>)] = []
            var start = 0
            var number = 1
            while start <= bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
                var first = start
                var last = end
                while first < last, bytes[first].isASCIIWhitespace { first += 1 }
                while last > first, bytes[last - 1].isASCIIWhitespace { last -= 1 }
                if first < last { lines.append((number, (body.startIndex + first)..<(body.startIndex + last))) }
                number += 1
                start = end + 1
            }
            return lines
        }
    }
}

/// A JSON object's members read as typed fields with readable refusals.
struct JSONMembers {
    let values: [String: JSONValue]

    init(_ value: JSONValue, what: String) throws(StewardError) {
        guard case .object(let members) = value else { throw .invalidParameter("\(what) must be a JSON object.") }
        values = members
    }

    /// Whether the member is there and not null.
    func has(_ name: String) -> Bool {
        guard let value = values[name] else { return false }
        if case .null = value { return false }
        return true
    }

    /// The member as `type`, nil when absent or null; any other value is refused with `message`.
    func field<Value: JSONReadable>(_ type: Value.Type, _ name: String, _ message: @autoclosure () -> String) throws(StewardError) -> Value? {
        guard has(name), let value = values[name] else { return nil }
        guard let read = Value(json: value) else { throw .invalidParameter(message()) }
        return read
    }

    /// Refuses members not in `known`, naming the first and the known ones.
    func refuseUnknown(_ known: Set<String>, _ what: String) throws(StewardError) {
        if let unknown = values.keys.filter({ !known.contains($0) }).sorted().first {
            throw .invalidParameter("Unknown field '\(unknown)'; \(what) has \(known.sorted().joined(separator: ", ")).")
        }
    }
}

/// A type a JSON value converts to exactly (a number with a fraction is not an integer, true is not 1).
protocol JSONReadable {
    init?(json: JSONValue)
}

extension Int: JSONReadable {
    init?(json: JSONValue) {
        guard case .integer(let value) = json else { return nil }
        self = value
    }
}

extension Int64: JSONReadable {
    init?(json: JSONValue) {
        guard case .integer(let value) = json else { return nil }
        self = Int64(value)
    }
}

extension UInt32: JSONReadable {
    init?(json: JSONValue) {
        guard case .integer(let value) = json, let exact = UInt32(exactly: value) else { return nil }
        self = exact
    }
}

extension Double: JSONReadable {
    init?(json: JSONValue) {
        switch json {
        case .integer(let value): self = Double(value)
        case .number(let value): self = value
        default: return nil
        }
    }
}

extension String: JSONReadable {
    init?(json: JSONValue) {
        guard case .string(let value) = json else { return nil }
        self = value
    }
}

extension Bool: JSONReadable {
    init?(json: JSONValue) {
        guard case .bool(let value) = json else { return nil }
        self = value
    }
}

extension FeatureValue: JSONReadable {
    init?(json: JSONValue) {
        switch json {
        case .null: self = .missing
        case .bool(let flag): self = .flag(flag)
        case .integer(let number): self = .number(Double(number))
        case .number(let number): self = .number(number)
        case .string(let text): self = .text(text)
        case .array, .object: return nil
        }
    }
}

extension Array: JSONReadable where Element: JSONReadable {
    init?(json: JSONValue) {
        guard case .array(let values) = json else { return nil }
        var elements: [Element] = []
        elements.reserveCapacity(values.count)
        for value in values {
            guard let element = Element(json: value) else { return nil }
            elements.append(element)
        }
        self = elements
    }
}

extension Dictionary: JSONReadable where Key == String, Value: JSONReadable {
    init?(json: JSONValue) {
        guard case .object(let members) = json else { return nil }
        var values: [String: Value] = [:]
        values.reserveCapacity(members.count)
        for (name, member) in members {
            guard let value = Value(json: member) else { return nil }
            values[name] = value
        }
        self = values
    }
}
