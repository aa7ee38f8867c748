import Foundation
import Testing

@testable import StewardJSON

/// The JSON reader against Foundation's on generated documents, and RFC 8259's edges one by one.
@Suite("JSON scanner")
struct JSONScannerTests {
    /// A random JSON value of Foundation types, with strings that need every kind of escape.
    static func randomValue(_ depth: Int, _ generator: inout some RandomNumberGenerator) -> Any {
        let pieces = ["a", "é", "😀", "\"", "\\", "/", "\n", "\t", "\u{01}", "\u{7F}", "𝄞", " ", "x y", "\u{FEFF}"]
        switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &generator) {
        case 0: return NSNull()
        case 1: return Bool.random(using: &generator)
        case 2: return Int.random(in: -1_000_000_000_000...1_000_000_000_000, using: &generator)
        case 3: return Double.random(in: -1e6...1e6, using: &generator) * pow(10, Double(Int.random(in: -20...20, using: &generator)))
        case 4: return (0..<Int.random(in: 0..<6, using: &generator)).map { _ in pieces.randomElement(using: &generator) ?? "" }.joined()
        case 5: return (0..<Int.random(in: 0..<5, using: &generator)).map { _ in randomValue(depth + 1, &generator) }
        default:
            var object: [String: Any] = [:]
            for index in 0..<Int.random(in: 0..<5, using: &generator) {
                object["k\(index)\(pieces.randomElement(using: &generator) ?? "")"] = randomValue(depth + 1, &generator)
            }
            return object
        }
    }

    /// Foundation's reading of the same text, as a JSONValue, for comparison.
    static func foundationValue(_ object: Any) -> JSONValue {
        switch object {
        case is NSNull: return .null
        case let flag as Bool where type(of: object) == Bool.self: return .bool(flag)
        case let values as [Any]: return .array(values.map(foundationValue))
        case let members as [String: Any]: return .object(members.mapValues(foundationValue))
        case let text as String: return .string(text)
        case let number as NSNumber:
            if String(cString: number.objCType) == "c" { return .bool(number.boolValue) }
            return .number(number.doubleValue)
        default: return .null
        }
    }

    /// Compared with the values written, not with Foundation's reading of them: on Linux it reads some doubles an
    /// ulp off and drops a trailing U+FEFF from strings; the scanner reads both exactly.
    @Test("generated documents written by JSONSerialization read back as written")
    func readsWhatFoundationWrote() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let document: [String: Any] = ["root": Self.randomValue(0, &generator)]
            let data = try JSONSerialization.data(withJSONObject: document)
            let scanned = try JSONValue.parse(data)
            #expect(scanned == Self.foundationValue(document), "\(String(decoding: data, as: UTF8.self))")
        }
    }

    @Test("what the writer writes reads back as the same value, and Foundation reads it; keys sorted, escapes minimal")
    func writesWhatReadsBack() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let value = Self.foundationValue(["root": Self.randomValue(0, &generator)])
            let bytes = value.encoded
            #expect(try JSONValue.parse(Data(bytes)) == value, "\(value.description)")
            // Foundation reads it too (its values are compared in `readsWhatFoundationWrote`; on Linux it reads some
            // doubles an ulp off).
            #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) }
            #expect(value.description == String(decoding: bytes, as: UTF8.self))
        }
        let text = JSONValue.object([
            "b": .string("q\"b\\n\n\r\t\u{01}\u{1F}\u{7F}é😀/"), "a": .array([.integer(-3), .number(0.5), .bool(true), .null]),
        ])
        #expect(text.description == #"{"a":[-3,0.5,true,null],"b":"q\"b\\n\n\r\t\u0001\u001f\#u{7F}é😀/"}"#)
        #expect(JSONValue.string(String(repeating: "x", count: 300)).brief(10) == "\"xxxxxxxxx…")
    }

    @Test("arrays of any length one after another read back whole; an object written without some of its members")
    func arrayLengthsAndOmittedMembers() throws {
        // Each array is made room for as long as the one read before it: longer, shorter and empty ones in turn.
        let lengths = [70, 1, 0, 12, 12, 3, 100, 2, 65, 64]
        let value = JSONValue.array(lengths.map { length in .array((0..<length).map { .integer($0) }) })
        #expect(try JSONValue.parse(Data(value.encoded)) == value)
        let members: [String: JSONValue] = ["stream": .bool(true), "model": .string("m"), "user": .string("u"), "messages": .array([])]
        var bytes: [UInt8] = []
        JSONValue.writeObject(members, omitting: ["stream", "user"], into: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"messages":[],"model":"m"}"#)
        bytes = []
        JSONValue.writeObject(members, omitting: ["model", "messages", "stream", "user"], into: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "{}")
        bytes = []
        JSONValue.writeObject(members, into: &bytes)
        #expect(bytes == JSONValue.object(members).encoded)
        // Larger objects are sorted in an array of their own; the text is the same.
        let wide = Dictionary(uniqueKeysWithValues: (0..<20).map { ("k\($0)", JSONValue.integer($0)) })
        bytes = []
        JSONValue.writeObject(wide, omitting: ["k3"], into: &bytes)
        let names = (0..<20).filter { $0 != 3 }.map { "k\($0)" }.sorted()
        #expect(String(decoding: bytes, as: UTF8.self) == "{" + names.map { "\"\($0)\":\($0.dropFirst())" }.joined(separator: ",") + "}")
    }

    @Test("The room made for arrays stays in proportion to the text, however they are nested")
    func arrayRoomIsBounded() throws {
        /// Element slots made, in all the arrays of a value.
        func slots(_ value: JSONValue) -> Int {
            switch value {
            case .array(let elements): elements.capacity + elements.reduce(0) { $0 + slots($1) }
            case .object(let members): members.values.reduce(0) { $0 + slots($1) }
            default: 0
            }
        }
        let long = "[" + Array(repeating: "0", count: 64).joined(separator: ",") + "]"
        let chains = [
            String(repeating: "[", count: 500) + "0" + String(repeating: "]", count: 500),
            String(repeating: "[0,", count: 500) + "0" + String(repeating: "]", count: 500),
        ]
        for chain in chains {
            let text = "[" + long + "," + chain + "," + long + "," + chain + "]"
            let value = try JSONValue.parse(Data(text.utf8))
            // Each array holds one or two elements, or 64: what growing from empty gives them, plus at most the
            // 64 the long arrays paid for, a few times over.
            #expect(slots(value) < 2 * text.utf8.count, "\(slots(value)) slots for \(text.utf8.count) bytes")
        }
        // Rows of one length are made with room for that length: one allocation each.
        let rows = try JSONValue.parse(Data(#"{"columns": ["a", "b", "c", "d", "e"], "data": [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]}"#.utf8))
        guard case .object(let split) = rows, case .array(let data)? = split["data"] else { throw JSONError("not read") }
        for row in data {
            guard case .array(let cells) = row else { throw JSONError("not read") }
            #expect(cells.capacity >= 5 && cells.capacity < 8)
        }
    }

    @Test("escapes, surrogate pairs, numbers and literals")
    func edges() throws {
        #expect(try JSONValue.parse(#""a\"b\\c\/d\b\f\n\r\t\u00e9\ud834\udd1e""#) == .string("a\"b\\c/d\u{08}\u{0C}\n\r\té𝄞"))
        #expect(try JSONValue.parse("9007199254740993") == .integer(9_007_199_254_740_993))
        #expect(try JSONValue.parse("-0") == .integer(0))
        #expect(try JSONValue.parse("1.5e3") == .number(1500))
        #expect(try JSONValue.parse("100000000000000000000000") == .number(1e23))
        #expect(try JSONValue.parse(" [true, false, null, {}, []] \n") == .array([.bool(true), .bool(false), .null, .object([:]), .array([])]))
        #expect(try JSONValue.parse(#"{"a": 1, "a": 2}"#) == .object(["a": .integer(2)]))
        let refused = [
            "", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "+1", "1e", "--1", "NaN", "Infinity", "1e400", "tru", "nul", "[1 2]", "{\"a\" 1}",
            "{a: 1}", "\"\u{01}\"", "\"\\x\"", "\"\\ud834\"", "\"\\udd1e\"", "\"abc", "[1]]", "{} {}", "\"\\u12\"",
        ]
        for text in refused {
            #expect(throws: JSONError.self, "\(text)") { try JSONValue.parse(text) }
        }
        #expect(throws: JSONError.self) { try JSONValue.parse(Data([0x22, 0xC3, 0x28, 0x22])) }
        // Bytes beyond ASCII are validated, before an escape and after one; ASCII-only strings are read as they are.
        for invalid: [UInt8] in [[0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF5, 0x80, 0x80, 0x80], [0x61, 0xFF]] {
            #expect(throws: JSONError.self) { try JSONValue.parse(Data([0x22] + invalid + [0x22])) }
            #expect(throws: JSONError.self) { try JSONValue.parse(Data([0x22, 0x5C, 0x6E] + invalid + [0x22])) }
            #expect(throws: JSONError.self) { try JSONValue.parse(Data([0x22] + invalid + [0x5C, 0x6E, 0x22])) }
        }
        #expect(try JSONValue.parse(Data("\"é\\n😀 x\"".utf8)) == .string("é\n😀 x"))
        #expect(try JSONValue.parse(Data("\"plain ascii ~\\u00e9\"".utf8)) == .string("plain ascii ~é"))
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONError.self) { try JSONValue.parse(deep) }
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect((try? JSONValue.parse(fine)) != nil)
    }

    /// The scanner reads most numbers from their digits; every one must come out as Swift reads its text (to the
    /// bit: the sign of zero included), integers as `Int`, the rest as `Double`.
    @Test("numbers read exactly as their text, whichever way they are read")
    func numbers() throws {
        func expected(_ text: String) -> JSONValue? {
            if !text.contains(where: { ".eE".contains($0) }), let integer = Int(text) { return .integer(integer) }
            return Double(text).flatMap { $0.isFinite ? .number($0) : nil }
        }
        func check(_ text: String) throws {
            let read = try JSONValue.parse(text)
            switch (read, expected(text)) {
            case (.integer(let a), .integer(let b)?): #expect(a == b, "\(text)")
            case (.number(let a), .number(let b)?): #expect(a.bitPattern == b.bitPattern, "\(text): \(a) against \(b)")
            default: Issue.record("\(text) read as \(read)")
            }
        }
        let edges = [
            "0", "-0", "0.0", "-0.0", "0e0", "-0e-5", "1e22", "1e23", "1e-22", "1e-23", "123456789012345e22", "1234567890123456e22",
            "9007199254740993.0", "0.1", "0.000001", "-123.456", "999999999999999.9", "99999999999999.99", "123456789012345678",
            "1234567890123456789", "-9223372036854775808", "9223372036854775808", "2.2250738585072014e-308", "4.9e-324",
            "1.7976931348623157e308", "0.30000000000000004", "1E+2", "1e0002", "1e00002", "12.5e-1",
        ]
        for text in edges { try check(text) }
        var generator = SystemRandomNumberGenerator()
        func digits(_ count: Int) -> String { String((0..<count).map { _ in "0123456789".randomElement(using: &generator)! }) }
        for _ in 0..<20_000 {
            var text = Bool.random(using: &generator) ? "-" : ""
            let whole = digits(Int.random(in: 1...20, using: &generator))
            text += whole.count > 1 && whole.first == "0" ? "1" + whole.dropFirst() : whole
            if Bool.random(using: &generator) { text += "." + digits(Int.random(in: 1...18, using: &generator)) }
            if Int.random(in: 0..<3, using: &generator) == 0 {
                text += ["e", "E", "e+", "e-"].randomElement(using: &generator)! + String(Int.random(in: 0...40, using: &generator))
            }
            try check(text)
        }
    }
}
