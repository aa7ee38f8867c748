import Foundation

/// The rows of a posted batch (a JSON array, or JSON Lines) decoded with `JSONDecoder` one row at a time in
/// effect: a row that does not decode becomes that row's error and the others are still read. JSON Lines are
/// decoded as one array when every line is valid JSON, and line by line otherwise.
enum BatchRows {
    /// A row type that reports its own problems as `StewardError`s with readable messages.
    typealias Row = Decodable & Sendable

    /// Decodes each row; rows are numbered from 1 (the line number, for JSON Lines).
    static func decode<Element: Row>(_ type: Element.Type, from body: Data, limit: Int) throws(StewardError)
        -> [(row: Int, value: Result<Element, StewardError>)]
    {
        let decoder = JSONDecoder()
        let lines = lineRanges(body)
        guard let first = lines.first, !lines.isEmpty else { throw .invalidParameter("The body has no rows.") }
        var rows: [(row: Int, value: Result<Element, StewardError>)]
        if body[first.range.lowerBound] == UInt8(ascii: "[") {
            do {
                rows = try decoder.decode([Lossy<Element>].self, from: body).enumerated().map { ($0 + 1, $1.value) }
            } catch {
                throw .invalidParameter("The body is not a JSON array of objects: \(describe(error))")
            }
        } else {
            var joined = Data([UInt8(ascii: "[")])
            joined.reserveCapacity(body.count + lines.count + 2)
            for (index, line) in lines.enumerated() {
                if index > 0 { joined.append(UInt8(ascii: ",")) }
                joined.append(body[line.range])
            }
            joined.append(UInt8(ascii: "]"))
            if let decoded = try? decoder.decode([Lossy<Element>].self, from: joined) {
                rows = zip(lines, decoded).map { ($0.number, $1.value) }
            } else {
                rows = lines.map { line in
                    do {
                        return (line.number, try decoder.decode(Lossy<Element>.self, from: body[line.range]).value)
                    } catch {
                        return (line.number, .failure(.invalidParameter("The line is not valid JSON: \(describe(error))")))
                    }
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

    /// A decoding error in a sentence.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as StewardError: return error.message
        case DecodingError.dataCorrupted(let context): return (context.underlyingError.map { "\($0)" } ?? context.debugDescription)
        default: return "\(error)"
        }
    }

    /// One row decoded on its own: a failure stays with the row.
    struct Lossy<Element: Row>: Decodable {
        let value: Result<Element, StewardError>

        init(from decoder: any Decoder) throws {
            do {
                value = .success(try Element(from: decoder))
            } catch let error as StewardError {
                value = .failure(error)
            } catch DecodingError.typeMismatch(_, let context) where context.codingPath.isEmpty {
                value = .failure(.invalidParameter("A row must be a JSON object."))
            } catch {
                value = .failure(.invalidParameter(describe(error)))
            }
        }
    }
}

/// A JSON object member name that is any string.
struct AnyKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer where Key == AnyKey {
    /// The member decoded as `type`, nil when absent or null; any other value is refused with `message`.
    func field<Value: Decodable>(_ type: Value.Type, _ name: String, _ message: @autoclosure () -> String) throws(StewardError) -> Value? {
        let key = AnyKey(name)
        guard contains(key), (try? decodeNil(forKey: key)) == false else { return nil }
        guard let value = try? decode(type, forKey: key) else { throw .invalidParameter(message()) }
        return value
    }

    /// Refuses members not in `known`, naming the first and the known ones.
    func refuseUnknown(_ known: Set<String>, _ what: String) throws(StewardError) {
        if let unknown = allKeys.map(\.stringValue).filter({ !known.contains($0) }).sorted().first {
            throw .invalidParameter("Unknown field '\(unknown)'; \(what) has \(known.sorted().joined(separator: ", ")).")
        }
    }
}
