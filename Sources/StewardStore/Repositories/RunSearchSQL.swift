import SQLKit
import StewardCore

/// Translates a run search (typed filter and order clauses) into one SQL statement with every user value bound.
///
/// Metric, param and tag comparisons become inner joins on the entity's `(run_uuid, key)` row, so the engine can
/// drive the query from whichever index is most selective (a metric threshold, a param value) instead of probing
/// every run. Sort keys join with a LEFT JOIN (or reuse the filter's join) and order missing values last, and
/// NaN metrics after numbers and before missing ones, in either direction, as MLflow does.
struct RunSearchSQL {
    let query: RunQuery
    let experimentIDs: [Int64]

    private static let columns =
        "r.run_uuid, r.experiment_id, r.name, r.user_id, r.status, r.start_time, r.end_time, r.lifecycle_stage, r.artifact_uri"

    func statement() -> SQLQueryString {
        var joins: [SQLQueryString] = []
        var conditions: [SQLQueryString] = []
        // Alias of the inner join already filtering each (table, key), reused for sorting; a metric join whose
        // comparison excludes NaN is recorded as such, so sorting on it needs no NaN or missing-value handling.
        var filterJoins: [String: String] = [:]
        var numericJoins = Set<String>()
        // Every joined row belongs to its run's experiment; saying so lets the engine read only the searched
        // experiments' part of each (experiment_id, key, value) index.
        let experimentScope: SQLQueryString = experimentIDs.isEmpty ? "1 = 0" : "IN (\(binds: experimentIDs))"
        func joinCondition(_ alias: String, _ key: String) -> SQLQueryString {
            "\(unsafeRaw: alias).run_uuid = r.run_uuid AND \(unsafeRaw: alias).experiment_id \(experimentScope) AND \(unsafeRaw: alias).key = \(bind: key)"
        }
        var aliasCount = 0
        func nextAlias() -> String {
            aliasCount += 1
            return "j\(aliasCount)"
        }

        conditions.append(experimentIDs.isEmpty ? "1 = 0" : "r.experiment_id IN (\(binds: experimentIDs))")
        conditions.append("r.lifecycle_stage IN (\(binds: query.viewType.stages.map(\.rawValue)))")

        for clause in query.filter {
            switch clause.field {
            case .metric(let key):
                let alias = nextAlias()
                joins.append("JOIN latest_metrics \(unsafeRaw: alias) ON \(joinCondition(alias, key))")
                conditions.append(Self.metricCondition(alias: alias, clause.comparator, clause.value))
                if filterJoins["latest_metrics/\(key)"] == nil || clause.comparator != .notEqual {
                    filterJoins["latest_metrics/\(key)"] = alias
                    if clause.comparator != .notEqual { numericJoins.insert(alias) }
                }
            case .param(let key), .tag(let key):
                let table = if case .param = clause.field { "params" } else { "tags" }
                if clause.comparator == .isNull || clause.comparator == .isNotNull {
                    let exists: SQLQueryString = "EXISTS (SELECT 1 FROM \(unsafeRaw: table) x WHERE x.run_uuid = r.run_uuid AND x.key = \(bind: key))"
                    conditions.append(clause.comparator == .isNull ? "NOT \(exists)" : exists)
                    continue
                }
                let alias = nextAlias()
                joins.append("JOIN \(unsafeRaw: table) \(unsafeRaw: alias) ON \(joinCondition(alias, key))")
                conditions.append(SQLComparison.string(column: "\(alias).value", clause.comparator, clause.value))
                filterJoins["\(table)/\(key)"] = filterJoins["\(table)/\(key)"] ?? alias
            case .attribute(let attribute):
                let column = "r." + Self.column(for: attribute)
                if attribute.isNumeric {
                    conditions.append(SQLComparison.number(column: column, clause.comparator, clause.value))
                } else {
                    conditions.append(SQLComparison.string(column: column, clause.comparator, clause.value))
                }
            case .dataset(let attribute):
                conditions.append(Self.datasetCondition(attribute, clause.comparator, clause.value))
            }
        }

        var order: [SQLQueryString] = []
        var ordersByStart = false
        var ordersByID = false
        for clause in query.orderBy {
            let direction = clause.ascending ? "ASC" : "DESC"
            switch clause.field {
            case .metric(let key):
                let alias = filterJoins["latest_metrics/\(key)"] ?? nextAlias()
                if filterJoins["latest_metrics/\(key)"] == nil {
                    joins.append("LEFT JOIN latest_metrics \(unsafeRaw: alias) ON \(joinCondition(alias, key))")
                }
                if numericJoins.contains(alias) {
                    order.append("\(unsafeRaw: alias).value \(unsafeRaw: direction)")
                } else {
                    order.append(
                        """
                        CASE WHEN \(unsafeRaw: alias).is_nan = 1 THEN 1 WHEN \(unsafeRaw: alias).value IS NULL THEN 2 ELSE 0 END, \
                        \(unsafeRaw: alias).value \(unsafeRaw: direction)
                        """)
                }
            case .param(let key), .tag(let key):
                let table = if case .param = clause.field { "params" } else { "tags" }
                if let alias = filterJoins["\(table)/\(key)"] {
                    order.append("\(unsafeRaw: alias).value \(unsafeRaw: direction)")
                } else {
                    let alias = nextAlias()
                    joins.append("LEFT JOIN \(unsafeRaw: table) \(unsafeRaw: alias) ON \(joinCondition(alias, key))")
                    order.append("CASE WHEN \(unsafeRaw: alias).value IS NULL THEN 1 ELSE 0 END, \(unsafeRaw: alias).value \(unsafeRaw: direction)")
                }
            case .attribute(let attribute):
                let column = "r." + Self.column(for: attribute)
                order.append("CASE WHEN \(unsafeRaw: column) IS NULL THEN 1 ELSE 0 END, \(unsafeRaw: column) \(unsafeRaw: direction)")
                if attribute == .startTime { ordersByStart = true }
                if attribute == .runID { ordersByID = true }
            case .dataset:
                continue
            }
        }
        if !ordersByStart { order.append("r.start_time DESC") }
        if !ordersByID { order.append("r.run_uuid ASC") }

        let from: SQLQueryString = joins.isEmpty ? "runs r" : "runs r " + joins.joined(separator: " ")
        return """
            SELECT \(unsafeRaw: Self.columns) FROM \(from)
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY \(order.joined(separator: ", "))
            LIMIT \(literal: query.maxResults + 1) OFFSET \(literal: query.page.offset)
            """
    }

    static func column(for attribute: RunAttribute) -> String {
        switch attribute {
        case .runID: "run_uuid"
        case .runName: "name"
        case .userID: "user_id"
        case .status: "status"
        case .startTime: "start_time"
        case .endTime: "end_time"
        case .artifactURI: "artifact_uri"
        }
    }

    /// A comparison on a latest metric value: NaN satisfies only `!=`, as in IEEE arithmetic.
    static func metricCondition(alias: String, _ comparator: FilterComparator, _ value: FilterValue) -> SQLQueryString {
        let comparison = SQLComparison.number(column: "\(alias).value", comparator, value)
        if comparator == .notEqual {
            return "(\(unsafeRaw: alias).is_nan = 1 OR \(comparison))"
        }
        return "(\(unsafeRaw: alias).is_nan = 0 AND \(comparison))"
    }

    static func datasetCondition(_ attribute: DatasetAttribute, _ comparator: FilterComparator, _ value: FilterValue) -> SQLQueryString {
        switch attribute {
        case .name, .digest:
            let match = SQLComparison.string(column: "d.\(attribute.rawValue)", comparator, value)
            return """
                EXISTS (SELECT 1 FROM run_dataset_inputs i JOIN datasets d ON d.dataset_uuid = i.dataset_uuid \
                WHERE i.run_uuid = r.run_uuid AND \(match))
                """
        case .context:
            let match = SQLComparison.string(column: "t.value", comparator, value)
            return """
                EXISTS (SELECT 1 FROM run_dataset_input_tags t WHERE t.run_uuid = r.run_uuid \
                AND t.key = 'mlflow.data.context' AND \(match))
                """
        }
    }
}
