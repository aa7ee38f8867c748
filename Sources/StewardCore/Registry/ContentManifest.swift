import Foundation

/// What a model version consists of, file by file: each file's path below the version's location, its size and
/// its SHA-256, and one digest over all of them.
///
/// What was approved must be what is served. The manifest is recorded when the version is registered (a prompt's
/// is its template), and the files are checked against it again before the version is approved, promoted or
/// handed out for download; a difference is an integrity failure that names what changed.
public struct ContentManifest: Sendable, Equatable, Codable {
    public struct File: Sendable, Equatable, Codable {
        public var path: String
        public var size: Int64
        public var sha256: String

        public init(path: String, size: Int64, sha256: String) {
            self.path = path
            self.size = size
            self.sha256 = sha256
        }
    }

    /// The files, ordered by path (byte order), so that the digest does not depend on the order they were read.
    public let files: [File]

    public init(files: [File]) {
        self.files = files.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }

    /// The manifest of a prompt version: its content tags (`PromptTags.isContent`; the template always, the type,
    /// response format and model configuration when given), which are what a reviewer approved. The marker
    /// `mlflow.prompt.is_prompt` says what the version is, not what it holds, and is left out.
    public init(prompt tags: [Tag]) {
        var latest: [String: String] = [PromptTags.text: ""]
        for tag in tags where PromptTags.isContent(tag.key) && tag.key != PromptTags.isPrompt { latest[tag.key] = tag.value }
        self.init(files: latest.map { File(path: $0.key, size: Int64($0.value.utf8.count), sha256: SHA256Digest.hex(of: Data($0.value.utf8))) })
    }

    /// `sha256:` and the SHA-256 of one line per file, `<sha256> <size> <path>`, in path order: the same
    /// files give the same digest wherever they are stored.
    public var digest: String {
        "sha256:" + SHA256Digest.hex(of: Data(files.map { "\($0.sha256) \($0.size) \($0.path)\n" }.joined().utf8))
    }

    /// How `current` differs from this manifest, one phrase per file: changed, added or removed.
    public func differences(to current: ContentManifest) -> [String] {
        let recorded = Dictionary(files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let now = Dictionary(current.files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        var found: [String] = []
        for file in current.files {
            if let before = recorded[file.path] {
                if before != file { found.append("'\(file.path)' changed") }
            } else {
                found.append("'\(file.path)' was added")
            }
        }
        for file in files where now[file.path] == nil { found.append("'\(file.path)' was removed") }
        return found
    }
}

/// Reads the files of a location the server stores, for their manifest.
public protocol ContentReader: Sendable {
    /// The manifest of every file at or below `location` (an `mlflow-artifacts:/…` URI), hashed as it is read;
    /// nil when the location is not one the server stores (an object store the client writes to directly).
    func manifest(of location: String) async throws -> ContentManifest?
    /// A digest of every file's path, size and stamp at or below `location`, without reading them: it changes
    /// whenever a file may have. Nil when the location is not stored here or a file has no stamp.
    func fingerprint(of location: String) async throws -> String?
}
