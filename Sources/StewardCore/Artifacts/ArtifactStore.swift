import NIOCore

/// One entry of an artifact directory listing.
public struct ArtifactEntry: Sendable, Equatable {
    /// The entry's name within the listed directory.
    public var name: String
    public var isDirectory: Bool
    /// The file size in bytes; nil for directories.
    public var size: Int64?
    /// A stamp that changes whenever the file's content may have (on a local disk its inode and status-change
    /// time, which no one can set back), so a check of the content can be reused while it stays; nil when the
    /// store has none.
    public var stamp: String?

    public init(name: String, isDirectory: Bool, size: Int64?, stamp: String? = nil) {
        self.name = name
        self.isDirectory = isDirectory
        self.size = size
        self.stamp = stamp
    }
}

/// What a path holds.
public enum ArtifactListing: Sendable, Equatable {
    case missing
    case file(size: Int64)
    case directory([ArtifactEntry])
}

/// One artifact opened for reading: its size is fixed when it is opened, so a download never sends a body
/// that disagrees with its `Content-Length`, even if an upload replaces the file meanwhile.
public protocol ArtifactContent: Sendable {
    var size: Int64 { get }
    /// Streams the content to `consume` and releases it; call exactly once.
    func stream(into consume: (ByteBuffer) async throws -> Void) async throws
}

/// Storage for run and model artifacts, addressed by validated relative paths.
///
/// Contents stream in both directions: a store never holds a whole artifact in memory. A write becomes
/// visible only when complete and durable, so a reader never sees half a file and an acknowledged upload
/// survives a crash.
public protocol ArtifactStore: Sendable {
    /// What is at `path`: nothing, a file, or a directory with its entries sorted by name.
    func list(_ path: ArtifactPath) async throws -> ArtifactListing
    /// Streams `contents` into a staging file for `path` and makes it durable, refusing more than `maxBytes`;
    /// nothing is visible at `path` until `commit`. A caller checks what must hold between the two.
    func stage<Contents: AsyncSequence>(_ path: ArtifactPath, contents: Contents, maxBytes: Int64) async throws -> StagedArtifact
    where Contents.Element == ByteBuffer
    /// Makes staged contents visible at their path, replacing any file there.
    func commit(_ staged: StagedArtifact) async throws
    /// Drops staged contents that will not be committed.
    func discard(_ staged: StagedArtifact) async
    /// Opens the file at `path` for streaming (`resourceDoesNotExist` when there is none, a 400 for a directory).
    func open(_ path: ArtifactPath) async throws -> any ArtifactContent
    /// Removes the file or directory tree at `path`; removing nothing is not an error.
    func delete(_ path: ArtifactPath) async throws
}

/// Contents written and durable but not yet visible at their path: committed or discarded exactly once.
public struct StagedArtifact: Sendable {
    public let path: ArtifactPath
    /// The number of bytes staged.
    public let size: Int64
    /// Where the store holds the contents until they are committed; meaningful only to the store that staged them.
    public let location: String

    public init(path: ArtifactPath, size: Int64, location: String) {
        self.path = path
        self.size = size
        self.location = location
    }
}

extension ArtifactStore {
    /// Streams `contents` into the file at `path`, replacing any file there, with nothing to check before it
    /// becomes visible. Returns the number of bytes written.
    public func write<Contents: AsyncSequence>(_ path: ArtifactPath, contents: Contents, maxBytes: Int64) async throws -> Int64
    where Contents.Element == ByteBuffer {
        let staged = try await stage(path, contents: contents, maxBytes: maxBytes)
        do {
            try await commit(staged)
        } catch {
            await discard(staged)
            throw error
        }
        return staged.size
    }
}
