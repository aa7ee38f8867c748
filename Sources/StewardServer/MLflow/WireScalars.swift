/// An int64 as MLflow clients send it: a JSON number or a numeric string (proto3 JSON, and every GET
/// query parameter).
struct WireInt64: Decodable, Sendable {
    let value: Int64

    init(_ value: Int64) {
        self.value = value
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            value = number
        } else if let text = try? container.decode(String.self), let number = Int64(text.trimmingCharacters(in: .whitespaces)) {
            value = number
        } else if let double = try? container.decode(Double.self), double == double.rounded(), abs(double) < 9.2e18 {
            value = Int64(double)
        } else {
            throw DecodingError.typeMismatch(
                Int64.self, .init(codingPath: decoder.codingPath, debugDescription: "expected a 64-bit integer"))
        }
    }
}

/// A double as MLflow clients send it: a JSON number, or a string holding a number, `NaN`, `Infinity` or
/// `-Infinity`.
struct WireDouble: Decodable, Sendable {
    let value: Double

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            value = number
        } else if let text = try? container.decode(String.self), let number = Self.parse(text) {
            value = number
        } else {
            throw DecodingError.typeMismatch(
                Double.self, .init(codingPath: decoder.codingPath, debugDescription: "expected a double (64-bit floating point)"))
        }
    }

    static func parse(_ text: String) -> Double? {
        switch text {
        case "NaN", "nan": return .nan
        case "Infinity", "inf": return .infinity
        case "-Infinity", "-inf": return -.infinity
        default: return Double(text)
        }
    }
}

/// A boolean as a JSON bool or the strings `true`/`false` (GET query parameters).
struct WireBool: Decodable, Sendable {
    let value: Bool

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            value = flag
        } else if let text = try? container.decode(String.self), let flag = Bool(text.lowercased()) {
            value = flag
        } else {
            throw DecodingError.typeMismatch(Bool.self, .init(codingPath: decoder.codingPath, debugDescription: "expected a boolean"))
        }
    }
}

/// A proto enum as MLflow clients send it: by name, or by number (kept as its decimal text).
struct WireEnum: Decodable, Sendable {
    let text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let name = try? container.decode(String.self) {
            text = name
        } else if let number = try? container.decode(Int.self) {
            text = String(number)
        } else {
            throw DecodingError.typeMismatch(String.self, .init(codingPath: decoder.codingPath, debugDescription: "expected an enum name"))
        }
    }
}

/// A string field that some clients send as a number (model version numbers).
struct WireText: Decodable, Sendable {
    let text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self.text = text
        } else if let number = try? container.decode(Int64.self) {
            text = String(number)
        } else {
            throw DecodingError.typeMismatch(String.self, .init(codingPath: decoder.codingPath, debugDescription: "expected a string"))
        }
    }
}
