import Foundation

/// The JSON Steward writes for people and programs: field names in snake case, except the member names of a
/// `VerbatimDictionary` (metric, feature, category and flag names), which are data; non-finite numbers as the
/// strings "Infinity", "-Infinity" and "NaN".
public enum SnakeCaseJSON {
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .custom { path in
            guard let key = path.last else { return VerbatimKey(stringValue: "") }
            if key is VerbatimKey { return key }
            return VerbatimKey(stringValue: snakeCase(key.stringValue))
        }
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }

    /// `camelCase` as `camel_case`; each capital letter starts a word.
    public static func snakeCase(_ name: String) -> String {
        var result = ""
        for character in name {
            if character.isUppercase {
                if !result.isEmpty { result += "_" }
                result += character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }
}
