import StewardCore
import Testing

@testable import StewardStore

/// `--artifacts`: a folder, or an S3 bucket and a prefix that obeys the artifact path rules.
@Suite struct ArtifactLocationTests {
    @Test("s3://bucket/prefix names the bucket and a clean prefix; a folder is a folder")
    func parses() throws {
        #expect(try ArtifactLocation(parsing: "s3://ml-artifacts/team/steward/") == .s3(bucket: "ml-artifacts", prefix: "team/steward"))
        #expect(try ArtifactLocation(parsing: "s3://ml-artifacts") == .s3(bucket: "ml-artifacts", prefix: ""))
        #expect(try ArtifactLocation(parsing: "s3://ml-artifacts//a//b") == .s3(bucket: "ml-artifacts", prefix: "a/b"))
        #expect(try ArtifactLocation(parsing: "/var/lib/steward/artifacts") == .folder(path: "/var/lib/steward/artifacts"))
    }

    @Test("A bucket that S3 could not name, a prefix that climbs, or another scheme is refused with the reason")
    func refuses() {
        for text in ["s3://", "s3://ab", "s3://Upper/x", "s3://a_b/x", "s3://bucket/../x", "s3://bucket/a/%2E%2E/b", "gs://bucket/x", ""] {
            #expect(throws: StewardError.self, "\(text)") { try ArtifactLocation(parsing: text) }
        }
    }

    @Test("The S3 client needs credentials from the environment and takes its region and endpoint from there too")
    func environment() throws {
        #expect(throws: StewardError.self) { try ArtifactLocation.s3Client(bucket: "b-1", endpoint: nil, environment: [:]) }
        let client = try ArtifactLocation.s3Client(
            bucket: "ml-artifacts", endpoint: nil,
            environment: [
                "AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_DEFAULT_REGION": "eu-west-1",
                "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9000",
            ])
        #expect(client.configuration.region == "eu-west-1" && client.configuration.endpoint == "http://127.0.0.1:9000")
        #expect(client.origin == "http://127.0.0.1:9000" && client.bucketPath == "/ml-artifacts")
        let aws = try ArtifactLocation.s3Client(
            bucket: "ml-artifacts", endpoint: nil, environment: ["AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "secret"])
        #expect(aws.origin == "https://ml-artifacts.s3.us-east-1.amazonaws.com" && aws.bucketPath == "")
        #expect(throws: StewardError.self) {
            try ArtifactLocation.s3Client(
                bucket: "b-1", endpoint: "http://host/path", environment: ["AWS_ACCESS_KEY_ID": "i", "AWS_SECRET_ACCESS_KEY": "s"])
        }
    }

    @Test("Parts are 8 MiB, doubling each thousand parts, so 10,000 parts hold S3's largest object")
    func partSizes() {
        #expect(S3ArtifactStore.partSize(1) == 8 << 20 && S3ArtifactStore.partSize(1000) == 8 << 20 && S3ArtifactStore.partSize(1001) == 16 << 20)
        #expect((1...10_000).reduce(Int64(0)) { $0 + Int64(S3ArtifactStore.partSize($1)) } >= 5 << 40)
        #expect(S3ArtifactStore.partSize(10_000) <= 5 << 30)
    }
}
