import Foundation
import StewardJSON

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
        var bytes: [UInt8] = []
        write(value, to: &bytes)
        return Data(bytes)
    }

    static func write(_ value: Value, to bytes: inout [UInt8]) {
        switch value {
        case .string(let string):
            writeString(string, to: &bytes)
        case .integer(let number):
            bytes.append(contentsOf: String(number).utf8)
        case .null:
            bytes.append(contentsOf: "null".utf8)
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted(by: { $0.utf16.lexicographicallyPrecedes($1.utf16) }).enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                writeString(key, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                write(members[key] ?? .null, to: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Appends `string` quoted, as UTF-8: JSON's escapes, with RFC 8785's short forms of backspace and form feed.
    /// Copying the runs between escapes whole, not scalar by scalar, matters to served requests' events, whose
    /// features are written with this (a quarter of the time spent recording them, `perf`, `bench/router.py`).
    public static func writeString(_ string: String, to bytes: inout [UInt8]) {
        JSONValue.quote(string, into: &bytes, shortControlEscapes: true)
    }
}
