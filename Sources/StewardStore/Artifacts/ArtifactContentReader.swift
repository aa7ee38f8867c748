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
        guard location.hasPrefix(ArtifactWriteRules.scheme) else { return nil }
        let root = try ArtifactPath(decoded: String(location.dropFirst(ArtifactWriteRules.scheme.count).drop { $0 == "/" }))
        var files: [ContentManifest.File] = []
        switch try await store.list(root) {
        case .missing: break
        case .file: files.append(try await file(root, as: root.name))
        case .directory: try await collect(root, under: "", into: &files)
        }
        return ContentManifest(files: files)
    }

    /// Every file below `folder`, with paths relative to the location.
    func collect(_ folder: ArtifactPath, under prefix: String, into files: inout [ContentManifest.File]) async throws {
        guard case .directory(let entries) = try await store.list(folder) else { return }
        for entry in entries {
            let path = try folder.appending(entry.name)
            let relative = prefix.isEmpty ? entry.name : prefix + "/" + entry.name
            if entry.isDirectory {
                try await collect(path, under: relative, into: &files)
            } else {
                files.append(try await file(path, as: relative))
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
