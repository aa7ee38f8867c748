/// A relative path below an artifact root that is known not to leave it.
///
/// MLflow's path-traversal CVEs came from checking a path in one encoding and using it in another. Here a path
/// is percent-decoded once to get the name the client meant, and that name is also decoded repeatedly until
/// it stops changing; every one of those forms must pass every check: no `..` or `.` component, no absolute
/// path or drive letter, no backslash, `#`, `?`, NUL or other control character, no empty component. A `%` that
/// does not start an escape is an ordinary character (`acc_95%.png`).
public struct ArtifactPath: Sendable, Hashable, CustomStringConvertible {
    /// The path's components, never empty strings, `.` or `..`.
    public let components: [String]

    /// The root of the artifact store.
    public static let root = ArtifactPath(trusted: [])

    private init(trusted components: [String]) {
        self.components = components
    }

    /// Validates a path as the client sent it, still percent-encoded (the raw URL form).
    public init(encoded raw: String) throws(StewardError) {
        guard let once = Self.percentDecoded(raw) else { throw Self.invalid(raw) }
        try self.init(decoded: once, original: raw)
    }

    /// Validates a path that the transport has already percent-decoded once (a query parameter's value).
    public init(decoded path: String) throws(StewardError) {
        try self.init(decoded: path, original: path)
    }

    private init(decoded path: String, original: String) throws(StewardError) {
        var layer = path
        var stable = false
        for _ in 0..<8 {
            guard Self.isSafe(layer) else { throw Self.invalid(original) }
            guard let next = Self.percentDecoded(layer) else { throw Self.invalid(original) }
            if next == layer {
                stable = true
                break
            }
            layer = next
        }
        guard stable else { throw Self.invalid(original) }
        let parts = Self.components(of: path)
        guard parts.allSatisfy(Self.isSafeComponent) else { throw Self.invalid(original) }
        self.components = parts
    }

    /// The path joined with `/`; empty for the root.
    public var string: String { components.joined(separator: "/") }
    public var description: String { string }
    public var isRoot: Bool { components.isEmpty }
    /// The last component, or an empty string for the root.
    public var name: String { components.last ?? "" }

    /// This path with one more trusted component appended (a name read from the store itself).
    public func appending(_ component: String) throws(StewardError) -> ArtifactPath {
        guard Self.isSafeComponent(component), Self.isSafe(component), !component.unicodeScalars.contains("/") else { throw Self.invalid(component) }
        return ArtifactPath(trusted: components + [component])
    }

    /// Whether `self` is `other` or lies below it.
    public func isWithin(_ other: ArtifactPath) -> Bool {
        components.starts(with: other.components)
    }

    private static func invalid(_ raw: String) -> StewardError {
        .invalidParameter("Invalid path: '\(raw)'. Artifact paths must be relative and stay within the artifact root.")
    }

    /// The components of `path` split at every `/` scalar, one trailing `/` ignored. Scalars, not characters:
    /// a prepended mark (`U+0602`) or a combining one would otherwise fuse with a `/` into one character that
    /// neither `split` nor `hasPrefix` sees as a separator, while the file system does.
    private static func components(of path: String) -> [String] {
        var scalars = Substring(path).unicodeScalars
        if scalars.last == "/" { scalars = scalars.dropLast() }
        if scalars.isEmpty { return [] }
        return scalars.split(separator: "/", omittingEmptySubsequences: false).map { String(String.UnicodeScalarView($0)) }
    }

    private static func isSafe(_ path: String) -> Bool {
        let scalars = path.unicodeScalars
        if scalars.first == "/" || scalars.first == "~" { return false }
        if scalars.count >= 2 {
            let first = scalars[scalars.startIndex]
            let second = scalars[scalars.index(after: scalars.startIndex)]
            if second == ":" && first.properties.isAlphabetic { return false }
        }
        for scalar in scalars {
            switch scalar {
            case "\\", "#", "?", "\u{0}": return false
            default: if scalar.value < 0x20 || scalar.value == 0x7F { return false }
            }
        }
        return components(of: path).allSatisfy(isSafeComponent)
    }

    private static func isSafeComponent(_ component: String) -> Bool {
        !component.isEmpty && component != "." && component != ".."
    }

    /// Percent-decodes `text`, keeping a `%` that does not start a two-digit hex escape; nil when the decoded
    /// bytes are not UTF-8.
    public static func percentDecoded(_ text: String) -> String? {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return text }
        let source = Array(text.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(source.count)
        var index = 0
        while index < source.count {
            if source[index] == UInt8(ascii: "%"), index + 2 < source.count,
                let high = hexValue(source[index + 1]), let low = hexValue(source[index + 2])
            {
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(source[index])
                index += 1
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
