import Foundation

/// The JSON Steward writes for people and programs: every field name in snake case (`systemID` → `system_id`,
/// `pValue` → `p_value`), non-finite numbers as the strings "Infinity", "-Infinity" and "NaN", keys sorted.
///
/// The names of a `[String: …]` dictionary are data (metric, feature, category and flag names) and are written as
/// they are: the key strategy only sees the coding keys of types (swift-foundation's encoder does not pass
/// dictionary keys to it; `SnakeCaseJSONTests` checks this), so a category `iPhone` stays `iPhone`.
public enum SnakeCaseJSON {
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }
}
