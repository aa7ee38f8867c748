import Foundation
import Logging
import SQLKit
import StewardCore
import StewardStore

/// The database engines a test can run on: SQLite always, PostgreSQL when `STEWARD_TEST_POSTGRES_URL` names a
/// server (an admin database URL such as `postgres://steward@127.0.0.1:5432/postgres`).
public enum TestEngine: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    public static var postgresAdminURL: String? {
        ProcessInfo.processInfo.environment["STEWARD_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Every engine this machine can test on.
    public static var available: [TestEngine] {
        postgresAdminURL == nil ? [.sqlite] : [.sqlite, .postgres]
    }

    public var description: String { rawValue }
}

/// A fresh, migrated store for one test, removed afterwards: an SQLite file in a temporary folder, or a new
/// database on the PostgreSQL test server.
public enum TestStorage {
    public static let logger: Logger = {
        var logger = Logger(label: "steward-test")
        logger.logLevel = .warning
        return logger
    }()

    /// Runs `body` with migrated storage whose database service is running; `started: false` hands over the
    /// storage untouched, for an application that runs and migrates it itself.
    public static func with<T: Sendable>(
        _ engine: TestEngine, started: Bool = true, _ body: @Sendable (StewardStorage) async throws -> T
    ) async throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("steward-test-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        switch engine {
        case .sqlite:
            let storage = try await StewardStorage.open(dataDirectory: folder, logger: logger)
            return started ? try await run(storage, body) : try await body(storage)
        case .postgres:
            guard let adminURL = TestEngine.postgresAdminURL,
                case .postgres(let host, let port, let user, let password, _) =
                    try DatabaseLocation(parsing: adminURL)
            else { throw StewardError(.internalError, "STEWARD_TEST_POSTGRES_URL is not set") }
            let name = "steward_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            try await admin(host: host, port: port, user: user, password: password, "CREATE DATABASE \(name)")
            do {
                let url = "postgres://\(user)\(password.map { ":\($0)" } ?? "")@\(host):\(port)/\(name)"
                let storage = try await StewardStorage.open(dataDirectory: folder, store: try DatabaseLocation(parsing: url), logger: logger)
                let result = started ? try await run(storage, body) : try await body(storage)
                try await admin(host: host, port: port, user: user, password: password, "DROP DATABASE \(name) WITH (FORCE)")
                return result
            } catch {
                try? await admin(host: host, port: port, user: user, password: password, "DROP DATABASE \(name) WITH (FORCE)")
                throw error
            }
        }
    }

    /// Runs `body` with a second, running database on the same store as `storage`: another replica on
    /// PostgreSQL, another process on the same file for SQLite.
    public static func withReplica<T: Sendable>(of storage: StewardStorage, _ body: (any StoreDatabase) async throws -> T) async throws -> T {
        let replica: any StoreDatabase
        switch storage.databaseLocation {
        case .sqlite(let path): replica = try await SQLiteStoreDatabase.open(path: path, logger: logger)
        case .postgres(let host, let port, let username, let password, let database):
            replica = PostgresStoreDatabase(host: host, port: port, username: username, password: password, database: database, logger: logger)
        }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await replica.run() }
            defer { group.cancelAll() }
            return try await body(replica)
        }
    }

    static func run<T: Sendable>(_ storage: StewardStorage, _ body: @Sendable (StewardStorage) async throws -> T) async throws -> T {
        try await storage.whileRunning(logger: logger, body)
    }

    private static func admin(host: String, port: Int, user: String, password: String?, _ sql: String) async throws {
        let database = PostgresStoreDatabase(host: host, port: port, username: user, password: password, database: "postgres", logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await database.run() }
            defer { group.cancelAll() }
            try await database.withoutTransaction { db in try await db.raw("\(unsafeRaw: sql)").run() }
        }
    }
}
