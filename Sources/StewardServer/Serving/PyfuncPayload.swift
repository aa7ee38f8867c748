import Foundation
import StewardCore
import StewardJSON

/// A scoring request in MLflow's pyfunc protocol, as `mlflow models serve` reads it: a JSON object with exactly
/// one of `dataframe_split`, `dataframe_records`, `instances` or `inputs`, and optionally `params`. The body is
/// forwarded as it came; this reads it only to refuse what the model server would refuse (before any model is
/// called) and to take the rows' features for the inference events.
struct PyfuncPayload: Sendable {
    static let inputFields = ["dataframe_split", "dataframe_records", "instances", "inputs"]
    /// Rows beyond this many in one request are served but not recorded one by one.
    static let recordedRows = 1000

    /// Each row's features by column name (positional columns are named "0", "1", …).
    let rows: [[String: FeatureValue]]

    init(_ body: Data) throws(StewardError) {
        let value: JSONValue
        switch JSONValue.decode(body) {
        case .success(let decoded): value = decoded
        case .failure(let problem): throw .invalidParameter("The request body is not valid JSON: \(problem.message).")
        }
        guard case .object(let members) = value else {
            throw Self.shape("the body is not a JSON object")
        }
        let given = Self.inputFields.filter { members[$0] != nil }
        guard given.count == 1, let field = given.first, let input = members[field] else {
            throw Self.shape(given.isEmpty ? "it has none of them" : "it has \(given.joined(separator: " and "))")
        }
        if let unknown = Self.firstUnknown(members.keys, known: { $0 == field || $0 == "params" }) {
            throw .invalidParameter("Unknown field '\(unknown)' in the scoring request; beside its input it takes only 'params'.")
        }
        if let params = members["params"], case .object = params {
        } else if members["params"] != nil {
            throw .invalidParameter("'params' must be a JSON object of parameter names and values.")
        }
        rows = try Self.rows(field, input)
    }

    static func shape(_ problem: String) -> StewardError {
        .invalidParameter(
            "The scoring request must be a JSON object with exactly one of \(inputFields.joined(separator: ", ")) (MLflow's pyfunc "
                + "protocol); \(problem).")
    }

    static func rows(_ field: String, _ input: JSONValue) throws(StewardError) -> [[String: FeatureValue]] {
        switch (field, input) {
        case ("dataframe_split", .object(let split)):
            if let unknown = firstUnknown(split.keys, known: { $0 == "columns" || $0 == "data" || $0 == "index" }) {
                throw .invalidParameter("Unknown member '\(unknown)' in dataframe_split; it has columns, data and index.")
            }
            var columns: [String]? = nil
            if let names = split["columns"] {
                guard case .array(let list) = names else { throw .invalidParameter("dataframe_split.columns must be a list of column names.") }
                columns = try list.map { name throws(StewardError) in
                    guard case .string(let text) = name else { throw .invalidParameter("dataframe_split.columns must be a list of column names.") }
                    return text
                }
            }
            guard case .array(let data)? = split["data"] else { throw .invalidParameter("dataframe_split.data must be a list of rows.") }
            return try data.prefix(recordedRows).map { row throws(StewardError) in
                guard case .array(let cells) = row else { throw .invalidParameter("Each row of dataframe_split.data must be a list of values.") }
                if let columns, columns.count != cells.count {
                    throw .invalidParameter("A row of dataframe_split.data has \(cells.count) values for \(columns.count) columns.")
                }
                return positional(cells, names: columns)
            }
        case ("dataframe_split", _): throw .invalidParameter("dataframe_split must be an object with columns and data.")
        case ("dataframe_records", .array(let records)):
            return try records.prefix(recordedRows).map { record throws(StewardError) in
                guard case .object(let members) = record else {
                    throw .invalidParameter("Each of dataframe_records must be an object of column values.")
                }
                return members.mapValues(feature)
            }
        case ("dataframe_records", _): throw .invalidParameter("dataframe_records must be a list of objects.")
        case ("instances", .array(let instances)), ("inputs", .array(let instances)):
            return instances.prefix(recordedRows).map { instance in
                switch instance {
                case .object(let members): members.mapValues(feature)
                case .array(let cells): positional(cells, names: nil)
                default: ["0": feature(instance)]
                }
            }
        case ("inputs", .object(let columns)):
            // Columnar: each member a list of values, one per row (a scalar is one row).
            let length = columns.values.map { if case .array(let list) = $0 { list.count } else { 1 } }.max() ?? 0
            return (0..<min(length, recordedRows)).map { index in
                columns.mapValues { column in
                    if case .array(let list) = column { index < list.count ? feature(list[index]) : .missing } else { feature(column) }
                }
            }
        default: throw .invalidParameter("\(field) must be a list (or, for inputs, an object of columns).")
        }
    }

    /// The first of `keys` in sorted order that is not `known`, so that the error names the same one every time;
    /// sorted only when there is one (the keys of every request that is served).
    static func firstUnknown(_ keys: Dictionary<String, JSONValue>.Keys, known: (String) -> Bool) -> String? {
        keys.contains { !known($0) } ? keys.sorted().first { !known($0) } : nil
    }

    static func positional(_ cells: [JSONValue], names: [String]?) -> [String: FeatureValue] {
        var row: [String: FeatureValue] = [:]
        row.reserveCapacity(cells.count)
        for (index, cell) in cells.enumerated() { row[names?[index] ?? String(index)] = feature(cell) }
        return row
    }

    /// A JSON scalar as a feature value; lists and objects are not features (recorded as missing).
    static func feature(_ value: JSONValue) -> FeatureValue {
        switch value {
        case .integer(let number): .number(Double(number))
        case .number(let number): .number(number)
        case .string(let text): .text(text)
        case .bool(let flag): .flag(flag)
        case .null, .array, .object: .missing
        }
    }

    /// The predictions of a model server's answer, one per row: `{"predictions": [...]}` or a bare list.
    static func predictions(_ body: Data) -> [FeatureValue] {
        guard case .success(let value) = JSONValue.decode(body) else { return [] }
        let list: [JSONValue]
        switch value {
        case .object(let members):
            guard case .array(let items)? = members["predictions"] else { return [] }
            list = items
        case .array(let items): list = items
        default: return []
        }
        return list.prefix(recordedRows).map { item in
            // A single-output model sometimes answers each row as a one-element list.
            if case .array(let inner) = item, inner.count == 1 { return feature(inner[0]) }
            return feature(item)
        }
    }
}
