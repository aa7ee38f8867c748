import StewardCore

/// The artifact path check on arbitrary text, encoded and decoded. What it accepts must stay below its root in
/// every percent-decoding of the whole path: never absolute (`/`, `~`, a drive letter), no backslash, `#`, `?`,
/// NUL or other control character, no empty, `.` or `..` component. (A `%2F` may decode to a separator in a deeper layer: it names a file whose name
/// holds `%2F`, and the layer split at it must still stay below the root.)
enum ArtifactPathFuzzing {
    static func run(_ text: String) {
        for path in [try? ArtifactPath(encoded: text), try? ArtifactPath(decoded: text)].compactMap({ $0 }) {
            precondition(!path.components.contains { $0.unicodeScalars.contains("/") }, "a component of '\(text)' holds a separator")
            var layer = path.string
            for _ in 0..<10 {
                let scalars = Array(layer.unicodeScalars)
                let driveLetter = scalars.count >= 2 && scalars[1] == ":" && scalars[0].properties.isAlphabetic
                precondition(scalars.first != "/" && scalars.first != "~" && !driveLetter, "accepted '\(text)', absolute as '\(layer)'")
                precondition(
                    !scalars.contains { $0 == "\\" || $0 == "#" || $0 == "?" || $0.value < 0x20 || $0.value == 0x7F },
                    "accepted '\(text)' with a backslash, '#', '?' or control character in '\(layer)'")
                // One trailing separator names the same place (`a/` is `a`).
                // Scalars, not characters: a mark fused with `/` into one character is still a separator on disk.
                let folder = scalars.last == "/" ? scalars.dropLast() : scalars[...]
                if !folder.isEmpty {
                    for scalarsOfComponent in folder.split(separator: "/", omittingEmptySubsequences: false) {
                        let component = String(String.UnicodeScalarView(scalarsOfComponent))
                        precondition(
                            !component.isEmpty && component != "." && component != "..", "accepted '\(text)', leaving as '\(layer)'")
                    }
                }
                guard let next = ArtifactPath.percentDecoded(layer), next != layer else { break }
                layer = next
            }
        }
    }
}

/// One input, as libFuzzer hands it over (also the symbol libFuzzer's own `main` would call).
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    ArtifactPathFuzzing.run(String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self))
    return 0
}
