import Foundation
import StewardCore

/// Where artifacts and Steward's own files live, parsed from `--artifacts`: a local folder (the default, inside
/// the data folder) or `s3://bucket/prefix`, whose `artifacts/` and `files/` hold what the local layout keeps in
/// `<data>/artifacts` and `<data>/files`.
public enum ArtifactLocation: Sendable, Equatable, CustomStringConvertible {
    case folder(path: String)
    case s3(bucket: String, prefix: String)

    public init(parsing text: String) throws(StewardError) {
        guard text.hasPrefix("s3://") else {
            guard !text.isEmpty, !text.contains("://") else {
                throw .invalidParameter("Unsupported artifact location '\(text)': use a folder or s3://bucket/prefix.")
            }
            self = .folder(path: text)
            return
        }
        let rest = text.dropFirst("s3://".count)
        let bucket = String(rest.prefix { $0 != "/" })
        // Bucket names: 3 to 63 lower-case letters, digits, dots and hyphens.
        guard (3...63).contains(bucket.count), bucket.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "." || $0 == "-") })
        else {
            throw .invalidParameter("'\(bucket)' is not an S3 bucket name (3 to 63 lower-case letters, digits, dots and hyphens).")
        }
        let prefix = rest.dropFirst(bucket.count).split(separator: "/").joined(separator: "/")
        let path = try ArtifactPath(decoded: prefix)
        self = .s3(bucket: bucket, prefix: path.string)
    }

    public var description: String {
        switch self {
        case .folder(let path): path
        case .s3(let bucket, let prefix): "s3://\(bucket)/\(prefix)"
        }
    }

    /// The S3 client for this location, configured from the environment's `AWS_*` variables (credentials, region,
    /// and `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL` unless `endpoint` is given).
    static func s3Client(bucket: String, endpoint: String?, environment: [String: String]) throws -> S3Client {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        guard let accessKey = value("AWS_ACCESS_KEY_ID"), let secretKey = value("AWS_SECRET_ACCESS_KEY") else {
            throw StewardError.invalidParameter("An S3 artifact store needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment.")
        }
        return try S3Client(
            .init(
                bucket: bucket, region: value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") ?? "us-east-1",
                endpoint: endpoint ?? value("AWS_ENDPOINT_URL_S3") ?? value("AWS_ENDPOINT_URL"),
                credentials: .init(accessKeyID: accessKey, secretAccessKey: secretKey, sessionToken: value("AWS_SESSION_TOKEN"))))
    }
}
