import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StewardCore

/// The S3 requests an artifact store needs, signed with Signature Version 4 and sent over one pooled
/// async-http-client that never follows a redirect. Keys are given decoded; the client encodes them once, for
/// the request line and the signature alike.
public struct S3Client: Sendable {
    /// Where the bucket is and how to reach it.
    public struct Configuration: Sendable, Equatable {
        public var bucket: String
        public var region: String
        /// An S3-compatible endpoint (`http://127.0.0.1:9000`), addressed path-style (`/bucket/key`); nil for AWS,
        /// addressed by virtual host (`bucket.s3.region.amazonaws.com`).
        public var endpoint: String?
        public var credentials: AWSSignatureV4.Credentials

        public init(bucket: String, region: String, endpoint: String?, credentials: AWSSignatureV4.Credentials) {
            self.bucket = bucket
            self.region = region
            self.endpoint = endpoint
            self.credentials = credentials
        }
    }

    /// An object's size and entity tag.
    public struct ObjectHead: Sendable, Equatable {
        public var size: Int64
        public var eTag: String
    }

    /// One page of a listing.
    public struct ListPage: Sendable {
        public var objects: [(key: String, size: Int64, eTag: String, lastModified: String)]
        public var commonPrefixes: [String]
        public var continuationToken: String?
    }

    /// Never shut down: it lives as long as the process, as `HTTPClient.shared` does.
    static let client = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: .seconds(120)),
            connectionPool: .init(idleTimeout: .seconds(60)), decompression: .disabled))

    public let configuration: Configuration
    let signer: AWSSignatureV4
    /// Scheme and authority of every request, and the path that comes before a key.
    let origin: String
    let host: String
    let bucketPath: String

    public init(_ configuration: Configuration) throws {
        self.configuration = configuration
        signer = AWSSignatureV4(credentials: configuration.credentials, region: configuration.region)
        if let endpoint = configuration.endpoint {
            guard let url = URL(string: endpoint), let scheme = url.scheme, ["http", "https"].contains(scheme), let host = url.host,
                url.path.isEmpty || url.path == "/", url.query == nil
            else {
                throw StewardError.invalidParameter("The S3 endpoint must be an http(s) URL with no path: '\(endpoint)'.")
            }
            self.host = url.port.map { "\(host):\($0)" } ?? host
            origin = "\(scheme)://\(self.host)"
            bucketPath = "/" + configuration.bucket
        } else {
            host = "\(configuration.bucket).s3.\(configuration.region).amazonaws.com"
            origin = "https://" + host
            bucketPath = ""
        }
    }

    // MARK: Objects

    /// The object's size and entity tag, or nil when there is none.
    public func head(_ key: String) async throws -> ObjectHead? {
        let response = try await send("HEAD", key: key)
        if response.status == .notFound { return nil }
        try await Self.expect(.ok, response, "HEAD", key)
        return ObjectHead(
            size: response.headers.first(name: "Content-Length").flatMap { Int64($0) } ?? 0, eTag: response.headers.first(name: "ETag") ?? "")
    }

    /// Writes a whole object.
    public func put(_ key: String, body: ByteBuffer) async throws {
        let response = try await send("PUT", key: key, body: body)
        try await Self.expect(.ok, response, "PUT", key)
    }

    /// Streams the object to `consume`, failing if it changed from the entity tag `eTag`.
    public func get(_ key: String, eTag: String, into consume: (ByteBuffer) async throws -> Void) async throws {
        let response = try await send("GET", key: key, headers: [("If-Match", eTag)], timeout: nil)
        if response.status == .preconditionFailed || response.status == .notFound {
            throw StewardError(.resourceConflict, "Artifact '\(key)' changed while it was being read; ask again.")
        }
        try await Self.expect(.ok, response, "GET", key)
        for try await chunk in response.body { try await consume(chunk) }
    }

    public func delete(_ key: String) async throws {
        try await Self.expect([.noContent, .ok, .notFound], try await send("DELETE", key: key), "DELETE", key)
    }

    /// One page of the keys under `prefix`, folded at `delimiter` into common prefixes.
    public func list(prefix: String, delimiter: String?, continuationToken: String?, maxKeys: Int = 1000) async throws -> ListPage {
        var query: [(name: String, value: String)] = [("list-type", "2"), ("prefix", prefix), ("max-keys", String(maxKeys))]
        if let delimiter { query.append(("delimiter", delimiter)) }
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        let response = try await send("GET", key: nil, query: query)
        try await Self.expect(.ok, response, "LIST", prefix)
        let document = try S3XML.parse(try await response.body.collect(upTo: 16 << 20))
        return ListPage(
            objects: document.children(named: "Contents").map {
                ($0.text(of: "Key") ?? "", Int64($0.text(of: "Size") ?? "") ?? 0, $0.text(of: "ETag") ?? "", $0.text(of: "LastModified") ?? "")
            },
            commonPrefixes: document.children(named: "CommonPrefixes").compactMap { $0.text(of: "Prefix") },
            continuationToken: document.text(of: "IsTruncated") == "true" ? document.text(of: "NextContinuationToken") : nil)
    }

    // MARK: Multipart uploads

    /// Starts a multipart upload of `key`; nothing is visible at the key until it completes.
    public func createMultipartUpload(_ key: String) async throws -> String {
        let response = try await send("POST", key: key, query: [("uploads", "")])
        try await Self.expect(.ok, response, "CreateMultipartUpload", key)
        guard let id = try S3XML.parse(try await response.body.collect(upTo: 1 << 20)).text(of: "UploadId"), !id.isEmpty else {
            throw StewardError(.temporarilyUnavailable, "The S3 store started an upload of '\(key)' without an upload id.")
        }
        return id
    }

    /// Uploads part `number` (from 1) and returns its entity tag.
    public func uploadPart(_ key: String, uploadID: String, number: Int, body: ByteBuffer) async throws -> String {
        let response = try await send("PUT", key: key, query: [("partNumber", String(number)), ("uploadId", uploadID)], body: body)
        try await Self.expect(.ok, response, "UploadPart", key)
        return response.headers.first(name: "ETag") ?? ""
    }

    /// Makes the uploaded parts the object at `key`.
    public func completeMultipartUpload(_ key: String, uploadID: String, parts: [String]) async throws {
        let document =
            "<CompleteMultipartUpload>"
            + parts.enumerated().map { "<Part><PartNumber>\($0.offset + 1)</PartNumber><ETag>\(S3XML.escape($0.element))</ETag></Part>" }.joined()
            + "</CompleteMultipartUpload>"
        let response = try await send("POST", key: key, query: [("uploadId", uploadID)], body: ByteBuffer(string: document))
        try await Self.expect(.ok, response, "CompleteMultipartUpload", key)
        // S3 may answer 200 and still fail: the error is then the body.
        let answer = try S3XML.parse(try await response.body.collect(upTo: 1 << 20))
        if answer.name == "Error" {
            throw StewardError(
                .temporarilyUnavailable, "The S3 store could not complete the upload of '\(key)': \(answer.text(of: "Message") ?? "no reason given")."
            )
        }
    }

    public func abortMultipartUpload(_ key: String, uploadID: String) async throws {
        try await Self.expect(
            [.noContent, .notFound], try await send("DELETE", key: key, query: [("uploadId", uploadID)]), "AbortMultipartUpload", key)
    }

    // MARK: Sending

    /// Signs and sends one request. `timeout` bounds the whole exchange; nil leaves only the read timeout (a
    /// download of gigabytes takes as long as it takes, as long as bytes keep coming).
    func send(
        _ method: String, key: String?, query: [(name: String, value: String)] = [], headers: [(String, String)] = [], body: ByteBuffer? = nil,
        timeout: TimeAmount? = .minutes(5)
    ) async throws -> HTTPClientResponse {
        let path = bucketPath + "/" + (key ?? "")
        var signed = AWSSignatureV4.Request(
            method: method, path: path, query: query, headers: [("Host", host)] + headers.map { (name: $0.0, value: $0.1) },
            payloadHash: body.map { AWSSignatureV4.payloadHash($0.readableBytesView) } ?? AWSSignatureV4.emptyPayloadHash)
        signer.sign(&signed, date: Date())
        let encodedQuery = query.map {
            AWSSignatureV4.encode($0.name, keepingSlash: false) + "=" + AWSSignatureV4.encode($0.value, keepingSlash: false)
        }
        var request = HTTPClientRequest(
            url: origin + AWSSignatureV4.encode(path, keepingSlash: true) + (encodedQuery.isEmpty ? "" : "?" + encodedQuery.joined(separator: "&")))
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in signed.headers where name != "Host" { request.headers.add(name: name, value: value) }
        if let body {
            request.body = .bytes(body)
        } else if method == "PUT" || method == "POST" {
            request.body = .bytes(ByteBuffer())
        }
        do {
            if let timeout { return try await Self.client.execute(request, timeout: timeout) }
            return try await Self.client.execute(request, deadline: .distantFuture)
        } catch {
            throw StewardError(.temporarilyUnavailable, "The S3 store did not answer (\(method) \(key ?? "/")): \(error).")
        }
    }

    /// Fails with S3's own code and message unless the response has `status`.
    static func expect(_ status: HTTPResponseStatus, _ response: HTTPClientResponse, _ operation: String, _ key: String) async throws {
        try await expect([status], response, operation, key)
    }

    /// Fails with S3's own code and message unless the response has one of `statuses`.
    static func expect(_ statuses: [HTTPResponseStatus], _ response: HTTPClientResponse, _ operation: String, _ key: String) async throws {
        guard !statuses.contains(response.status) else { return }
        let body = try? await response.body.collect(upTo: 1 << 20)
        let error = body.flatMap { try? S3XML.parse($0) }
        let detail = [error?.text(of: "Code"), error?.text(of: "Message")].compactMap { $0 }.joined(separator: ": ")
        let message = "The S3 store refused \(operation) of '\(key)' (\(response.status.code)\(detail.isEmpty ? "" : ", " + detail))."
        switch response.status.code {
        case 403: throw StewardError(.permissionDenied, message)
        case 404: throw StewardError(.resourceDoesNotExist, message)
        case 500..<600: throw StewardError(.temporarilyUnavailable, message)
        default: throw StewardError(.internalError, message)
        }
    }
}
