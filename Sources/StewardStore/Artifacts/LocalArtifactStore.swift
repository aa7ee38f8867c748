import Foundation
import NIOCore
import NIOPosix
import StewardCore
import _NIOFileSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Artifacts as files below one root folder on the local disk.
///
/// Every operation maps a validated `ArtifactPath` below the root and then checks, with symbolic links
/// resolved, that the real location is still inside the root. Uploads go to a hidden temporary file in the
/// destination folder, are fsynced, and are renamed into place.
public struct LocalArtifactStore: ArtifactStore {
    public let root: String
    private let fileSystem: FileSystem
    private let threadPool: NIOThreadPool
    /// Prefix of in-progress uploads, hidden from listings.
    static let uploadPrefix = ".steward-upload-"

    /// Uses (creating if needed) the folder at `root`.
    public init(root: String, threadPool: NIOThreadPool = .singleton) throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        guard let resolved = realpath(root, nil) else {
            throw StewardError(.internalError, "Cannot resolve artifact root '\(root)'")
        }
        self.root = String(cString: resolved)
        free(resolved)
        self.threadPool = threadPool
        self.fileSystem = FileSystem(threadPool: threadPool)
    }

    private func location(of path: ArtifactPath) -> String {
        path.isRoot ? root : root + "/" + path.string
    }

    /// Fails when the deepest existing ancestor of `location` resolves outside the root (a planted symlink).
    private func confine(_ location: String) throws {
        var candidate = location
        while true {
            if let resolved = realpath(candidate, nil) {
                let real = String(cString: resolved)
                free(resolved)
                guard real == root || real.hasPrefix(root + "/") else {
                    throw StewardError.invalidParameter("Invalid path: it resolves outside the artifact root.")
                }
                return
            }
            guard let slash = candidate.lastIndex(of: "/"), candidate.count > root.count else { return }
            candidate = String(candidate[..<slash])
        }
    }

    private func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await threadPool.runIfActive(body)
    }

    public func list(_ path: ArtifactPath) async throws -> ArtifactListing {
        let location = location(of: path)
        let root = root
        return try await blocking {
            try confine(location)
            var status = stat()
            guard lstat(location, &status) == 0 else { return .missing }
            if (status.st_mode & S_IFMT) == S_IFREG { return .file(size: Int64(status.st_size)) }
            guard (status.st_mode & S_IFMT) == S_IFDIR else { return .missing }
            let names = try FileManager.default.contentsOfDirectory(atPath: location)
            var entries: [ArtifactEntry] = []
            for name in names.sorted() where !name.hasPrefix(Self.uploadPrefix) {
                var entry = stat()
                guard lstat(location + "/" + name, &entry) == 0 else { continue }
                switch entry.st_mode & S_IFMT {
                case S_IFDIR: entries.append(ArtifactEntry(name: name, isDirectory: true, size: nil))
                case S_IFREG: entries.append(ArtifactEntry(name: name, isDirectory: false, size: Int64(entry.st_size)))
                default: continue  // symbolic links and devices are never served
                }
            }
            _ = root
            return .directory(entries)
        }
    }

    public func write<Contents: AsyncSequence>(_ path: ArtifactPath, contents: Contents, maxBytes: Int64) async throws -> Int64
    where Contents.Element == ByteBuffer {
        guard !path.isRoot else { throw StewardError.invalidParameter("An artifact upload needs a file path.") }
        guard !path.name.hasPrefix(Self.uploadPrefix) else {
            throw StewardError.invalidParameter(
                "Invalid artifact file name: '\(path.name)'. Names starting with '\(Self.uploadPrefix)' are reserved for uploads in progress.")
        }
        let destination = location(of: path)
        let folder = String(destination[..<destination.lastIndex(of: "/")!])
        let temporary = folder + "/" + Self.uploadPrefix + UUID().uuidString
        try await blocking {
            try confine(folder)
            var status = stat()
            if lstat(destination, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR {
                throw StewardError.invalidParameter("Cannot write artifact '\(path)': a directory of that name exists.")
            }
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw StewardError.invalidParameter("Cannot write artifact '\(path)': a parent of it is a file.")
            }
            try confine(folder)
        }
        var written: Int64 = 0
        do {
            try await fileSystem.withFileHandle(forWritingAt: FilePath(temporary), options: .newFile(replaceExisting: false)) { handle in
                for try await chunk in contents {
                    let size = Int64(chunk.readableBytes)
                    guard written + size <= maxBytes else {
                        throw StewardError.invalidParameter("Artifact '\(path)' exceeds the maximum artifact size of \(maxBytes) bytes.")
                    }
                    try await handle.write(contentsOf: chunk, toAbsoluteOffset: written)
                    written += size
                }
                try await handle.synchronize()
            }
            try await blocking {
                guard rename(temporary, destination) == 0 else {
                    throw StewardError(.internalError, "Cannot move upload into place: \(String(cString: strerror(errno)))")
                }
                let descriptor = open(folder, O_RDONLY)
                if descriptor >= 0 {
                    fsync(descriptor)
                    close(descriptor)
                }
            }
        } catch {
            try? await blocking { _ = unlink(temporary) }
            throw error
        }
        return written
    }

    public func read(_ path: ArtifactPath, into consume: (ByteBuffer) async throws -> Void) async throws {
        let location = location(of: path)
        let listing = try await list(path)
        guard case .file(let size) = listing else {
            if case .directory = listing {
                throw StewardError.invalidParameter("Artifact path '\(path)' is a directory; list it instead.")
            }
            throw StewardError.notFound("Artifact '\(path)' does not exist.")
        }
        guard size > 0 else { return }
        try await fileSystem.withFileHandle(forReadingAt: FilePath(location)) { handle in
            for try await chunk in handle.readChunks(in: 0..<size, chunkLength: .kibibytes(256)) {
                try await consume(chunk)
            }
        }
    }

    public func delete(_ path: ArtifactPath) async throws {
        guard !path.isRoot else { throw StewardError.invalidParameter("The artifact root cannot be deleted.") }
        let location = location(of: path)
        try await blocking {
            try confine(location)
            var status = stat()
            guard lstat(location, &status) == 0 else { return }
            try FileManager.default.removeItem(atPath: location)
        }
    }
}
