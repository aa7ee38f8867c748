/// A run attribute that filters and order-by clauses can name.
public enum RunAttribute: String, Sendable, Hashable, CaseIterable {
    case runID = "run_id"
    case runName = "run_name"
    case userID = "user_id"
    case status
    case startTime = "start_time"
    case endTime = "end_time"
    case artifactURI = "artifact_uri"

    public var isNumeric: Bool { self == .startTime || self == .endTime }

    /// Resolves a name as written in a filter, including MLflow's aliases (`created`, `` `run name` ``).
    init?(searchName name: String) {
        switch name {
        case "created", "Created": self = .startTime
        case "run name", "Run name", "Run Name": self = .runName
        default: self.init(rawValue: name)
        }
    }
}

/// A property of the datasets a run used.
public enum DatasetAttribute: String, Sendable, Hashable, CaseIterable {
    case name
    case digest
    case context
}

/// What a run-search clause compares: the latest value of a metric, a param, a tag, a run attribute, or a
/// property of one of the run's dataset inputs.
public enum RunField: Sendable, Hashable {
    case metric(String)
    case param(String)
    case tag(String)
    case attribute(RunAttribute)
    case dataset(DatasetAttribute)
}

/// The run-search language of MLflow: resolves parsed clauses to typed fields and checks each comparator and
/// value against the field's type.
public enum RunSearchGrammar {
    public static let defaultMaxResults = 1000
    public static let maximumMaxResults = 50000

    public static func filter(_ text: String?) throws(StewardError) -> [FilterClause<RunField>] {
        guard let text, !text.allSatisfy(\.isWhitespace) else { return [] }
        return try FilterParser.parse(text).map { clause throws(StewardError) in try resolve(clause) }
    }

    /// The most order-by keys a search may name.
    public static let maximumOrderKeys = 20

    public static func orderBy(_ texts: [String]) throws(StewardError) -> [OrderClause<RunField>] {
        guard texts.count <= maximumOrderKeys else {
            throw .invalidParameter("order_by may name at most \(maximumOrderKeys) keys; got \(texts.count).")
        }
        return try texts.map { text throws(StewardError) in
            let clause = try FilterParser.parseOrderBy(text)
            let field = try field(for: clause.field, forOrdering: true, clauseText: text)
            if case .dataset = field {
                throw .invalidParameter("Invalid order_by clause '\(text)'. Datasets cannot be used for ordering.")
            }
            return OrderClause(field: field, ascending: clause.ascending)
        }
    }

    static func field(for identifier: FilterIdentifier, forOrdering: Bool, clauseText: String) throws(StewardError) -> RunField {
        let key = identifier.key
        switch identifier.prefix {
        case "metric", "metrics": return .metric(key)
        case "param", "params", "parameter", "parameters": return .param(key)
        case "tag", "tags": return .tag(key)
        case "dataset", "datasets":
            guard let attribute = DatasetAttribute(rawValue: key) else {
                throw .invalidParameter(
                    "Invalid dataset key '\(key)'. Valid dataset keys are "
                        + DatasetAttribute.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", "))
            }
            return .dataset(attribute)
        case nil, "attribute", "attributes", "attr", "run":
            guard let attribute = RunAttribute(searchName: key) else {
                let valid = RunAttribute.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
                throw .invalidParameter("Invalid attribute key '\(key)' specified. Valid keys are \(valid), 'created'")
            }
            return .attribute(attribute)
        case let prefix?:
            if forOrdering {
                throw .invalidParameter(
                    "Invalid order_by clause '\(clauseText)'. Entity type '\(prefix)' is not one of metrics, params, tags or attributes.")
            }
            throw .invalidParameter(
                "Invalid entity type '\(prefix)'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']")
        }
    }

    static func resolve(_ clause: FilterClause<FilterIdentifier>) throws(StewardError) -> FilterClause<RunField> {
        let identifier = clause.field
        let field = try field(for: identifier, forOrdering: false, clauseText: identifier.text)
        let comparator = clause.comparator
        let allowed: Set<FilterComparator>
        let kind: String
        switch field {
        case .metric:
            allowed = FilterComparator.numeric
            kind = "metric"
        case .param:
            allowed = FilterComparator.string.union(FilterComparator.presence)
            kind = "param"
        case .tag:
            allowed = FilterComparator.string.union(FilterComparator.presence)
            kind = "tag"
        case .attribute(let attribute) where attribute.isNumeric:
            allowed = FilterComparator.numeric
            kind = "numeric attribute"
        case .attribute(let attribute):
            allowed = attribute == .runID ? FilterComparator.string.union(FilterComparator.membership) : FilterComparator.string
            kind = "string attribute"
        case .dataset:
            allowed = FilterComparator.string.union(FilterComparator.membership)
            kind = "dataset attribute"
        }
        guard allowed.contains(comparator) else {
            throw .invalidParameter(
                "Invalid comparator '\(comparator.rawValue)' not one of '\(FilterComparator.describe(allowed))' for \(kind) "
                    + "'\(identifier.key)'")
        }
        switch (comparator, clause.value) {
        case (.isNull, _), (.isNotNull, _):
            break
        case (.in, .strings), (.notIn, .strings):
            break
        case (_, .number) where kind == "metric" || kind == "numeric attribute":
            break
        case (_, .string) where kind != "metric" && kind != "numeric attribute":
            break
        case (_, let value):
            if kind == "metric" || kind == "numeric attribute" {
                throw .invalidParameter("Expected numeric value type for \(kind) '\(identifier.key)'. Found \(describe(value))")
            }
            throw .invalidParameter(
                "Value \(describe(value)) for \(kind) '\(identifier.key)' must be a string in single quotes")
        }
        return FilterClause(field: field, comparator: comparator, value: clause.value)
    }

    private static func describe(_ value: FilterValue) -> String {
        switch value {
        case .string(let text): "'\(text)'"
        case .number(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .strings(let items): "(" + items.map { "'\($0)'" }.joined(separator: ", ") + ")"
        case .none: "NULL"
        }
    }
}
