import Foundation
import NIOCore
import StewardCore

/// Reads the manifest of the files below an `mlflow-artifacts:/` location from the artifact store, hashing each
/// file as it streams (no file is held in memory).
public struct ArtifactContentReader: ContentReader {
    let store: any ArtifactStore

    public init(store: any ArtifactStore) {
        self.store = store
    }

    public func manifest(of location: String) async throws -> ContentManifest? {
        guard let root = try Self.path(of: location) else { return nil }
        var files: [ContentManifest.File] = []
        switch try await store.list(root) {
        case .missing: break
        case .file: files.append(try await file(root, as: root.name))
        case .directory: try await walk(root, under: "") { path, relative, _ in files.append(try await file(path, as: relative)) }
        }
        return ContentManifest(files: files)
    }

    public func fingerprint(of location: String) async throws -> String? {
        guard let root = try Self.path(of: location), case .directory = try await store.list(root) else { return nil }
        var lines: [String] = []
        var complete = true
        try await walk(root, under: "") { _, relative, entry in
            guard let stamp = entry.stamp, let size = entry.size else {
                complete = false
                return
            }
            lines.append("\(stamp) \(size) \(relative)\n")
        }
        return complete ? SHA256Digest.hex(of: Data(lines.joined().utf8)) : nil
    }

    /// The artifact path of an `mlflow-artifacts:/` location; nil for any other location.
    static func path(of location: String) throws -> ArtifactPath? {
        guard location.hasPrefix(ArtifactWriteRules.scheme) else { return nil }
        return try ArtifactPath(decoded: String(location.dropFirst(ArtifactWriteRules.scheme.count).drop { $0 == "/" }))
    }

    /// Calls `visit` with every file below `folder`, its path relative to the location and its listing entry.
    func walk(
        _ folder: ArtifactPath, under prefix: String, _ visit: (ArtifactPath, String, ArtifactEntry) async throws -> Void
    ) async throws {
        guard case .directory(let entries) = try await store.list(folder) else { return }
        for entry in entries {
            let path = try folder.appending(entry.name)
            let relative = prefix.isEmpty ? entry.name : prefix + "/" + entry.name
            if entry.isDirectory {
                try await walk(path, under: relative, visit)
            } else {
                try await visit(path, relative, entry)
            }
        }
    }

    func file(_ path: ArtifactPath, as relative: String) async throws -> ContentManifest.File {
        let content = try await store.open(path)
        var hasher = SHA256Digest.Incremental()
        var size: Int64 = 0
        try await content.stream { buffer in
            buffer.withUnsafeReadableBytes { hasher.update($0) }
            size += Int64(buffer.readableBytes)
        }
        return ContentManifest.File(path: relative, size: size, sha256: hasher.finalize())
    }
}
