import Foundation
import NIOCore
import Testing

@testable import StewardServer

@Suite("JSON writer")
struct JSONWriterTests {
    struct Sample: JSONWritable {
        var text: String
        var number: Double
        var count: Int64?
        var flag: Bool
        var items: [String]

        func write(to writer: inout JSONWriter) {
            writer.object { writer in
                writer.member("text", text)
                writer.member("number", number)
                writer.member("count", count)
                writer.member("flag", flag)
                writer.member("items", items)
                writer.member("absent", nil as String?)
            }
        }
    }

    func parse(_ value: some JSONWritable) throws -> [String: Any] {
        let buffer = JSONWriter.encode(value)
        return try #require(try JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any])
    }

    @Test("Strings with quotes, backslashes, control characters and non-ASCII round-trip through a JSON parser")
    func escaping() throws {
        let tricky = "q\"b\\s/\n\r\t\u{8}\u{c}\u{1}\u{1f} é 日本 🚀"
        let object = try parse(Sample(text: tricky, number: 1, count: 2, flag: true, items: ["a", tricky]))
        #expect(object["text"] as? String == tricky)
        #expect(object["items"] as? [String] == ["a", tricky])
        #expect(object["absent"] == nil)
        #expect(object["count"] as? Int == 2)
        #expect(object["flag"] as? Bool == true)
    }

    @Test("Doubles round-trip exactly; non-finite ones are MLflow's strings; empty arrays and nil members are omitted")
    func numbers() throws {
        for value in [0.1, 1.0, -2.5e-7, 1e300, 123456789.123456789, Double.leastNonzeroMagnitude, -0.0] {
            let object = try parse(Sample(text: "", number: value, count: nil, flag: false, items: []))
            #expect((object["number"] as? NSNumber)?.doubleValue == value)
            #expect(object["items"] == nil)
            #expect(object["count"] == nil)
        }
        #expect(try parse(Sample(text: "", number: .nan, count: nil, flag: false, items: []))["number"] as? String == "NaN")
        #expect(try parse(Sample(text: "", number: .infinity, count: nil, flag: false, items: []))["number"] as? String == "Infinity")
        #expect(try parse(Sample(text: "", number: -.infinity, count: nil, flag: false, items: []))["number"] as? String == "-Infinity")
        #expect(try parse(Sample(text: "", number: 0, count: Int64.min, flag: false, items: []))["count"] as? Int == Int(Int64.min))
    }
}
