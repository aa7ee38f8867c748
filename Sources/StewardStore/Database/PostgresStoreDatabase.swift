import Logging
import PostgresKit
import PostgresNIO
import SQLKit
import ServiceLifecycle
import StewardCore

/// The scale-out store engine: a PostgreSQL server reached through a connection pool, shared by any number of
/// Steward replicas. PostgreSQL groups concurrent commits itself.
public final class PostgresStoreDatabase: StoreDatabase {
    public let engine = SQLEngine.postgres
    private let client: PostgresClient
    private let logger: Logger
    /// Concurrent askers of a change stamp share one read, started after each of them asked.
    private let stampReads: CallCoalescer<ChangeStamp, Int64>

    public init(host: String, port: Int, username: String, password: String?, database: String, logger: Logger) {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: .disable)
        configuration.options.maximumConnections = 16
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        self.stampReads = CallCoalescer { stamps in
            // One statement, so one snapshot and no transaction around it.
            let row = try await client.withConnection { connection in
                try await connection.sql(queryLogLevel: nil).raw(
                    "SELECT (SELECT value FROM serving_stamp) AS serving, (SELECT value FROM credentials_stamp) AS credentials"
                ).first()
            }
            let serving = try row?.optionalInt64("serving") ?? 0
            let credentials = try row?.optionalInt64("credentials") ?? 0
            return stamps.map { .success($0 == .serving ? serving : credentials) }
        }
    }

    /// Runs `body` in a read-only repeatable-read transaction, so that its statements see one snapshot.
    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await transaction("BEGIN", body)
    }

    /// One statement on a pooled connection, committed by PostgreSQL on its own; again (up to three times in all)
    /// when PostgreSQL ended it to break a deadlock, as `write` is.
    public func writeOneStatement<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        // A request's credentials still pending here are confirmed first: the statements that confirm them
        // themselves (`CredentialsCheck.holds`) run from a coalesced batch, with no credentials pending in its task.
        if let credentials = PendingCredentials.unconfirmed { try await credentials.confirm() }
        return try await retrying { try await self.client.withConnection { connection in try await body(connection.sql(queryLogLevel: nil)) } }
    }

    /// PostgreSQL cannot say what changed without a round trip, so callers always read.
    public func changeStamp(_ stamp: ChangeStamp) -> Int64? { nil }

    /// One single-statement read per batch of concurrent callers (`CallCoalescer`): at 16 concurrent requests
    /// that ask on each, most share a read instead of each taking a pooled connection for a transaction.
    public func currentChangeStamp(_ stamp: ChangeStamp) async throws -> Int64 {
        try await stampReads.submit(stamp)
    }

    /// Runs `body` outside any transaction, for the statements PostgreSQL refuses inside one (`CREATE DATABASE`).
    public func withoutTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in try await body(connection.sql(queryLogLevel: nil)) }
    }

    /// Runs `body` in a transaction, again (up to three times in all) when PostgreSQL ended it to break a deadlock
    /// or a serialization conflict with a concurrent transaction, which another replica or request can cause and
    /// which a caller cannot do anything about.
    ///
    /// A request served under unconfirmed credentials (`PendingCredentials`) has them confirmed by the
    /// transaction's first statement; when the stamp moved, the transaction is rolled back, the credentials are
    /// confirmed afresh (or the request refused) and the transaction runs again.
    private func transaction<T: Sendable>(
        _ begin: String, _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        if let credentials = PendingCredentials.unconfirmed {
            do {
                let value = try await retrying {
                    try await self.transactionOnce(begin, body, confirming: credentials.stamp)
                }
                credentials.markConfirmed()
                return value
            } catch is CredentialsMoved {
                try await credentials.confirm()
            }
        }
        return try await retrying { try await self.transactionOnce(begin, body, confirming: nil) }
    }

    /// `attempt`, again (up to three times in all) when PostgreSQL ended its transaction to break a deadlock or a
    /// serialization conflict.
    private func retrying<T: Sendable>(_ attempt: () async throws -> T) async throws -> T {
        var attempts = 1
        while true {
            do {
                return try await attempt()
            } catch let error as PSQLError where attempts < 3 && Self.retryableStates.contains(error.serverInfo?[.sqlState] ?? "") {
                attempts += 1
            }
        }
    }

    /// deadlock_detected and serialization_failure.
    private static let retryableStates: Set<String> = ["40P01", "40001"]

    private func transactionOnce<T: Sendable>(
        _ begin: String, _ body: @escaping @Sendable (any SQLDatabase) async throws -> T, confirming stamp: Int64?
    ) async throws -> T {
        try await client.withConnection { connection in
            let database = connection.sql(queryLogLevel: nil)
            try await database.raw("\(unsafeRaw: begin)").run()
            do {
                if let stamp { try await CredentialsCheck.require(stamp, on: database) }
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
