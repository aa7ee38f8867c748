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
                case S_IFREG:
                    let stamp = "\(entry.st_ino):\(entry.st_ctim.tv_sec).\(entry.st_ctim.tv_nsec)"
                    entries.append(ArtifactEntry(name: name, isDirectory: false, size: Int64(entry.st_size), stamp: stamp))
                default: continue  // symbolic links and devices are never served
                }
            }
            _ = root
            return .directory(entries)
        }
    }

    public func stage<Contents: AsyncSequence>(_ path: ArtifactPath, contents: Contents, maxBytes: Int64) async throws -> StagedArtifact
    where Contents.Element == ByteBuffer {
        guard !path.isRoot else { throw StewardError.invalidParameter("An artifact upload needs a file path.") }
        guard !path.name.hasPrefix(Self.uploadPrefix) else {
            throw StewardError.invalidParameter(
                "Invalid artifact file name: '\(path.name)'. Names starting with '\(Self.uploadPrefix)' are reserved for uploads in progress.")
        }
        let destination = location(of: path)
        let folder = Self.folder(of: destination)
        let temporary = folder + "/" + Self.uploadPrefix + UUID().uuidString
        let root = root
        try await blocking {
            try confine(folder)
            var status = stat()
            if lstat(destination, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR {
                throw StewardError.invalidParameter("Cannot write artifact '\(path)': a directory of that name exists.")
            }
            try Self.makeDirectories(for: path, below: root)
            try confine(folder)
        }
        var written: Int64 = 0
        do {
            try await fileSystem.withFileHandle(forWritingAt: FilePath(temporary), options: .newFile(replaceExisting: false)) { handle in
                for try await chunk in contents {
                    let size = Int64(chunk.readableBytes)
                    guard written + size <= maxBytes else {
                        throw StewardError(.resourceLimitExceeded, "Artifact '\(path)' exceeds the maximum artifact size of \(maxBytes) bytes.")
                    }
                    try await handle.write(contentsOf: chunk, toAbsoluteOffset: written)
                    written += size
                }
                try await handle.synchronize()
            }
        } catch {
            try? await blocking { _ = unlink(temporary) }
            throw Self.storeError(error, path)
        }
        return StagedArtifact(path: path, size: written, location: temporary)
    }

    public func commit(_ staged: StagedArtifact) async throws {
        guard isStaging(staged) else {
            throw StewardError(.internalError, "Staged contents for '\(staged.path)' are not in its folder.")
        }
        let destination = location(of: staged.path)
        let folder = Self.folder(of: destination)
        try await blocking {
            guard rename(staged.location, destination) == 0 else { throw Self.pathError(errno, staged.path) }
            Self.syncDirectory(folder)
        }
    }

    /// Removes the staging file at once, on the calling thread: it must go even when the task is cancelled.
    public func discard(_ staged: StagedArtifact) async {
        guard isStaging(staged) else { return }
        _ = unlink(staged.location)
    }

    /// Whether `staged` names a staging file directly in the folder of its (validated) path, as `stage` makes them.
    private func isStaging(_ staged: StagedArtifact) -> Bool {
        let prefix = Self.folder(of: location(of: staged.path)) + "/" + Self.uploadPrefix
        return staged.location.hasPrefix(prefix) && !staged.location.dropFirst(prefix.count).contains("/")
    }

    /// The folder that holds the file at `location`.
    private static func folder(of location: String) -> String {
        String(location[..<location.lastIndex(of: "/")!])
    }

    /// A file-system failure while writing `path` as the error a client sees.
    private static func storeError(_ error: any Error, _ path: ArtifactPath) -> any Error {
        if let error = error as? FileSystemError, let systemError = error.cause as? FileSystemError.SystemCallError {
            return pathError(systemError.errno.rawValue, path)
        }
        return error
    }

    public func open(_ path: ArtifactPath) async throws -> any ArtifactContent {
        let location = location(of: path)
        guard case .file = try await list(path) else {
            if case .directory = try await list(path) {
                throw StewardError.invalidParameter("Artifact path refers to a directory, not a file: '\(path)'")
            }
            throw StewardError.notFound("No such artifact: '\(path)'")
        }
        let handle = try await fileSystem.openFile(forReadingAt: FilePath(location), options: OpenOptions.Read(followSymbolicLinks: false))
        do {
            let info = try await handle.info()
            guard info.type == .regular else { throw StewardError.notFound("No such artifact: '\(path)'") }
            return LocalArtifactContent(handle: handle, size: info.size)
        } catch {
            try? await handle.close()
            throw error
        }
    }

    /// Creates the folders above `path` that are missing, fsyncing each parent so that a new folder survives a
    /// power loss together with the file put in it.
    static func makeDirectories(for path: ArtifactPath, below root: String) throws {
        var current = root
        for component in path.components.dropLast() {
            let next = current + "/" + component
            if mkdir(next, 0o755) == 0 {
                syncDirectory(current)
            } else if errno == EEXIST {
                var status = stat()
                guard lstat(next, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else {
                    throw StewardError.invalidParameter("Cannot write artifact '\(path)': '\(component)' above it is a file.")
                }
            } else {
                throw pathError(errno, path)
            }
            current = next
        }
    }

    /// A client-facing error for a failed system call on `path`.
    static func pathError(_ code: Int32, _ path: ArtifactPath) -> StewardError {
        switch code {
        case ENAMETOOLONG: .invalidParameter("Artifact path '\(path)' has a name longer than the file system allows.")
        case ENOTDIR, EISDIR, EEXIST: .invalidParameter("Artifact path '\(path)' conflicts with an existing file or folder.")
        case ENOSPC, EDQUOT: StewardError(.temporarilyUnavailable, "The artifact store is out of space.")
        default: StewardError(.internalError, "Cannot store artifact '\(path)': \(String(cString: strerror(code)))")
        }
    }

    static func syncDirectory(_ folder: String) {
        let descriptor = Glibc.open(folder, O_RDONLY)
        if descriptor >= 0 {
            fsync(descriptor)
            close(descriptor)
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

/// An open local file, read from the handle opened before its size was taken.
struct LocalArtifactContent: ArtifactContent {
    let handle: ReadFileHandle
    let size: Int64

    func stream(into consume: (ByteBuffer) async throws -> Void) async throws {
        do {
            if size > 0 {
                for try await chunk in handle.readChunks(in: 0..<size, chunkLength: .kibibytes(256)) {
                    try await consume(chunk)
                }
            }
        } catch {
            try? await handle.close()
            throw error
        }
        try await handle.close()
    }
}
