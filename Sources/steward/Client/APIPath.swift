import Foundation

/// A path of Steward's API in which every interpolated value is one path segment: percent-encoded, `/` included,
/// so that a name given on the command line (`1/../../other`) can never reach another route. An empty value, `.`
/// or `..` makes the path invalid, and the client refuses to send it.
struct APIPath: ExpressibleByStringInterpolation, Sendable {
    let encoded: String
    /// The first interpolated value that cannot be a segment, if any.
    let invalid: String?

    init(stringLiteral value: String) {
        encoded = value
        invalid = nil
    }

    init(stringInterpolation: Interpolation) {
        encoded = stringInterpolation.encoded
        invalid = stringInterpolation.invalid
    }

    struct Interpolation: StringInterpolationProtocol {
        var encoded = ""
        var invalid: String?

        init(literalCapacity: Int, interpolationCount: Int) {}

        mutating func appendLiteral(_ literal: String) { encoded += literal }

        mutating func appendInterpolation(_ value: String) {
            if value.isEmpty || value == "." || value == "..", invalid == nil { invalid = value }
            encoded += APIPath.encode(value)
        }
    }

    /// RFC 3986's unreserved characters stay; every other byte is percent-encoded (a `+` too, which some readers of a
    /// query take for a space).
    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
