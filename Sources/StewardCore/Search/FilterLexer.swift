/// A token of the search-filter language.
enum FilterToken: Sendable, Equatable {
    case identifier(FilterIdentifier)
    /// A single-quoted string literal, unescaped.
    case string(String)
    /// A double-quoted word standing alone: a quoted identifier, never a value.
    case doubleQuoted(String)
    case number(Double, text: String)
    case comparison(String)
    case keyword(FilterKeyword)
    case leftParenthesis
    case rightParenthesis
    case comma

    /// The token as it would be written, for error messages.
    var text: String {
        switch self {
        case .identifier(let identifier): identifier.text
        case .string(let value): "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
        case .doubleQuoted(let value): "\"\(value)\""
        case .number(_, let text): text
        case .comparison(let op): op
        case .keyword(let keyword): keyword.rawValue
        case .leftParenthesis: "("
        case .rightParenthesis: ")"
        case .comma: ","
        }
    }
}

/// Reserved words of the filter language (matched case-insensitively).
enum FilterKeyword: String, Sendable, Equatable, CaseIterable {
    case and = "AND"
    case or = "OR"
    case like = "LIKE"
    case ilike = "ILIKE"
    case `in` = "IN"
    case not = "NOT"
    case `is` = "IS"
    case null = "NULL"
    case asc = "ASC"
    case desc = "DESC"
}

/// Splits a filter or order-by string into tokens.
///
/// Identifiers are an optional prefix and a key joined by the first dot; each part may be quoted with backticks
/// or double quotes, so keys may hold spaces, dots and dashes. String values take single quotes (`''` escapes a
/// quote); numbers may be signed and use exponents.
struct FilterLexer {
    private let scalars: [Unicode.Scalar]
    private var index = 0

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    static func tokenize(_ text: String) throws(StewardError) -> [FilterToken] {
        var lexer = FilterLexer(text)
        var tokens: [FilterToken] = []
        while let token = try lexer.next() {
            tokens.append(token)
        }
        return tokens
    }

    private var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    private func peek(_ offset: Int) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    private static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", ".", ":", "/", "$", "@": true
        default: scalar.value > 127 && !scalar.properties.isWhitespace
        }
    }

    private static func isDigit(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        return ("0"..."9").contains(scalar)
    }

    mutating func next() throws(StewardError) -> FilterToken? {
        while let scalar = current, scalar.properties.isWhitespace { index += 1 }
        guard let scalar = current else { return nil }
        switch scalar {
        case "(":
            index += 1
            return .leftParenthesis
        case ")":
            index += 1
            return .rightParenthesis
        case ",":
            index += 1
            return .comma
        case "'":
            return .string(try readQuoted(closing: "'"))
        case "=", "!", "<", ">":
            return .comparison(readOperator())
        case "-", "+":
            if Self.isDigit(peek(1)) || (peek(1) == "." && Self.isDigit(peek(2))) { return try readNumber() }
            index += 1
            return .comparison(String(scalar))
        case "0"..."9":
            return try readNumber()
        case "." where Self.isDigit(peek(1)):
            return try readNumber()
        case "\"":
            let start = index
            let word = try readQuoted(closing: "\"")
            if let next = current, next == "." || next == "`" || Self.isWordScalar(next) {
                index = start
                return .identifier(try readIdentifier())
            }
            return .doubleQuoted(word)
        default:
            if scalar == "`" || Self.isWordScalar(scalar) {
                let identifier = try readIdentifier()
                if identifier.prefix == nil, !identifier.keyWasQuoted,
                    let keyword = FilterKeyword(rawValue: identifier.key.uppercased())
                {
                    return .keyword(keyword)
                }
                return .identifier(identifier)
            }
            throw StewardError.invalidParameter("Invalid character '\(scalar)' in search expression")
        }
    }

    private mutating func readOperator() -> String {
        var op = ""
        while let scalar = current, "=!<>".unicodeScalars.contains(scalar) {
            op.unicodeScalars.append(scalar)
            index += 1
        }
        return op
    }

    private mutating func readNumber() throws(StewardError) -> FilterToken {
        var text = ""
        if let sign = current, sign == "-" || sign == "+" {
            text.unicodeScalars.append(sign)
            index += 1
        }
        while let scalar = current,
            Self.isDigit(scalar) || scalar == "." || scalar == "e" || scalar == "E"
                || ((scalar == "-" || scalar == "+") && (text.last == "e" || text.last == "E"))
        {
            text.unicodeScalars.append(scalar)
            index += 1
        }
        if let scalar = current, Self.isWordScalar(scalar) {
            while let scalar = current, Self.isWordScalar(scalar) {
                text.unicodeScalars.append(scalar)
                index += 1
            }
            throw StewardError.invalidParameter("Invalid number '\(text)' in search expression")
        }
        guard let value = Double(text) else {
            throw StewardError.invalidParameter("Invalid number '\(text)' in search expression")
        }
        return .number(value, text: text)
    }

    /// Reads a quoted run starting at the opening quote; a doubled closing quote stands for one quote.
    private mutating func readQuoted(closing: Unicode.Scalar) throws(StewardError) -> String {
        let start = index
        index += 1
        var value = ""
        while let scalar = current {
            index += 1
            if scalar == closing {
                if current == closing {
                    value.unicodeScalars.append(closing)
                    index += 1
                    continue
                }
                return value
            }
            value.unicodeScalars.append(scalar)
        }
        let fragment = String(String.UnicodeScalarView(scalars[start...]))
        throw StewardError.invalidParameter("Unterminated quoted string in search expression: \(fragment)")
    }

    /// Reads an identifier made of plain, backtick-quoted and double-quoted segments written without spaces.
    private mutating func readIdentifier() throws(StewardError) -> FilterIdentifier {
        let start = index
        // Segments in order, each with whether it was quoted.
        var segments: [(text: String, quoted: Bool)] = []
        while let scalar = current {
            if scalar == "`" || scalar == "\"" {
                segments.append((try readQuoted(closing: scalar), true))
            } else if Self.isWordScalar(scalar) {
                var word = ""
                while let scalar = current, Self.isWordScalar(scalar) {
                    word.unicodeScalars.append(scalar)
                    index += 1
                }
                segments.append((word, false))
            } else {
                break
            }
        }
        let text = String(String.UnicodeScalarView(scalars[start..<index]))
        // The prefix ends at the first dot of the first, unquoted segment.
        guard let first = segments.first, !first.quoted, let dot = first.text.firstIndex(of: ".") else {
            let key = segments.map(\.text).joined()
            return FilterIdentifier(prefix: nil, key: key, text: text, keyWasQuoted: segments.contains { $0.quoted })
        }
        let prefix = String(first.text[..<dot]).lowercased()
        var rest = segments
        rest[0].text = String(first.text[first.text.index(after: dot)...])
        if rest[0].text.isEmpty { rest.removeFirst() }
        let key = rest.map(\.text).joined()
        return FilterIdentifier(prefix: prefix, key: key, text: text, keyWasQuoted: rest.contains { $0.quoted })
    }
}
