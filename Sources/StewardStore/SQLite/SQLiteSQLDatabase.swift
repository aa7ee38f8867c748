import Logging
import NIOCore
import NIOPosix
import SQLKit

/// SQLKit's view of one SQLite connection: statements run synchronously on the calling thread, which is the
/// connection's own `DedicatedThread` whenever the caller prefers that executor.
struct SQLiteSQLDatabase: SQLDatabase {
    let handle: SQLiteHandle
    let logger: Logger

    var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }
    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        let (sql, binds) = serialize(query)
        let values = try binds.map(SQLiteValue.init(bind:))
        try handle.run(sql, values) { onRow($0) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        eventLoop.makeFutureWithTask { try await execute(sql: query, onRow) }
    }
}
