import Foundation
import Testing

@testable import StewardStore

/// The signer against AWS's published vectors (`Fixtures/sigv4.json`): every case's canonical request, string to
/// sign and signature, from the request as the suite writes it.
@Suite struct AWSSignatureV4Tests {
    struct Settings: Decodable {
        let access_key_id: String
        let secret_access_key: String
        let region: String
        let service: String
        let date: String
    }
    struct SuiteCase: Decodable {
        let name: String
        let request: String
        let canonical_request: String
        let string_to_sign: String
        let authorization: String
        let normalizes_path: Bool
    }
    struct S3Example: Decodable {
        let name: String
        let method: String
        let path: String
        let query: [[String]]
        let headers: [[String]]
        let payload: String
        let canonical_request: String
        let string_to_sign: String
        let signature: String
    }
    struct Vectors: Decodable {
        let suite: Settings
        let cases: [SuiteCase]
        let s3: Settings
        let s3_examples: [S3Example]
    }

    static let vectors: Vectors = {
        let url = Bundle.module.url(forResource: "sigv4", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(Vectors.self, from: Data(contentsOf: url))
    }()

    static func signer(_ settings: Settings, normalizesPath: Bool) -> AWSSignatureV4 {
        AWSSignatureV4(
            credentials: .init(accessKeyID: settings.access_key_id, secretAccessKey: settings.secret_access_key), region: settings.region,
            service: settings.service, normalizesPath: normalizesPath)
    }

    /// The suite's raw request: request line, headers (a line that starts with a space continues the one
    /// before), a blank line and the body. The path and query are percent-decoded as a client holds them.
    static func parse(_ text: String) -> AWSSignatureV4.Request {
        let (head, body) = text.range(of: "\n\n").map { (String(text[..<$0.lowerBound]), String(text[$0.upperBound...])) } ?? (text, "")
        var lines = head.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let requestLine = lines.removeFirst()
        let method = String(requestLine.prefix { $0 != " " })
        let target = String(requestLine.dropFirst(method.count + 1).dropLast(" HTTP/1.1".count))
        var headers: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            if line.first == " " {
                headers[headers.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
            } else {
                let colon = line.firstIndex(of: ":")!
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
        }
        let path = String(target.prefix { $0 != "?" })
        let query = target.dropFirst(path.count + 1).split(separator: "&").map { pair -> (name: String, value: String) in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]).removingPercentEncoding!, parts.count > 1 ? String(parts[1]).removingPercentEncoding! : "")
        }
        return AWSSignatureV4.Request(
            method: method, path: path, query: query, headers: headers, payloadHash: AWSSignatureV4.payloadHash(Data(body.utf8)))
    }

    @Test("AWS's signature test suite: canonical request, string to sign and Authorization header of every case")
    func suite() {
        let vectors = Self.vectors
        #expect(vectors.cases.count == 30)
        for testCase in vectors.cases {
            let signer = Self.signer(vectors.suite, normalizesPath: testCase.normalizes_path)
            var request = Self.parse(testCase.request)
            if !request.headers.contains(where: { $0.name.lowercased() == "x-amz-date" }) {
                request.headers.append(("X-Amz-Date", vectors.suite.date))
            }
            let (canonical, _) = signer.canonicalRequest(request)
            #expect(canonical == testCase.canonical_request, "\(testCase.name)")
            #expect(signer.stringToSign(canonical, timestamp: vectors.suite.date) == testCase.string_to_sign, "\(testCase.name)")
            #expect(signer.authorization(request, timestamp: vectors.suite.date) == testCase.authorization, "\(testCase.name)")
        }
    }

    @Test("S3's worked examples: GET with a range, PUT, a bucket's lifecycle and a listing")
    func s3Examples() {
        let vectors = Self.vectors
        #expect(vectors.s3_examples.count == 4)
        let signer = Self.signer(vectors.s3, normalizesPath: false)
        for example in vectors.s3_examples {
            let request = AWSSignatureV4.Request(
                method: example.method, path: example.path, query: example.query.map { ($0[0], $0[1]) },
                headers: example.headers.map { ($0[0], $0[1]) }, payloadHash: AWSSignatureV4.payloadHash(Data(example.payload.utf8)))
            let (canonical, _) = signer.canonicalRequest(request)
            #expect(canonical == example.canonical_request, "\(example.name)")
            #expect(signer.stringToSign(canonical, timestamp: vectors.s3.date) == example.string_to_sign, "\(example.name)")
            #expect(signer.authorization(request, timestamp: vectors.s3.date).hasSuffix("Signature=\(example.signature)"), "\(example.name)")
        }
    }

    @Test("Signing adds the date, the payload hash for S3, a session token, and an Authorization that covers them")
    func signAddsHeaders() {
        let signer = AWSSignatureV4(
            credentials: .init(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "secret", sessionToken: "token"), region: "eu-west-1")
        var request = AWSSignatureV4.Request(
            method: "PUT", path: "/bucket/runs/a b/ሴ.txt", headers: [("Host", "s3.example")], payloadHash: AWSSignatureV4.emptyPayloadHash)
        signer.sign(&request, date: Date(timeIntervalSince1970: 1_440_938_160))
        let headers = Dictionary(request.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
        #expect(headers["x-amz-date"] == "20150830T123600Z")
        #expect(headers["x-amz-content-sha256"] == AWSSignatureV4.emptyPayloadHash)
        #expect(headers["x-amz-security-token"] == "token")
        let authorization = headers["authorization"] ?? ""
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20150830/eu-west-1/s3/aws4_request, "))
        #expect(authorization.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"))
        #expect(signer.canonicalRequest(request).0.hasPrefix("PUT\n/bucket/runs/a%20b/%E1%88%B4.txt\n"))
    }
}
