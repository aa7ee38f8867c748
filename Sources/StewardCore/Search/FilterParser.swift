/// Parses the MLflow search-filter language into clauses over identifiers as written; each search domain
/// (runs, experiments, …) then resolves identifiers to its own typed fields.
///
/// Grammar: `clause (AND clause)*`, where a clause is `identifier comparator value`,
/// `identifier [NOT] IN ('a', 'b')` or `identifier IS [NOT] NULL`. `OR` and parentheses around clauses are
/// not part of the language.
public enum FilterParser {
    /// The most clauses a filter may hold; each can become a join, and databases limit those.
    public static let maximumClauses = 50
    /// The most values an `IN` list may hold.
    public static let maximumListValues = 1000

    public static func parse(_ filter: String) throws(StewardError) -> [FilterClause<FilterIdentifier>] {
        let tokens = try FilterLexer.tokenize(filter)
        var clauses: [FilterClause<FilterIdentifier>] = []
        var position = 0

        func invalid(_ from: Int) -> StewardError {
            let fragment = tokens[min(from, tokens.count)...].map { "'\($0.text)'" }.joined(separator: ", ")
            return .invalidParameter("Invalid clause(s) in filter string: \(fragment)")
        }

        while position < tokens.count {
            let clauseStart = position
            let identifier: FilterIdentifier
            switch tokens[position] {
            case .identifier(let value): identifier = value
            case .doubleQuoted(let key): identifier = FilterIdentifier(prefix: nil, key: key, text: "\"\(key)\"", keyWasQuoted: true)
            default: throw invalid(clauseStart)
            }
            position += 1
            guard position < tokens.count else { throw invalid(clauseStart) }

            let comparator: FilterComparator
            switch tokens[position] {
            case .comparison(let op):
                guard let parsed = FilterComparator(rawValue: op), FilterComparator.numeric.contains(parsed) else {
                    throw .invalidParameter(
                        "Invalid comparator '\(op)' in clause '\(identifier.text) \(op)'. Valid comparators are "
                            + FilterComparator.describe(FilterComparator.numeric.union(FilterComparator.string)))
                }
                comparator = parsed
                position += 1
            case .keyword(.like):
                comparator = .like
                position += 1
            case .keyword(.ilike):
                comparator = .ilike
                position += 1
            case .keyword(.in):
                comparator = .in
                position += 1
            case .keyword(.not) where position + 1 < tokens.count && tokens[position + 1] == .keyword(.in):
                comparator = .notIn
                position += 2
            case .keyword(.is):
                if position + 1 < tokens.count, tokens[position + 1] == .keyword(.null) {
                    comparator = .isNull
                    position += 2
                } else if position + 2 < tokens.count, tokens[position + 1] == .keyword(.not),
                    tokens[position + 2] == .keyword(.null)
                {
                    comparator = .isNotNull
                    position += 3
                } else {
                    throw invalid(clauseStart)
                }
            default:
                throw invalid(clauseStart)
            }

            let value: FilterValue
            switch comparator {
            case .isNull, .isNotNull:
                value = .none
            case .in, .notIn:
                guard position < tokens.count, tokens[position] == .leftParenthesis else {
                    throw .invalidParameter(
                        "While parsing a list in the query, expected a non-empty list of string values in parentheses, "
                            + "but got \(position < tokens.count ? "'\(tokens[position].text)'" : "nothing")")
                }
                position += 1
                var items: [String] = []
                while true {
                    guard position < tokens.count else { throw invalid(clauseStart) }
                    let item: String
                    switch tokens[position] {
                    case .string(let text), .doubleQuoted(let text): item = text
                    default:
                        throw .invalidParameter(
                            "While parsing a list in the query, expected string value, punctuation, or whitespace, "
                                + "but got '\(tokens[position].text)'")
                    }
                    items.append(item)
                    position += 1
                    guard position < tokens.count else { throw invalid(clauseStart) }
                    if tokens[position] == .comma {
                        position += 1
                        continue
                    }
                    guard tokens[position] == .rightParenthesis else { throw invalid(clauseStart) }
                    position += 1
                    break
                }
                value = .strings(items)
            default:
                guard position < tokens.count else { throw invalid(clauseStart) }
                switch tokens[position] {
                // MLflow takes a double-quoted word in value position as a string too.
                case .string(let text), .doubleQuoted(let text): value = .string(text)
                case .number(let number, _): value = .number(number)
                default:
                    throw invalid(clauseStart)
                }
                position += 1
            }
            if case .strings(let items) = value, items.count > maximumListValues {
                throw .invalidParameter("An IN list may hold at most \(maximumListValues) values; got \(items.count).")
            }
            if comparator == .like || comparator == .ilike, case .string(let pattern) = value,
                pattern.reversed().prefix(while: { $0 == "\\" }).count % 2 == 1
            {
                throw .invalidParameter(
                    "The \(comparator.rawValue) pattern '\(pattern)' ends with an escape character (\\); write \\\\ for a literal backslash.")
            }
            clauses.append(FilterClause(field: identifier, comparator: comparator, value: value))
            guard clauses.count <= maximumClauses else {
                throw .invalidParameter("A filter may hold at most \(maximumClauses) clauses.")
            }

            guard position < tokens.count else { break }
            switch tokens[position] {
            case .keyword(.and):
                position += 1
                guard position < tokens.count else { throw invalid(clauseStart) }
            case .keyword(.or):
                throw .invalidParameter(
                    "Invalid clause(s) in filter string: 'OR' is not supported; clauses can only be joined with 'AND'")
            default:
                throw invalid(position)
            }
        }
        return clauses
    }

    /// Parses one order-by entry such as ``metrics.`m` DESC`` into an identifier and a direction.
    public static func parseOrderBy(_ orderBy: String) throws(StewardError) -> OrderClause<FilterIdentifier> {
        let failure = StewardError.invalidParameter("Invalid order_by clause '\(orderBy)'. Could not be parsed.")
        let tokens: [FilterToken]
        do { tokens = try FilterLexer.tokenize(orderBy) } catch { throw failure }
        let identifier: FilterIdentifier
        switch tokens.first {
        case .identifier(let value): identifier = value
        case .doubleQuoted(let key): identifier = FilterIdentifier(prefix: nil, key: key, text: "\"\(key)\"", keyWasQuoted: true)
        default: throw failure
        }
        switch tokens.count {
        case 1: return OrderClause(field: identifier, ascending: true)
        case 2 where tokens[1] == .keyword(.asc): return OrderClause(field: identifier, ascending: true)
        case 2 where tokens[1] == .keyword(.desc): return OrderClause(field: identifier, ascending: false)
        default: throw failure
        }
    }
}
