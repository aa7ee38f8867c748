import Testing

@testable import StewardCore

@Suite("Tracking rules")
struct TrackingRulesTests {
    @Test("The latest value is the greatest by step, then timestamp, then value; NaN ranks below numbers")
    func supersedes() {
        let base = Metric(key: "m", value: 1, timestamp: 10, step: 1)
        #expect(Metric(key: "m", value: 0, timestamp: 0, step: 2).supersedes(base))
        #expect(!Metric(key: "m", value: 9, timestamp: 99, step: 0).supersedes(base))
        #expect(Metric(key: "m", value: 0, timestamp: 11, step: 1).supersedes(base))
        #expect(Metric(key: "m", value: 2, timestamp: 10, step: 1).supersedes(base))
        #expect(!Metric(key: "m", value: 1, timestamp: 10, step: 1).supersedes(base))
        #expect(!Metric(key: "m", value: .nan, timestamp: 10, step: 1).supersedes(base))
        #expect(Metric(key: "m", value: -.infinity, timestamp: 10, step: 1).supersedes(Metric(key: "m", value: .nan, timestamp: 10, step: 1)))
    }

    @Test("Metric keys: MLflow's characters, and no name that resolves to another path")
    func keys() throws {
        for key in ["acc", "val/loss", "a b", "x.y-z:1", "métrique", "a_1"] {
            try TrackingLimits.validateKey(key, path: "key")
        }
        for key in ["../a", "a/../b", "/abs", "a//b", "a/", ".", "a/.", "bad*char", "semi;colon", "", String(repeating: "k", count: 251)] {
            #expect(throws: StewardError.self, "\(key)") { try TrackingLimits.validateKey(key, path: "key") }
        }
    }

    @Test("A refused value is quoted as JSON in MLflow's wording: quotes, backslashes and control characters escaped")
    func invalidValueWording() {
        #expect(
            TrackingLimits.invalidValue("key", "a\"b\\c\n\u{1}é").message
                == #"Invalid value "a\"b\\c\n\u0001é" for parameter 'key' supplied."#)
        #expect(TrackingLimits.invalidValue("name", nil, "Why.").message == "Invalid value null for parameter 'name' supplied: Why.")
    }

    @Test("Page tokens round-trip and tampered ones are refused")
    func pageTokens() throws {
        let token = PageToken(offset: 250).encoded
        #expect(try PageToken.decode(token) == PageToken(offset: 250))
        #expect(try PageToken.decode(nil) == PageToken(offset: 0))
        #expect(throws: StewardError.self) { try PageToken.decode("not base64!") }
        #expect(throws: StewardError.self) { try PageToken.decode("aGVsbG8=") }
        #expect(throws: StewardError.self) { try PageToken.decode(PageToken(offset: -1).encoded) }
    }

    @Test("Generated run names are adjective-noun-number")
    func runNames() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let parts = RunNameGenerator.name(using: &generator).split(separator: "-")
            #expect(parts.count == 3)
            #expect(RunNameGenerator.adjectives.contains(String(parts[0])))
            #expect(RunNameGenerator.nouns.contains(String(parts[1])))
            #expect(Int(parts[2]).map { (0..<1000).contains($0) } == true)
        }
    }

    @Test("Experiment artifact locations: proxied or object stores, never local paths or web URLs")
    func artifactLocations() throws {
        #expect(try ExperimentService.normalizedArtifactLocation("MLflow-Artifacts:///team/exp") == "mlflow-artifacts:/team/exp")
        for location in ["mlflow-artifacts:/team/exp", "s3://bucket/prefix", "gs://b/p", "wasbs://c@a.blob.core.windows.net/p"] {
            _ = try ExperimentService.normalizedArtifactLocation(location)
        }
        for location in [
            "file:///etc", "/tmp/x", "relative/dir", "http://169.254.169.254/latest", "https://example.com/a", "mlflow-artifacts:/../x",
            "mlflow-artifacts:/a%2f..%2f..%2fb", "mlflow-artifacts:/a%20b", "mlflow-artifacts:/a b", "s3://bucket/a#frag", "s3://bucket/a?x=1",
            "s3://bucket/../x", "C:\\data",
        ] {
            #expect(throws: StewardError.self, "\(location)") { _ = try ExperimentService.normalizedArtifactLocation(location) }
        }
    }
}
