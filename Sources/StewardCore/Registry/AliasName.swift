import Foundation

/// How alias names compare, so that no spelling of a protected alias escapes its protection.
///
/// Two spellings name the same alias when they agree after Unicode compatibility normalisation and case folding
/// (`PRODUCTION`, fullwidth `ｐｒｏｄｕｃｔｉｏｎ`): the policy protects all of them. Another alias is a look-alike
/// when its UTS #39 skeleton (marks and invisible characters removed, every letter replaced by the ASCII prototype
/// it is confusable with, then lowercased) equals the skeleton of the protected alias written in lower, upper or
/// title case:
/// Cyrillic `рrоduсtіоn`, `PRODUCTİON`, `pr0duction`, `PRODUCTlON`, `PRODUCT1ON`, small capitals `ᴘʀᴏᴅᴜᴄᴛɪᴏɴ` or a
/// combining accent on `production`. A reader of `models:/name@рrоduсtіоn` cannot tell it from the protected one,
/// so such aliases are refused rather than left unprotected.
///
/// Prototypes are applied before lowercasing because confusability depends on case: `l` reads as `I` only next to
/// capitals, and `0` as `O`.
public enum AliasName {
    /// The form under which spellings of one alias are equal: compatibility-composed (NFKC) and lowercased.
    public static func key(_ alias: String) -> String {
        alias.precomposedStringWithCompatibilityMapping.lowercased().precomposedStringWithCompatibilityMapping
    }

    /// The skeleton two aliases share when a reader would take one for the other: prototypes applied, then
    /// lowercased, until nothing changes, so that `CHAMPION`'s `I` (read as `l`) and `champion`'s `m` (read as `rn`)
    /// both count whatever case the look-alike mixes.
    public static func skeleton(_ alias: String) -> String {
        var text = alias
        for _ in 0..<4 {
            var mapped = String.UnicodeScalarView()
            for scalar in stripped(text).unicodeScalars {
                if let prototype = prototypes[scalar.value] {
                    mapped.append(contentsOf: prototype.unicodeScalars)
                } else {
                    mapped.append(scalar)
                }
            }
            let next = stripped(String(mapped)).lowercased()
            if next == text { break }
            text = next
        }
        return text
    }

    /// Whether `alias` is a look-alike of `protected` without being a spelling of it.
    public static func imitates(_ alias: String, _ protected: String) -> Bool {
        guard key(alias) != key(protected) else { return false }
        let candidate = skeleton(alias)
        let spellings = [protected, protected.lowercased(), protected.uppercased(), protected.capitalized]
        return spellings.contains { skeleton($0) == candidate }
    }

    /// Compatibility-decomposed and stripped of combining marks and default-ignorable characters (zero-width
    /// joiners, variation selectors), which change nothing a reader sees.
    static func stripped(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.decomposedStringWithCompatibilityMapping.unicodeScalars {
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
