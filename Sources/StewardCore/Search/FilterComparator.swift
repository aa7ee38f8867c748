/// A comparison in a search filter.
public enum FilterComparator: String, Sendable, Hashable, CaseIterable {
    case equal = "="
    case notEqual = "!="
    case greater = ">"
    case greaterOrEqual = ">="
    case less = "<"
    case lessOrEqual = "<="
    case like = "LIKE"
    case ilike = "ILIKE"
    case `in` = "IN"
    case notIn = "NOT IN"
    case isNull = "IS NULL"
    case isNotNull = "IS NOT NULL"

    /// Comparators that order numbers.
    public static let numeric: Set<FilterComparator> = [.equal, .notEqual, .greater, .greaterOrEqual, .less, .lessOrEqual]
    /// Comparators that match strings.
    public static let string: Set<FilterComparator> = [.equal, .notEqual, .like, .ilike]
    /// Comparators that test for presence.
    public static let presence: Set<FilterComparator> = [.isNull, .isNotNull]
    /// Comparators that test membership of a list.
    public static let membership: Set<FilterComparator> = [.in, .notIn]

    /// The comparators written in `set`, in a stable order, for error messages.
    static func describe(_ set: Set<FilterComparator>) -> String {
        "[" + allCases.filter(set.contains).map { "'\($0.rawValue)'" }.joined(separator: ", ") + "]"
    }
}

/// The right-hand side of a filter clause.
public enum FilterValue: Sendable, Hashable {
    case string(String)
    case number(Double)
    case strings([String])
    case none

    /// The value as a string for string comparisons, or nil when it is not a quoted string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }
}

/// One condition of a search filter, over a domain-specific field type.
public struct FilterClause<Field: Sendable & Hashable>: Sendable, Hashable {
    public var field: Field
    public var comparator: FilterComparator
    public var value: FilterValue

    public init(field: Field, comparator: FilterComparator, value: FilterValue) {
        self.field = field
        self.comparator = comparator
        self.value = value
    }
}

/// A sort key of a search, over a domain-specific field type.
public struct OrderClause<Field: Sendable & Hashable>: Sendable, Hashable {
    public var field: Field
    public var ascending: Bool

    public init(field: Field, ascending: Bool) {
        self.field = field
        self.ascending = ascending
    }
}
