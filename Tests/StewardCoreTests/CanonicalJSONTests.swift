import Foundation
import StewardCore
import Testing

@Suite("Canonical JSON strings")
struct CanonicalJSONTests {
    /// RFC 8785's escaping, written scalar by scalar: what every string must be written as.
    static func expected(_ string: String) -> String {
        var text = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\u{08}": text += "\\b"
            case "\u{0C}": text += "\\f"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20: text += String(format: "\\u%04x", scalar.value)
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }

    @Test("Quotes, backslashes and control characters are escaped, everything else is kept as it is, wherever it stands")
    func escaping() throws {
        let samples = [
            "", "plain", "\"", "\\", "a\"b\\c", "\u{0}\u{1}\u{1f}", "tab\there\nand\r\u{08}\u{0C}", "é café ☕ 𝄞 👩‍👩‍👧",
            "\u{7f}\u{80}\u{2028}", "end\\", "\"start", "Ünïcödé\n\"quoted\"\u{0}",
        ]
        // And random mixes of the interesting characters, so that runs start and end at every kind of neighbour.
        var generator = SystemRandomNumberGenerator()
        let pieces: [String] = ["a", "Z", "\"", "\\", "\n", "\u{1}", "é", "☕", "𝄞", " ", "\u{7f}", "\u{1f}"]
        let random = (0..<2_000).map { _ in
            (0..<Int.random(in: 0...12, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
        }
        for string in samples + random {
            var written = Array("prefix:".utf8)
            CanonicalJSON.writeString(string, to: &written)
            #expect(String(decoding: written, as: UTF8.self) == "prefix:" + Self.expected(string))
            // JSON readers give the string back.
            let read = try JSONSerialization.jsonObject(with: Data(written.dropFirst(7)), options: .fragmentsAllowed) as? String
            #expect(read == string)
        }
    }

    @Test("A feature's JSON text: numbers in their shortest form, texts escaped, flags and null")
    func featureValues() {
        #expect(FeatureValue.number(3).json == "3")
        #expect(FeatureValue.number(-2.5).json == "-2.5")
        #expect(FeatureValue.text("say \"hi\"\n").json == "\"say \\\"hi\\\"\\n\"")
        #expect(FeatureValue.flag(true).json == "true")
        #expect(FeatureValue.missing.json == "null")
    }
}
