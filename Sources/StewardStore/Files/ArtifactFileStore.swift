import Foundation
import NIOCore
import StewardCore

/// The services' `FileStore` over an artifact store: uploads are staged in the temporary folder, stored files
/// are copied out of the store to it, and every temporary file is removed when the body that used it returns.
public struct ArtifactFileStore: FileStore {
    let store: any ArtifactStore

    public init(store: any ArtifactStore) {
        self.store = store
    }

    public func withStaged<Contents: AsyncSequence & Sendable, Result: Sendable>(
        _ contents: Contents, maximumBytes: Int64, _ body: (LocalFile) async throws -> Result
    ) async throws -> Result where Contents.Element == ByteBuffer {
        let file = try await Self.stage(contents, maximumBytes: maximumBytes, refusingEmpty: true)
        defer { try? FileManager.default.removeItem(atPath: file.path) }
        return try await body(file)
    }

    public func withCopy<Result: Sendable>(of location: ArtifactPath, _ body: (LocalFile?) async throws -> Result) async throws -> Result {
        let content: any ArtifactContent
        do { content = try await store.open(location) } catch let error as StewardError where error.code == .resourceDoesNotExist {
            return try await body(nil)
        }
        let file = try await Self.stage(Self.chunks(of: content), maximumBytes: .max, refusingEmpty: false)
        defer { try? FileManager.default.removeItem(atPath: file.path) }
        return try await body(file)
    }

    public func storeByContent(_ file: LocalFile, at location: ArtifactPath) async throws {
        if case .file = try await store.list(location) {
            var hasher = SHA256Digest.Incremental()
            try await store.open(location).stream { buffer in hasher.update(buffer.readableBytesView) }
            if hasher.finalize() == file.digest { return }
        }
        _ = try await store.write(location, contents: Self.chunks(ofFile: file.path), maxBytes: .max)
    }

    /// Streams buffers to a new temporary file, hashing them on the way.
    static func stage<Contents: AsyncSequence>(_ contents: Contents, maximumBytes: Int64, refusingEmpty: Bool) async throws -> LocalFile
    where Contents.Element == ByteBuffer {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("steward-file-\(UUID().uuidString)").path
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw StewardError(.internalError, "Could not create a temporary file.")
        }
        defer { try? handle.close() }
        var hasher = SHA256Digest.Incremental()
        var written: Int64 = 0
        do {
            for try await buffer in contents {
                written += Int64(buffer.readableBytes)
                guard written <= maximumBytes else {
                    throw StewardError.invalidParameter("The body is larger than the limit of \(maximumBytes) bytes.")
                }
                let data = Data(buffer: buffer)
                hasher.update(data)
                try handle.write(contentsOf: data)
            }
            guard written > 0 || !refusingEmpty else { throw StewardError.invalidParameter("The body is empty; it must hold the file.") }
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        return LocalFile(path: path, digest: hasher.finalize(), size: written)
    }

    /// A stored artifact's content as a sequence of buffers.
    static func chunks(of content: any ArtifactContent) -> AsyncThrowingStream<ByteBuffer, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await content.stream { buffer in continuation.yield(buffer) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// A local file's content as a sequence of buffers.
    static func chunks(ofFile path: String) -> AsyncThrowingStream<ByteBuffer, any Error> {
        AsyncThrowingStream { continuation in
            guard let handle = FileHandle(forReadingAtPath: path) else {
                continuation.finish(throwing: StewardError(.internalError, "The staged file vanished before it was stored."))
                return
            }
            defer { try? handle.close() }
            while let data = try? handle.read(upToCount: 1 << 20), !data.isEmpty { continuation.yield(ByteBuffer(data: data)) }
            continuation.finish()
        }
    }
}
