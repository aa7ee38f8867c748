import Foundation
import StewardCore
import ZIPFoundation

/// A Steward data folder in one ZIP file, and back: the database as one consistent snapshot, taken while the
/// server goes on serving, and every file of `artifacts/` and `files/`.
///
/// The snapshot is SQLite's `VACUUM INTO`, which writes the view of one read transaction to a new file, so a
/// backup never holds half a write; artifacts are copied after it, so every artifact the snapshot's runs name is
/// in the backup (one logged meanwhile may be too, harmlessly). A PostgreSQL store is dumped with PostgreSQL's own
/// tools; its backup holds the folders only. A restore writes only into an empty folder, checks every entry's
/// path by the artifact path rules before anything is written (nothing outside the folder, no links), and leaves
/// the schema to the next start's migrations, so a backup from an earlier release restores too.
public enum StoreBackup {
    /// What a backup or a restore copied.
    public struct Summary: Sendable, Equatable {
        /// Whether the database was in it.
        public var database: Bool
        /// Artifact and Steward files, and their bytes.
        public var files: Int
        public var bytes: Int64
    }

    static let databaseEntry = "steward.sqlite"

    /// Where a backup's folders are read from, or a restore's written to: `<data>/artifacts` and `<data>/files`, or
    /// the artifact folder a server was started with (`steward serve --artifacts <folder>`); none when the server
    /// keeps its artifacts in S3, where Steward's files are too.
    static func folders(of dataDirectory: URL, artifacts: ArtifactLocation?) -> [(name: String, url: URL)] {
        let artifactFolder: URL
        switch artifacts {
        case .s3: return []
        case .folder(let path): artifactFolder = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
        case nil: artifactFolder = dataDirectory.appendingPathComponent("artifacts")
        }
        return [("artifacts", artifactFolder), ("files", dataDirectory.appendingPathComponent("files"))]
    }

    /// Writes a backup of `dataDirectory` to `archive`, a new file (written beside it and renamed into place when
    /// complete). With `database` false (a PostgreSQL store), only the folders; the folders as `folders(of:artifacts:)`
    /// says.
    public static func backup(dataDirectory: String, database: Bool, artifacts: ArtifactLocation? = nil, to archive: String) throws -> Summary {
        let folder = URL(fileURLWithPath: dataDirectory, isDirectory: true).standardizedFileURL
        let target = URL(fileURLWithPath: archive).standardizedFileURL
        guard !FileManager.default.fileExists(atPath: target.path) else {
            throw StewardError(.resourceAlreadyExists, "'\(archive)' exists; name a new file for the backup.")
        }
        let sources = folders(of: folder, artifacts: artifacts)
        guard !([folder] + sources.map(\.url)).contains(where: { target.path.hasPrefix($0.path + "/") }) else {
            throw StewardError.invalidParameter("Write the backup outside the data folder and the artifact folder it copies.")
        }
        let partial = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial-\(UUID().uuidString)")
        let snapshot = target.deletingLastPathComponent().appendingPathComponent(".steward-snapshot-\(UUID().uuidString).sqlite")
        defer {
            try? FileManager.default.removeItem(at: partial)
            try? FileManager.default.removeItem(at: snapshot)
        }
        let summary = try write(folder, database: database, folders: sources, snapshot: snapshot, to: partial)
        try FileHandle(forUpdating: partial).synchronize()
        guard rename(partial.path, target.path) == 0 else {
            throw StewardError(.internalError, "Cannot move the backup into place at '\(archive)': \(String(cString: strerror(errno))).")
        }
        return summary
    }

    /// Writes the archive; it is closed (and its last bytes written) when this returns.
    private static func write(
        _ folder: URL, database: Bool, folders: [(name: String, url: URL)], snapshot: URL, to partial: URL
    ) throws -> Summary {
        let zip = try Archive(url: partial, accessMode: .create)
        var summary = Summary(database: database, files: 0, bytes: 0)
        if database {
            let source = folder.appendingPathComponent(databaseEntry).path
            guard FileManager.default.fileExists(atPath: source) else {
                throw StewardError(.resourceDoesNotExist, "No Steward database in '\(folder.path)' (\(databaseEntry)).")
            }
            let handle = try SQLiteHandle(path: source)
            defer { handle.close() }
            try handle.execute("PRAGMA busy_timeout = 10000")
            try handle.execute("VACUUM INTO '\(snapshot.path.replacingOccurrences(of: "'", with: "''"))'")
            try zip.addEntry(with: databaseEntry, fileURL: snapshot, compressionMethod: .deflate)
        }
        for (name, root) in folders {
            for relative in try files(below: root) {
                let file = root.appendingPathComponent(relative)
                try zip.addEntry(with: name + "/" + relative, fileURL: file, compressionMethod: .none)
                summary.files += 1
                summary.bytes += Int64((try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.int64Value ?? 0)
            }
        }
        return summary
    }

    /// Restores `archive` into `dataDirectory`, which must not hold a Steward store yet, and its artifacts into
    /// `artifacts` when given (empty or new; `steward serve --artifacts` names it then).
    public static func restore(from archive: String, into dataDirectory: String, artifacts: String? = nil) throws -> Summary {
        let folder = URL(fileURLWithPath: dataDirectory, isDirectory: true).standardizedFileURL
        let destinations = folders(of: folder, artifacts: artifacts.map { .folder(path: $0) })
        for (name, existing) in [(databaseEntry, folder.appendingPathComponent(databaseEntry))] + destinations {
            if FileManager.default.fileExists(atPath: existing.path),
                name == databaseEntry || !((try? FileManager.default.contentsOfDirectory(atPath: existing.path))?.isEmpty ?? true)
            {
                throw StewardError(
                    .resourceAlreadyExists, "'\(existing.path)' already holds a Steward store (\(name)); restore into a new folder.")
            }
        }
        let zip: Archive
        do {
            zip = try Archive(url: URL(fileURLWithPath: archive), accessMode: .read)
        } catch {
            throw StewardError.invalidParameter("'\(archive)' is not a Steward backup (not a ZIP file).")
        }
        // Every entry is checked before anything is written.
        var entries: [(Entry, URL)] = []
        for entry in zip {
            guard entry.type == .file || entry.type == .directory else {
                throw StewardError.invalidParameter("The backup holds a link ('\(entry.path)'); a Steward backup has files only.")
            }
            let path = entry.path
            if path == databaseEntry {
                entries.append((entry, folder.appendingPathComponent(databaseEntry)))
                continue
            }
            let top = String(path.prefix { $0 != "/" })
            guard let root = destinations.first(where: { $0.name == top })?.url,
                let below = try? ArtifactPath(decoded: String(path.dropFirst(top.count + 1))), !below.isRoot
            else {
                throw StewardError.invalidParameter("The backup holds '\(path)', which is not a place in a Steward data folder.")
            }
            if entry.type == .file { entries.append((entry, root.appendingPathComponent(below.string))) }
        }
        guard !entries.isEmpty else {
            throw StewardError.invalidParameter("'\(archive)' holds nothing to restore.")
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var summary = Summary(database: false, files: 0, bytes: 0)
        for (entry, destination) in entries {
            _ = try zip.extract(entry, to: destination)
            if entry.path == databaseEntry {
                summary.database = true
            } else {
                summary.files += 1
                summary.bytes += Int64(entry.uncompressedSize)
            }
        }
        return summary
    }

    /// Regular files below `root`, relative to it, sorted; in-progress uploads and links are left out.
    static func files(below root: URL) throws -> [String] {
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey, .isSymbolicLinkKey]) else {
            return []
        }
        var found: [String] = []
        let base = root.standardizedFileURL.resolvingSymlinksInPath().path
        for case let url as URL in walker {
            let values = try url.resourceValues(forKeys: [.isRegularFileKey, .isSymbolicLinkKey])
            guard values.isRegularFile == true, values.isSymbolicLink != true, !url.lastPathComponent.hasPrefix(LocalArtifactStore.uploadPrefix)
            else { continue }
            let path = url.standardizedFileURL.resolvingSymlinksInPath().path
            guard path.hasPrefix(base + "/") else { continue }
            found.append(String(path.dropFirst(base.count + 1)))
        }
        return found.sorted()
    }
}
