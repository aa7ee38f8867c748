/// An experiment attribute that filters and order-by clauses can name.
public enum ExperimentAttribute: String, Sendable, Hashable, CaseIterable {
    case name
    case experimentID = "experiment_id"
    case creationTime = "creation_time"
    case lastUpdateTime = "last_update_time"

    public var isNumeric: Bool { self == .creationTime || self == .lastUpdateTime }
}

/// What an experiment-search clause compares: an attribute or a tag.
public enum ExperimentField: Sendable, Hashable {
    case attribute(ExperimentAttribute)
    case tag(String)
}

/// The experiment-search language of MLflow.
public enum ExperimentSearchGrammar {
    public static let defaultMaxResults = 1000
    public static let maximumMaxResults = 50000

    /// MLflow's default order: newest first, then by id.
    public static let defaultOrder: [OrderClause<ExperimentField>] = [
        OrderClause(field: .attribute(.creationTime), ascending: false),
        OrderClause(field: .attribute(.experimentID), ascending: true),
    ]

    public static func filter(_ text: String?) throws(StewardError) -> [FilterClause<ExperimentField>] {
        guard let text, !text.allSatisfy(\.isWhitespace) else { return [] }
        return try FilterParser.parse(text).map { clause throws(StewardError) in try resolve(clause) }
    }

    /// The requested order, or the default one; an `experiment_id` tie-breaker (descending, as MLflow does) is
    /// appended when the order does not already name it.
    public static func orderBy(_ texts: [String]) throws(StewardError) -> [OrderClause<ExperimentField>] {
        var clauses =
            texts.isEmpty
            ? defaultOrder
            : try texts.map { text throws(StewardError) in
                let clause = try FilterParser.parseOrderBy(text)
                let field = try field(for: clause.field)
                guard case .attribute = field else {
                    throw .invalidParameter("Invalid order_by entity: tag")
                }
                return OrderClause(field: field, ascending: clause.ascending)
            }
        if !clauses.contains(where: { $0.field == .attribute(.experimentID) }) {
            clauses.append(OrderClause(field: .attribute(.experimentID), ascending: false))
        }
        return clauses
    }

    static func field(for identifier: FilterIdentifier) throws(StewardError) -> ExperimentField {
        switch identifier.prefix {
        case "tag", "tags": return .tag(identifier.key)
        case nil, "attribute":
            guard let attribute = ExperimentAttribute(rawValue: identifier.key) else {
                let valid = ExperimentAttribute.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
                throw .invalidParameter("Invalid attribute key '\(identifier.key)' specified. Valid keys are \(valid)")
            }
            return .attribute(attribute)
        case let prefix?:
            throw .invalidParameter("Invalid entity type '\(prefix)'. Valid entity types are ('attribute', 'tag', 'tags')")
        }
    }

    static func resolve(_ clause: FilterClause<FilterIdentifier>) throws(StewardError) -> FilterClause<ExperimentField> {
        let field = try field(for: clause.field)
        let allowed: Set<FilterComparator>
        let numeric: Bool
        switch field {
        case .tag:
            allowed = FilterComparator.string.union(FilterComparator.presence)
            numeric = false
        case .attribute(let attribute) where attribute.isNumeric:
            allowed = FilterComparator.numeric
            numeric = true
        case .attribute(let attribute):
            allowed = attribute == .experimentID ? FilterComparator.string.union(FilterComparator.membership) : FilterComparator.string
            numeric = false
        }
        guard allowed.contains(clause.comparator) else {
            if FilterComparator.presence.contains(clause.comparator) {
                throw .invalidParameter("IS NULL / IS NOT NULL is only supported for tags, not for attribute '\(clause.field.key)'")
            }
            throw .invalidParameter(
                "Invalid comparator '\(clause.comparator.rawValue)' not one of '\(FilterComparator.describe(allowed))' "
                    + "for '\(clause.field.key)'")
        }
        switch clause.value {
        case .none, .strings: break
        case .number where numeric: break
        case .string where !numeric: break
        case .number, .string:
            throw .invalidParameter(
                numeric
                    ? "Expected numeric value type for attribute '\(clause.field.key)'"
                    : "Value for '\(clause.field.key)' must be a string in single quotes")
        }
        return FilterClause(field: field, comparator: clause.comparator, value: clause.value)
    }
}
