import Foundation

/// How alias names compare, so that no spelling of a protected alias escapes its protection.
///
/// Two spellings name the same alias when they agree after Unicode compatibility normalisation and case folding
/// (`PRODUCTION`, fullwidth `ｐｒｏｄｕｃｔｉｏｎ`): the policy protects all of them. Another alias is a look-alike
/// when its UTS #39 skeleton (marks removed, case folded, every letter replaced by the ASCII prototype it is
/// confusable with) equals a protected alias's: Cyrillic `рrоduсtіоn`, `PRODUCTİON`, `pr0duction` or a combining
/// accent on `production`. A reader of `models:/name@рrоduсtіоn` cannot tell it from the protected one, so such
/// aliases are refused rather than left unprotected.
public enum AliasName {
    /// The form under which spellings of one alias are equal: compatibility-composed (NFKC) and lowercased.
    public static func key(_ alias: String) -> String {
        alias.precomposedStringWithCompatibilityMapping.lowercased().precomposedStringWithCompatibilityMapping
    }

    /// The skeleton two aliases share when a reader would take one for the other.
    public static func skeleton(_ alias: String) -> String {
        var mapped = String.UnicodeScalarView()
        for scalar in folded(alias).unicodeScalars {
            if let prototype = prototypes[scalar.value] {
                mapped.append(contentsOf: prototype.unicodeScalars)
            } else {
                mapped.append(scalar)
            }
        }
        return folded(String(mapped))
    }

    /// Whether `alias` is a look-alike of `protected` without being a spelling of it.
    public static func imitates(_ alias: String, _ protected: String) -> Bool {
        key(alias) != key(protected) && skeleton(alias) == skeleton(protected)
    }

    /// Decomposed, lowercased and stripped of combining marks.
    static func folded(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.decomposedStringWithCompatibilityMapping.lowercased().decomposedStringWithCompatibilityMapping.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark: continue
            default:
                if scalar.properties.isDefaultIgnorableCodePoint { continue }
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// `confusableLetters` read once into a table.
    static let prototypes: [UInt32: String] = {
        var table: [UInt32: String] = [:]
        for line in confusableLetters.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2, let code = UInt32(fields[0], radix: 16) { table[code] = String(fields[1]) }
        }
        return table
    }()
}
