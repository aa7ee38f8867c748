import Logging
import PostgresKit
import PostgresNIO
import SQLKit
import ServiceLifecycle

/// The scale-out store engine: a PostgreSQL server reached through a connection pool, shared by any number of
/// Steward replicas. PostgreSQL groups concurrent commits itself.
public final class PostgresStoreDatabase: StoreDatabase {
    public let engine = SQLEngine.postgres
    private let client: PostgresClient
    private let logger: Logger

    public init(host: String, port: Int, username: String, password: String?, database: String, logger: Logger) {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: .disable)
        configuration.options.maximumConnections = 16
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    /// Runs `body` in a read-only repeatable-read transaction, so that its statements see one snapshot.
    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await transaction("BEGIN", body)
    }

    /// A transaction whose commit does not wait for PostgreSQL's WAL flush (`synchronous_commit` off for it alone).
    public func transientWrite<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await transaction("BEGIN", body, relaxed: true)
    }

    /// PostgreSQL cannot say what changed without a round trip, so callers always read.
    public func changeStamp() -> Int64? { nil }

    /// Runs `body` outside any transaction, for the statements PostgreSQL refuses inside one (`CREATE DATABASE`).
    public func withoutTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in try await body(connection.sql(queryLogLevel: nil)) }
    }

    private func transaction<T: Sendable>(
        _ begin: String, _ body: @escaping @Sendable (any SQLDatabase) async throws -> T, relaxed: Bool = false
    ) async throws -> T {
        try await client.withConnection { connection in
            let database = connection.sql(queryLogLevel: nil)
            try await database.raw("\(unsafeRaw: begin)").run()
            do {
                if relaxed { try await database.raw("SET LOCAL synchronous_commit TO OFF").run() }
                let value = try await body(database)
                try await database.raw("COMMIT").run()
                return value
            } catch {
                do {
                    try await database.raw("ROLLBACK").run()
                } catch {
                    // A connection whose transaction could not be ended must not go back to the pool.
                    try? await connection.close()
                }
                throw error
            }
        }
    }

    /// Runs the connection pool until shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.client.run()
        }
    }
}
