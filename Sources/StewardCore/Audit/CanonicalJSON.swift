import Foundation

/// JSON written one way only, following RFC 8785 (JCS) for the values audit events hold — strings, integers,
/// null and objects of them: members sorted by their keys' UTF-16 code units, no whitespace, strings escaped
/// minimally. Written by hand so that a hash computed today verifies with any later toolchain.
public enum CanonicalJSON {
    public indirect enum Value: Sendable, Equatable {
        case string(String)
        case integer(Int64)
        case null
        case object([String: Value])
    }

    public static func encode(_ value: Value) -> Data {
        var text = ""
        write(value, to: &text)
        return Data(text.utf8)
    }

    static func write(_ value: Value, to text: inout String) {
        switch value {
        case .string(let string):
            writeString(string, to: &text)
        case .integer(let number):
            text += String(number)
        case .null:
            text += "null"
        case .object(let members):
            text += "{"
            for (index, key) in members.keys.sorted(by: { $0.utf16.lexicographicallyPrecedes($1.utf16) }).enumerated() {
                if index > 0 { text += "," }
                writeString(key, to: &text)
                text += ":"
                write(members[key] ?? .null, to: &text)
            }
            text += "}"
        }
    }

    static func writeString(_ string: String, to text: inout String) {
        text += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\u{08}": text += "\\b"
            case "\u{0C}": text += "\\f"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
