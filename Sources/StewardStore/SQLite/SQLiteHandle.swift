import CSQLite
import StewardCore

/// One open SQLite connection with a cache of prepared statements.
///
/// Not thread-safe by itself: its owner uses it from one task at a time (the connection is opened in SQLite's
/// multi-thread mode, which allows that).
final class SQLiteHandle: @unchecked Sendable {
    private var database: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    private var columnNames: [OpaquePointer: SQLiteColumns] = [:]
    /// Statements kept prepared; batches of different sizes produce different SQL, so the cache is bounded.
    private let statementCacheLimit = 256
    /// The cached statements with more than `largeStatementParameters` parameters (multi-row writes), with
    /// their SQL, least recently used first; beyond `largeStatementLimit` the oldest is finalized. A prepared
    /// statement of a thousand rows holds about a megabyte: when each flush of served-request events wrote a
    /// different number of rows, caching every size took the server from 63 MB to 304 MB in 30 s of
    /// `bench/router.py`'s traffic.
    private var largeStatements: [(sql: String, statement: OpaquePointer)] = []
    private static let largeStatementParameters: Int32 = 256
    private static let largeStatementLimit = 4

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(path: String) throws {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(handle)
            throw SQLiteError(code: status, message: "\(message) (\(path))")
        }
        sqlite3_extended_result_codes(handle, 1)
        // Every thousand virtual machine steps (tens of microseconds) a long statement on a thread with yield
        // points (the writer) lets a waiting event loop have the core: see `YieldPoint`.
        sqlite3_progress_handler(
            handle, 1000,
            { _ in
                YieldPoint.pass(); return 0
            }, nil)
        database = handle
    }

    deinit {
        close()
    }

    /// Finalizes every statement and closes the connection.
    func close() {
        for statement in statements.values { sqlite3_finalize(statement) }
        statements.removeAll()
        columnNames.removeAll()
        largeStatements.removeAll()
        if let database { sqlite3_close_v2(database) }
        database = nil
    }

    /// The first page of the connection's WAL index as SQLite maps it (`xShmMap` of its `-shm` file), valid until
    /// the connection closes; nil when the database is not in WAL mode, the connection has not read it yet, or
    /// its file has no shared memory.
    func walIndex() -> WALIndexHeader? {
        guard let database else { return nil }
        var file: UnsafeMutablePointer<sqlite3_file>?
        guard sqlite3_file_control(database, "main", SQLITE_FCNTL_FILE_POINTER, &file) == SQLITE_OK, let file,
            let methods = file.pointee.pMethods, methods.pointee.iVersion >= 2, let map = methods.pointee.xShmMap
        else { return nil }
        var region: UnsafeMutableRawPointer?
        // Page 0 of 32 KiB (the WAL index's page size), never created here (bExtend 0).
        guard map(file, 0, 32768, 0, &region) == SQLITE_OK, let region else { return nil }
        return WALIndexHeader(base: UnsafeRawPointer(region))
    }

    private func error(_ status: Int32) -> SQLiteError {
        let message = database.map { String(cString: sqlite3_errmsg($0)) } ?? "connection closed"
        return SQLiteError(code: database.map { sqlite3_extended_errcode($0) } ?? status, message: message)
    }

    /// Whether `sql` is kept prepared.
    func isCached(_ sql: String) -> Bool { statements[sql] != nil }

    /// How many statements are kept prepared.
    var cachedStatementCount: Int { statements.count }

    private func prepared(_ sql: String) throws -> (OpaquePointer, SQLiteColumns) {
        if let statement = statements[sql], let columns = columnNames[statement] {
            // Found by the statement, not its text: the texts of two large statements share all but their end.
            if sqlite3_bind_parameter_count(statement) > Self.largeStatementParameters,
                let index = largeStatements.firstIndex(where: { $0.statement == statement }), index < largeStatements.count - 1
            {
                largeStatements.append(largeStatements.remove(at: index))
            }
            return (statement, columns)
        }
        guard let database else { throw SQLiteError(code: SQLITE_MISUSE, message: "connection closed") }
        if statements.count >= statementCacheLimit {
            for statement in statements.values { sqlite3_finalize(statement) }
            statements.removeAll(keepingCapacity: true)
            columnNames.removeAll(keepingCapacity: true)
            largeStatements.removeAll(keepingCapacity: true)
        }
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v3(database, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard status == SQLITE_OK, let statement else { throw error(status) }
        let count = sqlite3_column_count(statement)
        let names = (0..<count).map { String(cString: sqlite3_column_name(statement, $0)) }
        let columns = SQLiteColumns(names: names)
        statements[sql] = statement
        columnNames[statement] = columns
        if sqlite3_bind_parameter_count(statement) > Self.largeStatementParameters {
            largeStatements.append((sql, statement))
            if largeStatements.count > Self.largeStatementLimit {
                let oldest = largeStatements.removeFirst()
                statements[oldest.sql] = nil
                columnNames[oldest.statement] = nil
                sqlite3_finalize(oldest.statement)
            }
        }
        return (statement, columns)
    }

    /// Runs one statement with its binds, handing each result row to `onRow`.
    func run(_ sql: String, _ binds: [SQLiteValue], onRow: (SQLiteResultRow) -> Void) throws {
        let (statement, columns) = try prepared(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (offset, value) in binds.enumerated() {
            let position = Int32(offset + 1)
            let status: Int32
            switch value {
            case .null: status = sqlite3_bind_null(statement, position)
            case .integer(let number): status = sqlite3_bind_int64(statement, position, number)
            case .real(let number): status = sqlite3_bind_double(statement, position, number)
            case .text(let text):
                // With its byte length, so that a NUL inside the text is stored rather than ending it.
                var text = text
                status = text.withUTF8 { bytes in
                    bytes.withMemoryRebound(to: CChar.self) { characters in
                        guard let start = characters.baseAddress, !characters.isEmpty else {
                            return sqlite3_bind_text(statement, position, "", 0, Self.transient)
                        }
                        return sqlite3_bind_text64(statement, position, start, UInt64(characters.count), Self.transient, UInt8(SQLITE_UTF8))
                    }
                }
            case .blob(let bytes):
                status = bytes.withUnsafeBytes { sqlite3_bind_blob(statement, position, $0.baseAddress, Int32($0.count), Self.transient) }
            }
            guard status == SQLITE_OK else { throw error(status) }
        }
        let count = Int32(columns.names.count)
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { return }
            guard status == SQLITE_ROW else { throw error(status) }
            var values: [SQLiteValue] = []
            values.reserveCapacity(Int(count))
            for column in 0..<count {
                switch sqlite3_column_type(statement, column) {
                case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(statement, column)))
                case SQLITE_FLOAT: values.append(.real(sqlite3_column_double(statement, column)))
                case SQLITE_TEXT:
                    let length = Int(sqlite3_column_bytes(statement, column))
                    let text = sqlite3_column_text(statement, column).map {
                        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
                    }
                    values.append(.text(text ?? ""))
                case SQLITE_BLOB:
                    let length = Int(sqlite3_column_bytes(statement, column))
                    let bytes = sqlite3_column_blob(statement, column).map {
                        Array(UnsafeRawBufferPointer(start: $0, count: length).bindMemory(to: UInt8.self))
                    }
                    values.append(.blob(bytes ?? []))
                default: values.append(.null)
                }
            }
            onRow(SQLiteResultRow(columns: columns, values: values))
        }
    }

    /// The first column of the first row `sql` returns, as an integer (nil when it returns no row).
    func integer(_ sql: String) throws -> Int64? {
        var value: Int64?
        try run(sql, []) { row in
            if value == nil, case .integer(let number) = row.values.first { value = number }
        }
        return value
    }

    /// Runs a statement that returns nothing interesting, such as a PRAGMA or BEGIN.
    func execute(_ sql: String) throws {
        try run(sql, []) { _ in }
    }
}
