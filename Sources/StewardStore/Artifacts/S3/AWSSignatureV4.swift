import Crypto
import Foundation
import StewardCore

/// AWS Signature Version 4 (header form): what S3 and S3-compatible stores require of every request.
///
/// The signer works on a request's parts as they will be sent: the path decoded (it is encoded here, byte by byte,
/// exactly as the request line must carry it), query pairs decoded, headers as given, and the SHA-256 of the
/// payload in hex. Checked against AWS's published test suite and S3's worked examples (`AWSSignatureV4Tests`).
public struct AWSSignatureV4: Sendable {
    /// Credentials as the `AWS_*` variables give them.
    public struct Credentials: Sendable, Equatable {
        public var accessKeyID: String
        public var secretAccessKey: String
        /// Temporary credentials' token, sent as `x-amz-security-token`.
        public var sessionToken: String?

        public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
        }
    }

    public let credentials: Credentials
    public let region: String
    public let service: String
    /// Whether `.` and `..` segments and repeated slashes are resolved before signing. Every AWS service does so
    /// but S3, whose object keys may hold them literally.
    public let normalizesPath: Bool

    public init(credentials: Credentials, region: String, service: String = "s3", normalizesPath: Bool = false) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.normalizesPath = normalizesPath
    }

    /// The hex SHA-256 of an empty payload.
    public static let emptyPayloadHash = payloadHash(Data())

    /// The hex SHA-256 of a payload, as a request's `payloadHash`.
    public static func payloadHash<Bytes: DataProtocol>(_ bytes: Bytes) -> String {
        var digest = SHA256Digest.Incremental()
        digest.update(bytes)
        return digest.finalize()
    }

    /// The request's parts that the signature covers.
    public struct Request: Sendable {
        public var method: String
        /// The path, decoded: `/bucket/a key/ሴ`.
        public var path: String
        /// Query pairs, decoded, in any order.
        public var query: [(name: String, value: String)]
        /// Header names and values as they will be sent; a name may repeat.
        public var headers: [(name: String, value: String)]
        /// The payload's SHA-256 in hex (or `UNSIGNED-PAYLOAD`).
        public var payloadHash: String

        public init(
            method: String, path: String, query: [(name: String, value: String)] = [], headers: [(name: String, value: String)],
            payloadHash: String
        ) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }
    }

    /// Adds `x-amz-date` (at `date`), `x-amz-content-sha256` for S3, the session token if any, and `Authorization`.
    public func sign(_ request: inout Request, date: Date) {
        let stamp = Self.timestamp(date)
        request.headers.append(("x-amz-date", stamp))
        if service == "s3" { request.headers.append(("x-amz-content-sha256", request.payloadHash)) }
        if let token = credentials.sessionToken { request.headers.append(("x-amz-security-token", token)) }
        request.headers.append(("Authorization", authorization(request, timestamp: stamp)))
    }

    /// The `Authorization` header's value for `request` signed at `timestamp` (`20150830T123600Z`), which the
    /// request must carry as `x-amz-date`.
    func authorization(_ request: Request, timestamp: String) -> String {
        let (canonical, signedHeaders) = canonicalRequest(request)
        let signature = Self.hex(
            HMAC<SHA256>.authenticationCode(
                for: Data(stringToSign(canonical, timestamp: timestamp).utf8), using: signingKey(day: String(timestamp.prefix(8)))))
        return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(timestamp)), SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    /// The canonical request and its signed-header list.
    func canonicalRequest(_ request: Request) -> (String, signedHeaders: String) {
        let pairs: [(name: String, value: String)] = request.query.map {
            (Self.encode($0.name, keepingSlash: false), Self.encode($0.value, keepingSlash: false))
        }
        let query = pairs.sorted { ($0.name, $0.value) < ($1.name, $1.value) }.map { $0.name + "=" + $0.value }.joined(separator: "&")
        var headers: [String: [String]] = [:]
        for (name, value) in request.headers where name.lowercased() != "authorization" {
            headers[name.lowercased(), default: []].append(Self.trim(value))
        }
        let names = headers.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(headers[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let path = Self.encode(normalizesPath ? Self.normalize(request.path) : request.path, keepingSlash: true)
        return ([request.method, path, query, canonicalHeaders, signedHeaders, request.payloadHash].joined(separator: "\n"), signedHeaders)
    }

    func stringToSign(_ canonicalRequest: String, timestamp: String) -> String {
        ["AWS4-HMAC-SHA256", timestamp, scope(timestamp), SHA256Digest.hex(of: Data(canonicalRequest.utf8))].joined(separator: "\n")
    }

    /// The credential scope of a signature made at `timestamp`: its day, region and service.
    private func scope(_ timestamp: String) -> String {
        "\(timestamp.prefix(8))/\(region)/\(service)/aws4_request"
    }

    private func signingKey(day: String) -> SymmetricKey {
        var key = SymmetricKey(data: Data(("AWS4" + credentials.secretAccessKey).utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return key
    }

    /// `20150830T123600Z`.
    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!)
    }

    /// Percent-encodes every byte but the unreserved characters (and `/` in a path), upper-case hex.
    static func encode(_ text: String, keepingSlash: Bool) -> String {
        var encoded = ""
        encoded.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(UnicodeScalar(byte))
            case UInt8(ascii: "/") where keepingSlash:
                encoded.append("/")
            default:
                encoded += String(format: "%%%02X", byte)
            }
        }
        return encoded
    }

    /// A header value trimmed, with runs of spaces inside it made one.
    static func trim(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    /// The path with `.` and `..` segments resolved and empty segments dropped (RFC 3986's removal of dot
    /// segments, as AWS's services but S3 apply it); a trailing slash stays.
    static func normalize(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        let last = path.split(separator: "/", omittingEmptySubsequences: false).last
        let trailing = path.hasSuffix("/") || last == "." || last == ".."
        let joined = "/" + segments.joined(separator: "/")
        return trailing && !segments.isEmpty ? joined + "/" : joined
    }

    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
