import NIOCore

/// A file on the local disk that a service reads whole (a test set, training data), with its SHA-256 and size.
public struct LocalFile: Sendable, Equatable {
    public let path: String
    /// SHA-256 of the content, in hex.
    public let digest: String
    public let size: Int64

    public init(path: String, digest: String, size: Int64) {
        self.path = path
        self.digest = digest
        self.size = size
    }
}

/// Files the services read whole from the local disk: an upload staged as it arrives, a file Steward keeps for
/// itself, or an artifact a run logged. Each is a temporary copy that exists while the body runs and is removed
/// after, so no service handles file names or cleans up.
public protocol FileStore: Sendable {
    /// Runs `body` with `contents` written to a temporary file, hashed on the way. Refuses more than
    /// `maximumBytes`, and an empty body.
    func withStaged<Contents: AsyncSequence & Sendable, Result: Sendable>(
        _ contents: Contents, maximumBytes: Int64, _ body: (LocalFile) async throws -> Result
    ) async throws -> Result where Contents.Element == ByteBuffer
    /// Runs `body` with a temporary copy of the stored file at `location`, or nil when none is there.
    func withCopy<Result: Sendable>(of location: ArtifactPath, _ body: (LocalFile?) async throws -> Result) async throws -> Result
    /// Stores a local file at `location`, a location that names its content (`datasets/<sha256>.csv`): unless a
    /// file with the same digest is there already. One that no longer matches (changed behind the server's back)
    /// is replaced, so uploading a test set again repairs it.
    func storeByContent(_ file: LocalFile, at location: ArtifactPath) async throws
}
