import Foundation
import Testing

@testable import StewardJSON

/// The pull reader against the scanner it is built on: a document read member by member is the value the scanner
/// reads, and a text the scanner refuses is refused.
@Suite("JSON pull reader")
struct JSONPullReaderTests {
    /// Rebuilds a document through the pull reader's pieces: its top object or array opened and walked, their
    /// members and elements read as values.
    static func walk(_ reader: inout JSONPullReader, kind: UInt8?) throws(JSONError) -> JSONValue {
        switch kind {
        case UInt8(ascii: "{"):
            try reader.beginObject()
            var members: [String: JSONValue] = [:]
            while let name = try reader.nextMember() { members[name] = try reader.value() }
            return .object(members)
        case UInt8(ascii: "["):
            try reader.beginArray()
            var elements: [JSONValue] = []
            while try reader.nextElement() { elements.append(try reader.value()) }
            return .array(elements)
        default:
            return try reader.value()
        }
    }

    static func read(_ text: String) -> Result<JSONValue, JSONError> {
        let bytes = Array(text.utf8)
        let kind = bytes.first { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }
        return bytes.withUnsafeBytes { raw in JSONPullReader.read(raw) { reader throws(JSONError) in try walk(&reader, kind: kind) } }
    }

    @Test("Generated documents read member by member are the values the scanner reads")
    func generated() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let document: [String: Any] = ["root": JSONScannerTests.randomValue(0, &generator), "list": [1, "two", NSNull()]]
            let text = String(decoding: try JSONSerialization.data(withJSONObject: document), as: UTF8.self)
            #expect(try Self.read(text).get() == (try JSONValue.parse(Data(text.utf8))), "\(text)")
            let array = "[" + text + ", 3]"
            #expect(try Self.read(array).get() == (try JSONValue.parse(Data(array.utf8))), "\(array)")
        }
    }

    @Test(
        "Texts the scanner refuses are refused",
        arguments: [
            #"{"a":1,}"#, #"{"a":1 "b":2}"#, #"{,"a":1}"#, #"{"a" 1}"#, #"{a:1}"#, #"{"a":1"#, #"{"a":1}}"#, #"{"a":1} x"#, "[1,]", "[1 2]",
            "[,1]", "[1", "[1]]", "", "{", #"{"a":nul}"#, #"{"a":"\x"}"#, "{\"a\":\"\u{1}\"}",
        ])
    func refused(text: String) {
        guard case .failure = JSONValue.decode(Data(text.utf8)) else {
            Issue.record("the scanner reads \(text.debugDescription)")
            return
        }
        guard case .failure = Self.read(text) else {
            Issue.record("the pull reader reads \(text.debugDescription)")
            return
        }
    }
}
