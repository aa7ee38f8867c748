import Testing

@testable import StewardCore

@Suite("Artifact paths never leave the artifact root")
struct ArtifactPathTests {
    @Test(
        "Traversal shapes from MLflow's CVE history are refused",
        arguments: [
            "../etc/passwd", "a/../../etc/passwd", "a/..", "..", ".", "./a", "a/./b",
            "/etc/passwd", "//etc/passwd", "%2Fetc%2Fpasswd", "%2e%2e/%2e%2e/etc/passwd", "%2E%2E%2Fetc",
            "%252e%252e%252fetc%252fpasswd", "%25252e%25252e%25252f", "a%2f..%2f..%2fb",
            "..%5c..%5cwindows", "a\\b", "..\\..\\etc", "C:\\Windows", "c:/windows", "a#b", "a%23b", "a?b", "a%3Fb",
            "a%00b", "a\u{0}b", "a\nb", "a//b", "~/secrets", "1/abc/artifacts/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
            "%25252e%25252e", "a%2f%2e%2e%2fb", "..%252fx",
        ])
    func refusesTraversal(_ raw: String) {
        #expect(throws: StewardError.self) { try ArtifactPath(encoded: raw) }
    }

    @Test("Decoded query values get the same checks", arguments: ["../x", "/abs", "a/%2e%2e/b", "a\\b", "a/#", "%2e%2e"])
    func refusesDecodedTraversal(_ value: String) {
        #expect(throws: StewardError.self) { try ArtifactPath(decoded: value) }
    }

    @Test("Ordinary nested paths are accepted, percent-decoded once")
    func acceptsNormalPaths() throws {
        #expect(try ArtifactPath(encoded: "1/abc/artifacts/model/MLmodel").components == ["1", "abc", "artifacts", "model", "MLmodel"])
        #expect(try ArtifactPath(encoded: "1/a%20b/file%2Bname.txt").components == ["1", "a b", "file+name.txt"])
        #expect(try ArtifactPath(encoded: "dir/").components == ["dir"])
        #expect(try ArtifactPath(encoded: "x..y/..z").components == ["x..y", "..z"])
        #expect(try ArtifactPath(decoded: "").isRoot)
        #expect(try ArtifactPath(encoded: "plots/acc_95%25.png").components == ["plots", "acc_95%.png"])
        #expect(try ArtifactPath(encoded: "acc_95%.png").components == ["acc_95%.png"])
        #expect(try ArtifactPath(encoded: "%zz/%2").components == ["%zz", "%2"])
    }

    /// Found by Fuzz/FuzzArtifactPath while its property was being written: an escaped separator is part of a name,
    /// and any later decoding of the name still splits into components below the root.
    @Test("An escaped separator stays in its component")
    func escapedSeparators() throws {
        #expect(try ArtifactPath(decoded: "c%%2F").components == ["c%%2F"])
        #expect(try ArtifactPath(encoded: "c%%2F").components == ["c%"])
        #expect(try ArtifactPath(decoded: "a%2Fb/c").components == ["a%2Fb", "c"])
        #expect(throws: StewardError.self) { try ArtifactPath(decoded: "a%2F%2E%2E%2F%2E%2E") }
    }

    /// Found by Fuzz/FuzzArtifactPath: U+0602 (a prepended mark) and a combining accent fuse with a `/` into one
    /// character, which a character-wise split or prefix check does not see as a separator; the file system does.
    @Test("A mark fused with a separator is still a separator")
    func markedSeparators() throws {
        #expect(try ArtifactPath(encoded: "e/a%\u{602}/b").components == ["e", "a%\u{602}", "b"])
        #expect(try ArtifactPath(decoded: "x\u{602}/y").components == ["x\u{602}", "y"])
        #expect(throws: StewardError.self) { try ArtifactPath(decoded: "/\u{301}etc/passwd") }
        #expect(throws: StewardError.self) { try ArtifactPath(decoded: "a/\u{602}/../b") }
        #expect(throws: StewardError.self) { try ArtifactPath(encoded: "1").appending("a\u{602}/b") }
    }

    @Test("Appending names read from the store keeps the same guarantees")
    func appending() throws {
        let base = try ArtifactPath(encoded: "1/run")
        #expect(try base.appending("a.txt").string == "1/run/a.txt")
        #expect(throws: StewardError.self) { try base.appending("..") }
        #expect(throws: StewardError.self) { try base.appending("a/b") }
        #expect(try base.appending("a.txt").isWithin(base))
    }
}
