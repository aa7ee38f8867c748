import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StewardServer
import StewardTestSupport
import Testing

/// The artifact proxy: MLflow's list semantics, streamed upload and download, and no way out of the root.
@Suite("Artifact proxy routes")
struct ArtifactRouteTests {
    static let prefix = "/api/2.0/mlflow-artifacts/artifacts"

    @Test("Upload, list (a file lists as {}), download with safe headers, delete")
    func roundTrip() async throws {
        try await withApplication(.sqlite) { client, services in
            let content = ByteBuffer(string: String(repeating: "0123456789", count: 100_000))
            #expect(try await client.call(.put, "\(Self.prefix)/1/run/artifacts/model/data.bin", bytes: content).status == .ok)
            #expect(try await client.call(.put, "\(Self.prefix)/1/run/artifacts/a%20b.txt", bytes: ByteBuffer(string: "hello")).status == .ok)

            let root = try await client.call(.get, "\(Self.prefix)?path=1%2Frun%2Fartifacts")
            let files = root.body.array("files")
            #expect(files.map { $0.string("path") } == ["a b.txt", "model"])
            #expect(files[0]["is_dir"] as? Bool == false)
            #expect((files[0]["file_size"] as? NSNumber)?.intValue == 5)
            #expect(files[1]["is_dir"] as? Bool == true)
            #expect(files[1]["file_size"] == nil)
            let fileListing = try await client.call(.get, "\(Self.prefix)?path=1/run/artifacts/a%20b.txt")
            #expect(fileListing.status == .ok)
            #expect(String(buffer: fileListing.raw) == "{}")
            #expect(String(buffer: try await client.call(.get, "\(Self.prefix)?path=1/none").raw) == "{}")

            try await client.execute(uri: "\(Self.prefix)/1/run/artifacts/model/data.bin", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.body == content)
                #expect(response.headers[.contentDisposition]?.hasPrefix("attachment") == true)
                #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                #expect(response.headers[.contentType] == "application/octet-stream")
            }
            try await client.execute(uri: "\(Self.prefix)/1/run/artifacts/a%20b.txt", method: .get) { response in
                #expect(String(buffer: response.body) == "hello")
                #expect(response.headers[.contentType] == "text/plain")
            }
            try await client.expectError(.get, "\(Self.prefix)/1/run/artifacts/missing.txt", status: .notFound, code: "RESOURCE_DOES_NOT_EXIST")
            try await client.expectError(.get, "\(Self.prefix)/1/run/artifacts/model", status: .badRequest, code: "INVALID_PARAMETER_VALUE")
            try await client.expectError(.put, "\(Self.prefix)/1/run/artifacts/model/", status: .badRequest, code: "INVALID_PARAMETER_VALUE")
            try await client.expectError(
                .put, "\(Self.prefix)/1/run/artifacts/.steward-upload-x", status: .badRequest, code: "INVALID_PARAMETER_VALUE")
            #expect(try await client.call(.put, "\(Self.prefix)/1/run/artifacts/empty.txt", bytes: ByteBuffer()).status == .ok)
            let withEmpty = try await client.call(.get, "\(Self.prefix)?path=1/run/artifacts").body.array("files")
            #expect(withEmpty.first { $0.string("path") == "empty.txt" }?["file_size"] == nil, "a 0-byte file omits file_size, as MLflow")
            #expect(try await client.call(.delete, "\(Self.prefix)/1/run/artifacts/empty.txt").status == .ok)
            #expect(try await client.call(.delete, "\(Self.prefix)/1/run/artifacts/never-there").status == .ok)
            #expect(try await client.call(.put, "\(Self.prefix)/1/run/artifacts/acc_95%25.png", bytes: ByteBuffer(string: "png")).status == .ok)
            let percent = try await client.call(.get, "\(Self.prefix)?path=1/run/artifacts").body.array("files").map { $0.string("path") }
            #expect(percent.contains("acc_95%.png"))
            try await client.expectError(
                .put, "\(Self.prefix)/1/run/artifacts/\(String(repeating: "n", count: 300))", status: .badRequest, code: "INVALID_PARAMETER_VALUE")
            try await client.expectError(
                .put, "\(Self.prefix)/1/run/artifacts/\(String(repeating: "d", count: 300))/f", status: .badRequest, code: "INVALID_PARAMETER_VALUE")
            #expect(try await client.call(.delete, "\(Self.prefix)/1/run/artifacts/model").status == .ok)
            #expect(
                try await client.call(.get, "\(Self.prefix)?path=1/run/artifacts").body.array("files").map { $0.string("path") } == [
                    "a b.txt", "acc_95%.png",
                ])
            _ = services
        }
    }

    @Test(
        "Traversal attempts are refused with 400 and write nothing",
        arguments: [
            "../escape.txt", "..%2fescape.txt", "%2e%2e/escape.txt", "%2e%2e%2fescape.txt", "%252e%252e%252fescape.txt",
            "1/%2e%2e/%2e%2e/escape.txt", "1/run/..%5c..%5cescape.txt", "%2Fetc%2Fescape.txt", "//etc/escape.txt",
            "1/a%23b", "1/a%3Fb", "1/a%00b", "1/a%5Cb", "C:%5Cescape.txt", "1/./x", "1//x",
        ])
    func traversal(path: String) async throws {
        try await withApplication(.sqlite) { client, services in
            let response = try await client.call(.put, "\(Self.prefix)/\(path)", bytes: ByteBuffer(string: "pwned"))
            #expect(response.status == .badRequest, "\(path): \(String(buffer: response.raw))")
            #expect(response.body.string("error_code") == "INVALID_PARAMETER_VALUE")
            let artifactRoot = services.storage.artifactRoot
            let dataFolder = (artifactRoot as NSString).deletingLastPathComponent
            let written =
                FileManager.default.enumerator(atPath: dataFolder)?.compactMap { $0 as? String }.filter {
                    $0.contains("escape") || $0.contains("pwned")
                } ?? []
            #expect(written.isEmpty)
            #expect(try await client.call(.get, "\(Self.prefix)/\(path)").status == .badRequest)
            #expect(try await client.call(.delete, "\(Self.prefix)/\(path)").status == .badRequest)
            #expect(try await client.call(.get, "\(Self.prefix)?path=\(path)").status == .badRequest)
        }
    }

    @Test("Uploads above the configured size are refused and leave nothing behind")
    func sizeLimit() async throws {
        try await withApplication(.sqlite, configuration: ServerConfiguration(maximumArtifactBytes: 1000)) { client, services in
            let response = try await client.call(.put, "\(Self.prefix)/1/big.bin", bytes: ByteBuffer(repeating: 1, count: 5000))
            #expect(response.status == .contentTooLarge)
            #expect(response.body.string("error_code") == "RESOURCE_LIMIT_EXCEEDED")
            let leftovers = try FileManager.default.subpathsOfDirectory(atPath: services.storage.artifactRoot).filter { !$0.hasSuffix("1") }
            #expect(leftovers.isEmpty, "\(leftovers)")
            #expect(try await client.call(.put, "\(Self.prefix)/1/small.bin", bytes: ByteBuffer(repeating: 1, count: 1000)).status == .ok)
        }
    }

    @Test("A run's artifacts list through the tracking API with paths relative to the run root")
    func trackingListing() async throws {
        try await withApplication(.sqlite) { client, _ in
            let created = try await client.call(.post, "/api/2.0/mlflow/runs/create", json: #"{"experiment_id": "0"}"#)
            let runID = try #require(created.body.dictionary("run")?.dictionary("info")?.string("run_id"))
            try await client.call(.put, "\(Self.prefix)/0/\(runID)/artifacts/dir/t.txt", bytes: ByteBuffer(string: "abc"))
            let listing = try await client.call(.get, "/api/2.0/mlflow/artifacts/list?run_id=\(runID)&path=dir")
            #expect(listing.body.string("root_uri") == "mlflow-artifacts:/0/\(runID)/artifacts")
            #expect(listing.body.array("files").map { $0.string("path") } == ["dir/t.txt"])
            try await client.expectError(
                .get, "/api/2.0/mlflow/artifacts/list?run_id=\(runID)&path=../..", status: .badRequest, code: "INVALID_PARAMETER_VALUE")
        }
    }
}
