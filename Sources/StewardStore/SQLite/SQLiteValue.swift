import Foundation

/// A value SQLite stores or returns.
enum SQLiteValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    /// The value of a bind that SQLKit hands over as `any Encodable`; common types take a direct path, anything
    /// else is stored as its JSON text.
    init(bind: any Encodable) throws {
        switch bind {
        case let value as String: self = .text(value)
        case let value as Int64: self = .integer(value)
        case let value as Int: self = .integer(Int64(value))
        case let value as Double: self = .real(value)
        case let value as Int32: self = .integer(Int64(value))
        case let value as Bool: self = .integer(value ? 1 : 0)
        case let value as Float: self = .real(Double(value))
        case let value as [UInt8]: self = .blob(value)
        case let value as Data: self = .blob(Array(value))
        case let value as any OptionalSQLiteBind: self = try value.sqliteValue
        default: self = .text(String(decoding: try JSONEncoder().encode(bind), as: UTF8.self))
        }
    }
}

/// Optional binds: `nil` is SQL NULL, anything else binds its wrapped value.
protocol OptionalSQLiteBind {
    var sqliteValue: SQLiteValue { get throws }
}

extension Optional: OptionalSQLiteBind where Wrapped: Encodable {
    var sqliteValue: SQLiteValue {
        get throws {
            switch self {
            case .none: .null
            case .some(let wrapped): try SQLiteValue(bind: wrapped)
            }
        }
    }
}

/// A failure reported by SQLite, with its extended result code.
struct SQLiteError: Error, CustomStringConvertible {
    let code: Int32
    let message: String

    var description: String { "SQLite error \(code): \(message)" }

    /// A UNIQUE or PRIMARY KEY constraint failed (SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY).
    var isUniqueViolation: Bool { code == 2067 || code == 1555 }

    /// Errors after which SQLite may have rolled back the whole transaction (SQLITE_FULL, SQLITE_IOERR,
    /// SQLITE_CORRUPT, SQLITE_NOMEM, SQLITE_INTERRUPT, SQLITE_NOTADB), by primary result code.
    var endsTransaction: Bool { [13, 10, 11, 7, 9, 26].contains(code & 0xFF) }
}
