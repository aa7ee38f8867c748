import SQLKit

/// Column names of one statement's result, shared by all its rows.
final class SQLiteColumns: Sendable {
    let names: [String]
    let index: [String: Int]

    init(names: [String]) {
        self.names = names
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() where index[name] == nil { index[name] = position }
        self.index = index
    }
}

/// One result row, decoded without Codable machinery for the types the store reads.
struct SQLiteResultRow: SQLRow {
    let columns: SQLiteColumns
    let values: [SQLiteValue]

    var allColumns: [String] { columns.names }

    func contains(column: String) -> Bool { columns.index[column] != nil }

    func decodeNil(column: String) throws -> Bool {
        try value(column) == .null
    }

    private func value(_ column: String) throws -> SQLiteValue {
        guard let position = columns.index[column] else {
            throw DecodingError.keyNotFound(
                ColumnCodingKey(column), .init(codingPath: [], debugDescription: "No column named '\(column)' in the result"))
        }
        return values[position]
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        let value = try value(column)
        func mismatch() -> DecodingError {
            .typeMismatch(D.self, .init(codingPath: [ColumnCodingKey(column)], debugDescription: "Column '\(column)' holds \(value)"))
        }
        if D.self == String.self || D.self == String?.self {
            switch value {
            case .text(let text): return text as! D
            case .null where D.self == String?.self: return (nil as String?) as! D
            case .integer(let number): return String(number) as! D
            case .real(let number): return String(number) as! D
            default: throw mismatch()
            }
        }
        if D.self == Int64.self || D.self == Int64?.self {
            switch value {
            case .integer(let number): return number as! D
            case .real(let number) where number == number.rounded(): return Int64(number) as! D
            case .null where D.self == Int64?.self: return (nil as Int64?) as! D
            default: throw mismatch()
            }
        }
        if D.self == Double.self || D.self == Double?.self {
            switch value {
            case .real(let number): return number as! D
            case .integer(let number): return Double(number) as! D
            case .null where D.self == Double?.self: return (nil as Double?) as! D
            default: throw mismatch()
            }
        }
        if D.self == Int.self {
            guard case .integer(let number) = value else { throw mismatch() }
            return Int(number) as! D
        }
        if D.self == Bool.self {
            guard case .integer(let number) = value else { throw mismatch() }
            return (number != 0) as! D
        }
        throw mismatch()
    }
}

/// A coding key made from a column name, for error messages.
struct ColumnCodingKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) {
        stringValue = name
    }

    init?(stringValue: String) {
        self.stringValue = stringValue
    }

    init?(intValue: Int) {
        nil
    }
}
