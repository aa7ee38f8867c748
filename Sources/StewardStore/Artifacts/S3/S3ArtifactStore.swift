import Foundation
import NIOCore
import StewardCore
import Synchronization

/// Artifacts as objects below one key prefix of an S3 bucket (AWS or any S3-compatible store).
///
/// A path's key is the prefix followed by the validated path, which has no `.`, `..` or empty component; S3
/// keys are literal, so no path reaches outside the prefix. Contents stream both ways: an upload is sent part by
/// part as it arrives (a multipart upload, invisible until it completes at commit; see `partSize`), and only a
/// file smaller than one part is held whole, to be written with one PUT at commit. A download streams the object
/// as it was when opened (its entity tag is checked), so it never disagrees with the size it announced.
public struct S3ArtifactStore: ArtifactStore {
    public let client: S3Client
    /// The key prefix: empty, or ending with `/`.
    public let prefix: String
    /// Contents staged and not yet committed or discarded, by their location.
    private let pending = PendingUploads()

    public init(client: S3Client, prefix: String) {
        self.client = client
        let trimmed = prefix.split(separator: "/").joined(separator: "/")
        self.prefix = trimmed.isEmpty ? "" : trimmed + "/"
    }

    /// The size of part `number` (from 1): 8 MiB for the first thousand parts, doubling with each thousand after,
    /// so S3's 10,000 parts reach past its largest object (5 TiB) while an upload of gigabytes holds only 8 MiB.
    static func partSize(_ number: Int) -> Int {
        (8 << 20) << min((number - 1) / 1000, 9)
    }

    func key(_ path: ArtifactPath) -> String {
        prefix + path.string
    }

    public func list(_ path: ArtifactPath) async throws -> ArtifactListing {
        if !path.isRoot, let head = try await client.head(key(path)) { return .file(size: head.size) }
        let folder = path.isRoot ? prefix : key(path) + "/"
        var entries: [ArtifactEntry] = []
        var token: String?
        repeat {
            let page = try await client.list(prefix: folder, delimiter: "/", continuationToken: token)
            for object in page.objects {
                let name = String(object.key.dropFirst(folder.count))
                guard !name.isEmpty else { continue }  // a folder marker some tools write
                entries.append(ArtifactEntry(name: name, isDirectory: false, size: object.size, stamp: object.eTag + " " + object.lastModified))
            }
            for common in page.commonPrefixes {
                let name = String(common.dropFirst(folder.count).dropLast())
                if !name.isEmpty { entries.append(ArtifactEntry(name: name, isDirectory: true, size: nil)) }
            }
            token = page.continuationToken
        } while token != nil
        if entries.isEmpty && !path.isRoot { return .missing }
        return .directory(entries.sorted { $0.name < $1.name })
    }

    public func stage<Contents: AsyncSequence>(_ path: ArtifactPath, contents: Contents, maxBytes: Int64) async throws -> StagedArtifact
    where Contents.Element == ByteBuffer {
        guard !path.isRoot else { throw StewardError.invalidParameter("An artifact upload needs a file path.") }
        let key = key(path)
        if try await !client.list(prefix: key + "/", delimiter: "/", continuationToken: nil, maxKeys: 1).isEmpty {
            throw StewardError.invalidParameter("Cannot write artifact '\(path)': a directory of that name exists.")
        }
        var buffered = ByteBuffer()
        var written: Int64 = 0
        var upload: (id: String, parts: [String])?
        do {
            for try await chunk in contents {
                written += Int64(chunk.readableBytes)
                guard written <= maxBytes else {
                    throw StewardError(.resourceLimitExceeded, "Artifact '\(path)' exceeds the maximum artifact size of \(maxBytes) bytes.")
                }
                var chunk = chunk
                buffered.writeBuffer(&chunk)
                while buffered.readableBytes >= Self.partSize((upload?.parts.count ?? 0) + 1) {
                    if upload == nil { upload = (try await client.createMultipartUpload(key), []) }
                    let part = buffered.readSlice(length: Self.partSize(upload!.parts.count + 1))!
                    upload!.parts.append(try await client.uploadPart(key, uploadID: upload!.id, number: upload!.parts.count + 1, body: part))
                    buffered.discardReadBytes()
                }
            }
            guard var upload else {
                let location = "put:" + UUID().uuidString
                pending.add(location, .whole(buffered))
                return StagedArtifact(path: path, size: written, location: location)
            }
            if buffered.readableBytes > 0 {
                upload.parts.append(try await client.uploadPart(key, uploadID: upload.id, number: upload.parts.count + 1, body: buffered))
            }
            let location = "multipart:" + upload.id
            pending.add(location, .parts(upload.parts))
            return StagedArtifact(path: path, size: written, location: location)
        } catch {
            if let upload { try? await client.abortMultipartUpload(key, uploadID: upload.id) }
            throw error
        }
    }

    public func commit(_ staged: StagedArtifact) async throws {
        guard let contents = pending.take(staged.location) else {
            throw StewardError(.internalError, "Staged contents for '\(staged.path)' are not pending in this store.")
        }
        switch contents {
        case .whole(let body): try await client.put(key(staged.path), body: body)
        case .parts(let parts):
            try await client.completeMultipartUpload(key(staged.path), uploadID: String(staged.location.dropFirst("multipart:".count)), parts: parts)
        }
    }

    public func discard(_ staged: StagedArtifact) async {
        guard case .parts = pending.take(staged.location) else { return }
        try? await client.abortMultipartUpload(key(staged.path), uploadID: String(staged.location.dropFirst("multipart:".count)))
    }

    public func open(_ path: ArtifactPath) async throws -> any ArtifactContent {
        guard !path.isRoot, let head = try await client.head(key(path)) else {
            if case .directory = try await list(path) {
                throw StewardError.invalidParameter("Artifact path refers to a directory, not a file: '\(path)'")
            }
            throw StewardError.notFound("No such artifact: '\(path)'")
        }
        return S3ArtifactContent(client: client, key: key(path), head: head)
    }

    public func delete(_ path: ArtifactPath) async throws {
        guard !path.isRoot else { throw StewardError.invalidParameter("The artifact root cannot be deleted.") }
        try await client.delete(key(path))
        var token: String?
        repeat {
            let page = try await client.list(prefix: key(path) + "/", delimiter: nil, continuationToken: token)
            for object in page.objects { try await client.delete(object.key) }
            token = page.continuationToken
        } while token != nil
    }
}

extension S3Client.ListPage {
    var isEmpty: Bool { objects.isEmpty && commonPrefixes.isEmpty }
}

/// An object opened for reading: its size and entity tag as they were when it was opened.
struct S3ArtifactContent: ArtifactContent {
    let client: S3Client
    let key: String
    let head: S3Client.ObjectHead
    var size: Int64 { head.size }

    func stream(into consume: (ByteBuffer) async throws -> Void) async throws {
        guard size > 0 else { return }
        try await client.get(key, eTag: head.eTag, into: consume)
    }
}

/// Staged uploads between `stage` and `commit` or `discard`, shared by every copy of the store.
final class PendingUploads: Sendable {
    enum Contents: Sendable {
        /// A file smaller than one part, written with one PUT at commit.
        case whole(ByteBuffer)
        /// A multipart upload's part entity tags, in order.
        case parts([String])
    }

    private let staged = Mutex<[String: Contents]>([:])

    func add(_ location: String, _ contents: Contents) {
        staged.withLock { $0[location] = contents }
    }

    func take(_ location: String) -> Contents? {
        staged.withLock { $0.removeValue(forKey: location) }
    }
}
