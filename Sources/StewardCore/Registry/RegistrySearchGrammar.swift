/// What a registered-model search clause compares.
public enum RegisteredModelField: Sendable, Hashable {
    case name
    case creationTimestamp
    case lastUpdatedTimestamp
    case tag(String)
}

/// What a model-version search clause compares.
public enum ModelVersionField: Sendable, Hashable {
    case name
    case versionNumber
    case runID
    case sourcePath
    case creationTimestamp
    case lastUpdatedTimestamp
    case tag(String)
}

/// MLflow's search languages for registered models and model versions.
///
/// Tag comparisons with `!=` also match entities that lack the tag: MLflow's clients append
/// `` tags.`mlflow.prompt.is_prompt` != 'true' `` to every model search to leave prompts out, and models that were
/// never tagged must still be found.
public enum RegistrySearchGrammar {
    public static let registeredModelsDefaultMaxResults = 100
    public static let registeredModelsMaximumMaxResults = 1000
    public static let modelVersionsDefaultMaxResults = 10000
    public static let modelVersionsMaximumMaxResults = 200_000

    public static func registeredModelFilter(_ text: String?) throws(StewardError) -> [FilterClause<RegisteredModelField>] {
        guard let text, !text.allSatisfy(\.isWhitespace) else { return [] }
        return try FilterParser.parse(text).map { clause throws(StewardError) in
            let identifier = clause.field
            let field: RegisteredModelField
            switch identifier.prefix {
            case "tag", "tags": field = .tag(identifier.key)
            case nil, "attribute", "attributes", "attr":
                switch identifier.key {
                case "name": field = .name
                case "creation_timestamp": field = .creationTimestamp
                case "last_updated_timestamp", "timestamp": field = .lastUpdatedTimestamp
                default:
                    throw .invalidParameter("Invalid attribute key '\(identifier.key)' specified. Valid keys are 'name' and tags.")
                }
            case let prefix?:
                throw .invalidParameter("Invalid entity type '\(prefix)'. Valid entity types are ['attribute', 'tag']")
            }
            let numeric = field == .creationTimestamp || field == .lastUpdatedTimestamp
            let allowed: Set<FilterComparator> =
                switch field {
                case .name: FilterComparator.string.union(FilterComparator.membership)
                case .tag: FilterComparator.string
                default: FilterComparator.numeric
                }
            try check(clause, allowed: allowed, numeric: numeric)
            return FilterClause(field: field, comparator: clause.comparator, value: clause.value)
        }
    }

    public static func registeredModelOrder(_ texts: [String]) throws(StewardError) -> [OrderClause<RegisteredModelField>] {
        var clauses = try texts.map { text throws(StewardError) in
            let clause = try FilterParser.parseOrderBy(text)
            let field: RegisteredModelField
            switch (clause.field.prefix, clause.field.key) {
            case (nil, "name"), ("attribute", "name"): field = .name
            case (nil, "timestamp"), (nil, "last_updated_timestamp"), ("attribute", "last_updated_timestamp"): field = .lastUpdatedTimestamp
            case (nil, "creation_timestamp"), ("attribute", "creation_timestamp"): field = .creationTimestamp
            default:
                throw .invalidParameter(
                    "Invalid order by key '\(clause.field.text)' specified. Valid keys are 'name', 'timestamp', 'last_updated_timestamp', "
                        + "'creation_timestamp'")
            }
            return OrderClause(field: field, ascending: clause.ascending)
        }
        try refuseDuplicates(clauses.map(\.field), texts)
        if !clauses.contains(where: { $0.field == .name }) { clauses.append(OrderClause(field: .name, ascending: true)) }
        return clauses
    }

    public static func modelVersionFilter(_ text: String?) throws(StewardError) -> [FilterClause<ModelVersionField>] {
        guard let text, !text.allSatisfy(\.isWhitespace) else { return [] }
        return try FilterParser.parse(text).map { clause throws(StewardError) in
            let identifier = clause.field
            let field: ModelVersionField
            switch identifier.prefix {
            case "tag", "tags": field = .tag(identifier.key)
            case nil, "attribute", "attributes", "attr":
                switch identifier.key {
                case "name": field = .name
                case "version_number": field = .versionNumber
                case "run_id": field = .runID
                case "source_path": field = .sourcePath
                case "creation_timestamp": field = .creationTimestamp
                case "last_updated_timestamp": field = .lastUpdatedTimestamp
                default:
                    throw .invalidParameter(
                        "Invalid attribute key '\(identifier.key)' specified. Valid keys are 'name', 'version_number', 'run_id', "
                            + "'source_path' and tags.")
                }
            case let prefix?:
                throw .invalidParameter("Invalid entity type '\(prefix)'. Valid entity types are ['attribute', 'tag']")
            }
            let numeric = field == .versionNumber || field == .creationTimestamp || field == .lastUpdatedTimestamp
            let allowed: Set<FilterComparator> =
                switch field {
                case .name, .runID: FilterComparator.string.union(FilterComparator.membership)
                case .sourcePath, .tag: FilterComparator.string
                default: FilterComparator.numeric
                }
            try check(clause, allowed: allowed, numeric: numeric)
            return FilterClause(field: field, comparator: clause.comparator, value: clause.value)
        }
    }

    /// MLflow's default: most recently updated first, then by name and newest version.
    public static let modelVersionDefaultOrder: [OrderClause<ModelVersionField>] = [
        OrderClause(field: .lastUpdatedTimestamp, ascending: false), OrderClause(field: .name, ascending: true),
        OrderClause(field: .versionNumber, ascending: false),
    ]

    public static func modelVersionOrder(_ texts: [String]) throws(StewardError) -> [OrderClause<ModelVersionField>] {
        guard !texts.isEmpty else { return modelVersionDefaultOrder }
        var clauses = try texts.map { text throws(StewardError) in
            let clause = try FilterParser.parseOrderBy(text)
            guard clause.field.prefix == nil || clause.field.prefix == "attribute" else {
                throw .invalidParameter("Invalid order by key '\(clause.field.text)' specified.")
            }
            let field: ModelVersionField
            switch clause.field.key {
            case "name": field = .name
            case "version_number": field = .versionNumber
            case "creation_timestamp": field = .creationTimestamp
            case "last_updated_timestamp": field = .lastUpdatedTimestamp
            default:
                throw .invalidParameter(
                    "Invalid order by key '\(clause.field.key)' specified. Valid keys are 'name', 'version_number', "
                        + "'creation_timestamp', 'last_updated_timestamp'")
            }
            return OrderClause(field: field, ascending: clause.ascending)
        }
        try refuseDuplicates(clauses.map(\.field), texts)
        if !clauses.contains(where: { $0.field == .name }) { clauses.append(OrderClause(field: .name, ascending: true)) }
        if !clauses.contains(where: { $0.field == .versionNumber }) { clauses.append(OrderClause(field: .versionNumber, ascending: true)) }
        return clauses
    }

    static func refuseDuplicates<Field: Hashable>(_ fields: [Field], _ texts: [String]) throws(StewardError) {
        guard Set(fields).count == fields.count else {
            throw .invalidParameter("`order_by` contains duplicate fields: \(texts)")
        }
    }

    static func check<Field: Sendable & Hashable>(_ clause: FilterClause<Field>, allowed: Set<FilterComparator>, numeric: Bool) throws(StewardError) {
        guard allowed.contains(clause.comparator) else {
            throw .invalidParameter(
                "Invalid comparator '\(clause.comparator.rawValue)' not one of '\(FilterComparator.describe(allowed))'")
        }
        switch clause.value {
        case .number where numeric, .string where !numeric, .strings where !numeric: return
        default:
            throw .invalidParameter(numeric ? "Expected a numeric value in the clause" : "Expected a quoted string value in the clause")
        }
    }
}
