import Foundation
import Logging
import StewardCore

/// Everything a Steward server stores, opened from a data folder: the database (an SQLite file in the folder
/// unless `store` names another), the artifact folder that the MLflow routes serve, and the folder of files
/// Steward keeps for itself (registered test sets), which no MLflow route reaches.
public struct StewardStorage: Sendable {
    public let database: any StoreDatabase
    /// What clients log and download through `/api/2.0/mlflow-artifacts`.
    public let artifacts: any ArtifactStore
    /// Steward's own files: registered test sets, content-addressed.
    public let files: any ArtifactStore
    public let databaseLocation: DatabaseLocation
    public let artifactRoot: String

    public init(
        database: any StoreDatabase, artifacts: any ArtifactStore, files: any ArtifactStore, databaseLocation: DatabaseLocation, artifactRoot: String
    ) {
        self.database = database
        self.artifacts = artifacts
        self.files = files
        self.databaseLocation = databaseLocation
        self.artifactRoot = artifactRoot
    }

    /// Opens (creating on first use) `dataDirectory` with `steward.sqlite`, `artifacts/` and `files/`, or the
    /// database `store` names (`sqlite:PATH`, `postgres://…`).
    /// With `artifacts` at `s3://bucket/prefix`, artifacts and Steward's files are objects under `prefix/artifacts/`
    /// and `prefix/files/` instead (credentials and region from `environment`, `s3Endpoint` for an S3-compatible
    /// store); the bucket is checked to answer before the server starts.
    public static func open(
        dataDirectory: String, store: DatabaseLocation? = nil, durability: SQLiteStoreDatabase.Durability = .full,
        artifacts artifactLocation: ArtifactLocation? = nil, s3Endpoint: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger
    ) async throws -> StewardStorage {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let location = store ?? .sqlite(path: (dataDirectory as NSString).appendingPathComponent("steward.sqlite"))
        let database: any StoreDatabase
        switch location {
        case .sqlite(let path):
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            database = try await SQLiteStoreDatabase.open(path: path, durability: durability, logger: logger)
        case .postgres(let host, let port, let username, let password, let name):
            database = PostgresStoreDatabase(host: host, port: port, username: username, password: password, database: name, logger: logger)
        }
        switch artifactLocation {
        case .s3(let bucket, let prefix):
            let client = try ArtifactLocation.s3Client(bucket: bucket, endpoint: s3Endpoint, environment: environment)
            let artifacts = S3ArtifactStore(client: client, prefix: prefix + "/artifacts")
            let files = S3ArtifactStore(client: client, prefix: prefix + "/files")
            do {
                _ = try await artifacts.list(.root)
            } catch let error as StewardError {
                throw StewardError(error.code, "The artifact store \(artifactLocation!) cannot be used: \(error.message)")
            }
            return StewardStorage(
                database: database, artifacts: artifacts, files: files, databaseLocation: location,
                artifactRoot: "s3://\(bucket)/\(artifacts.prefix)")
        case .folder(let path):
            return StewardStorage(
                database: database, artifacts: try LocalArtifactStore(root: path),
                files: try LocalArtifactStore(root: (dataDirectory as NSString).appendingPathComponent("files")), databaseLocation: location,
                artifactRoot: path)
        case nil: break
        }
        let artifactRoot = (dataDirectory as NSString).appendingPathComponent("artifacts")
        let artifacts = try LocalArtifactStore(root: artifactRoot)
        let filesRoot = (dataDirectory as NSString).appendingPathComponent("files")
        let upgrading = !FileManager.default.fileExists(atPath: filesRoot)
        let files = try LocalArtifactStore(root: filesRoot)
        if upgrading { try moveTestSets(from: artifacts.root, to: files.root) }
        return StewardStorage(database: database, artifacts: artifacts, files: files, databaseLocation: location, artifactRoot: artifacts.root)
    }

    /// Test sets registered before Steward's own files had their folder were kept among the artifacts, as
    /// `artifacts/datasets/<sha256>.<csv|jsonl>`, where the MLflow routes could change them: they move to
    /// `files/datasets/` under the same name (the location the database records), within one file system. This
    /// happens once, when `files/` is created; only files whose content still hashes to their name move, so that
    /// nothing written through the artifact routes can pose as a test set.
    static func moveTestSets(from artifactRoot: String, to filesRoot: String) throws {
        let old = (artifactRoot as NSString).appendingPathComponent("datasets")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: old) else { return }
        let new = (filesRoot as NSString).appendingPathComponent("datasets")
        try FileManager.default.createDirectory(atPath: new, withIntermediateDirectories: true)
        for name in names {
            let parts = name.split(separator: ".")
            guard parts.count == 2, parts[0].count == 64, parts[0].allSatisfy(\.isHexDigit), ["csv", "jsonl"].contains(parts[1]) else { continue }
            let source = (old as NSString).appendingPathComponent(name)
            guard let digest = try? digest(ofFileAt: source), digest == parts[0].lowercased() else { continue }
            try FileManager.default.moveItem(atPath: source, toPath: (new as NSString).appendingPathComponent(name))
        }
        if (try? FileManager.default.contentsOfDirectory(atPath: old))?.isEmpty == true { try? FileManager.default.removeItem(atPath: old) }
    }
}

extension StewardStorage {
    /// The SHA-256 digest of a local file's content, read in pieces.
    static func digest(ofFileAt path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw StewardError(.resourceDoesNotExist, "No file at '\(path)'.") }
        defer { try? handle.close() }
        var hasher = SHA256Digest.Incremental()
        while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty { hasher.update(data) }
        return hasher.finalize()
    }

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
