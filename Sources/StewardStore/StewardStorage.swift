import Foundation
import Logging
import StewardCore

/// Everything a Steward server stores, opened from a data folder: the database (an SQLite file in the folder
/// unless `store` names another) and the artifact folder.
public struct StewardStorage: Sendable {
    public let database: any StoreDatabase
    public let artifacts: any ArtifactStore
    public let databaseLocation: DatabaseLocation
    public let artifactRoot: String

    public init(database: any StoreDatabase, artifacts: any ArtifactStore, databaseLocation: DatabaseLocation, artifactRoot: String) {
        self.database = database
        self.artifacts = artifacts
        self.databaseLocation = databaseLocation
        self.artifactRoot = artifactRoot
    }

    /// Opens (creating on first use) `dataDirectory` with `steward.sqlite` and `artifacts/`, or the database
    /// `store` names (`sqlite:PATH`, `postgres://…`).
    public static func open(
        dataDirectory: String, store: String? = nil, durability: SQLiteStoreDatabase.Durability = .full, logger: Logger
    ) async throws -> StewardStorage {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let location =
            try store.map { text throws(StewardError) in try DatabaseLocation(parsing: text) }
            ?? .sqlite(path: (dataDirectory as NSString).appendingPathComponent("steward.sqlite"))
        let database: any StoreDatabase
        switch location {
        case .sqlite(let path):
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            database = try await SQLiteStoreDatabase.open(path: path, durability: durability, logger: logger)
        case .postgres(let host, let port, let username, let password, let name):
            database = PostgresStoreDatabase(host: host, port: port, username: username, password: password, database: name, logger: logger)
        }
        let artifactRoot = (dataDirectory as NSString).appendingPathComponent("artifacts")
        let artifacts = try LocalArtifactStore(root: artifactRoot)
        return StewardStorage(database: database, artifacts: artifacts, databaseLocation: location, artifactRoot: artifacts.root)
    }
}

extension StewardStorage {
    /// Runs the database service around `body`, after bringing the schema up to date: for one-shot commands
    /// that use the store without serving HTTP.
    public func whileRunning<T: Sendable>(logger: Logger, _ body: @Sendable (StewardStorage) async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await database.run() }
            defer { group.cancelAll() }
            try await Migrator().migrate(database, logger: logger)
            return try await body(self)
        }
    }
}
