/// A logged-model attribute that filters and orderings can name.
public enum LoggedModelAttribute: String, Sendable, Hashable, CaseIterable {
    case name
    case modelID = "model_id"
    case modelType = "model_type"
    case status
    case sourceRunID = "source_run_id"
    case creationTimestamp = "creation_timestamp"
    case lastUpdatedTimestamp = "last_updated_timestamp"

    public var isNumeric: Bool { self == .creationTimestamp || self == .lastUpdatedTimestamp }

    init?(searchName: String) {
        switch searchName {
        case "creation_time": self = .creationTimestamp
        case "last_updated_time": self = .lastUpdatedTimestamp
        default: self.init(rawValue: searchName)
        }
    }
}

/// What a logged-model search clause compares.
public enum LoggedModelField: Sendable, Hashable {
    case attribute(LoggedModelAttribute)
    case metric(String)
    case param(String)
    case tag(String)
}

/// A dataset that restricts which model metrics a search looks at.
public struct DatasetReference: Sendable, Hashable {
    public var name: String
    public var digest: String?

    public init(name: String, digest: String?) {
        self.name = name
        self.digest = digest
    }
}

/// A sort key of a logged-model search; metric keys may be read on one dataset.
public struct LoggedModelOrder: Sendable, Hashable {
    public var field: LoggedModelField
    public var ascending: Bool
    public var dataset: DatasetReference?

    public init(field: LoggedModelField, ascending: Bool, dataset: DatasetReference? = nil) {
        self.field = field
        self.ascending = ascending
        self.dataset = dataset
    }
}

/// The logged-model search language of MLflow 3.
public enum LoggedModelSearchGrammar {
    public static let defaultMaxResults = 100
    public static let maximumMaxResults = 50000

    public static func filter(_ text: String?) throws(StewardError) -> [FilterClause<LoggedModelField>] {
        guard let text, !text.allSatisfy(\.isWhitespace) else { return [] }
        return try FilterParser.parse(text).map { clause throws(StewardError) in
            let field = try field(for: clause.field)
            let allowed: Set<FilterComparator>
            let numeric: Bool
            switch field {
            case .metric:
                allowed = FilterComparator.numeric
                numeric = true
            case .attribute(let attribute) where attribute.isNumeric:
                allowed = FilterComparator.numeric
                numeric = true
            case .attribute:
                allowed = FilterComparator.string.union(FilterComparator.membership)
                numeric = false
            case .param, .tag:
                allowed = FilterComparator.string
                numeric = false
            }
            guard allowed.contains(clause.comparator) else {
                throw .invalidParameter(
                    "Invalid comparator '\(clause.comparator.rawValue)' not one of '\(FilterComparator.describe(allowed))' for "
                        + "'\(clause.field.text)'")
            }
            switch clause.value {
            case .number where numeric, .string where !numeric, .strings where !numeric: break
            default:
                throw .invalidParameter(
                    numeric
                        ? "Expected numeric value type for '\(clause.field.text)'"
                        : "Value for '\(clause.field.text)' must be a string in single quotes")
            }
            return FilterClause(field: field, comparator: clause.comparator, value: clause.value)
        }
    }

    /// Resolves an order-by field name such as `creation_timestamp` or `metrics.accuracy`.
    public static func orderField(_ name: String) throws(StewardError) -> LoggedModelField {
        let clause = try FilterParser.parseOrderBy(name)
        return try field(for: clause.field)
    }

    static func field(for identifier: FilterIdentifier) throws(StewardError) -> LoggedModelField {
        switch identifier.prefix {
        case "metric", "metrics": return .metric(identifier.key)
        case "param", "params", "parameter", "parameters": return .param(identifier.key)
        case "tag", "tags": return .tag(identifier.key)
        case nil, "attribute", "attributes", "attr":
            guard let attribute = LoggedModelAttribute(searchName: identifier.key) else {
                throw .invalidParameter("Invalid logged model search key '\(identifier.key)'")
            }
            return .attribute(attribute)
        case let prefix?:
            throw .invalidParameter("Invalid entity type '\(prefix)'. Valid values are ['metric', 'param', 'tag', 'attribute']")
        }
    }
}
