/// The head of a scoring request (`POST /serve/{system}/invocations`) as the serving fast path reads it from a
/// connection's bytes, without NIO's HTTP codec (`ServingFastPath`).
///
/// It reads a deliberately narrow form of HTTP/1.1, and anything outside it is `unsupported`, which hands the
/// connection's bytes, unread, to the HTTP codec and the router: a request line of exactly that route and
/// `HTTP/1.1`; lines ending in CRLF; header names of token characters followed directly by `:`; values of
/// visible ASCII, spaces and tabs; at most one `Content-Length` of up to ten digits; no `Transfer-Encoding`,
/// `Expect`, `Upgrade` or `Authorization`; `Connection` only `close` or `keep-alive`; no repeated header the
/// fast path reads. Whatever it accepts, any conforming parser reads the same way, so a request cannot mean one
/// thing here and another to the router (no smuggling between the two).
struct ServingRequestHead: Equatable {
    /// The `{system}` segment: the system's id or name.
    let system: String
    let contentLength: Int
    /// `Connection: close`.
    let closing: Bool
    /// `X-Steward-Unit`.
    let unit: String?
    /// `X-Steward-Request-Id`.
    let requestID: String?
    /// Bytes of the head through its empty line.
    let length: Int

    enum Reading: Equatable {
        /// The head has not all come yet.
        case incomplete
        /// Not a request this reader takes: the HTTP codec reads it.
        case unsupported
        case head(ServingRequestHead)
    }

    /// A longer head goes to the HTTP codec, whose own limits apply.
    static let largestHead = 16 * 1024

    static func read(_ bytes: UnsafeRawBufferPointer) -> Reading {
        var reader = Reader(bytes: bytes)
        guard let head = reader.head() else { return reader.incomplete ? .incomplete : .unsupported }
        return .head(head)
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var position = 0
        /// Set when a reading failed only because the bytes ran out.
        var incomplete = false

        static let carriageReturn = UInt8(ascii: "\r")
        static let lineFeed = UInt8(ascii: "\n")

        /// The end of the line starting at `position` (the index of its CR), or nil when there is no complete
        /// line (then `incomplete` says whether more bytes could complete it) or it holds a lone CR or LF.
        mutating func lineEnd() -> Int? {
            var index = position
            while index < bytes.count {
                let byte = bytes[index]
                if byte == Self.carriageReturn {
                    guard index + 1 < bytes.count else { break }
                    return bytes[index + 1] == Self.lineFeed ? index : nil
                }
                if byte == Self.lineFeed { return nil }
                index += 1
            }
            incomplete = bytes.count < ServingRequestHead.largestHead
            return nil
        }

        mutating func head() -> ServingRequestHead? {
            guard let system = requestLine() else { return nil }
            var contentLength: Int?
            var closing = false
            var connectionSeen = false
            var unit: String?
            var requestID: String?
            while true {
                guard let end = lineEnd() else { return nil }
                if end == position {
                    position = end + 2
                    guard position <= ServingRequestHead.largestHead else { return nil }
                    return ServingRequestHead(
                        system: system, contentLength: contentLength ?? 0, closing: closing, unit: unit, requestID: requestID, length: position)
                }
                guard let (name, value) = field(upTo: end) else { return nil }
                position = end + 2
                switch Header(name) {
                case .contentLength:
                    guard contentLength == nil, let length = HTTPHeadBytes.decimal(value, maximumDigits: 10) else { return nil }
                    contentLength = length
                case .connection:
                    guard !connectionSeen else { return nil }
                    connectionSeen = true
                    if HTTPHeadBytes.equalsIgnoringCase(value, "close") {
                        closing = true
                    } else if !HTTPHeadBytes.equalsIgnoringCase(value, "keep-alive") {
                        return nil
                    }
                case .unit:
                    guard unit == nil else { return nil }
                    unit = String(decoding: value, as: UTF8.self)
                case .requestID:
                    guard requestID == nil else { return nil }
                    requestID = String(decoding: value, as: UTF8.self)
                case .refused:
                    return nil
                case .other:
                    break
                }
            }
        }

        /// The system of `POST /serve/{system}/invocations[?query] HTTP/1.1`.
        mutating func requestLine() -> String? {
            guard let end = lineEnd() else { return nil }
            let line = UnsafeRawBufferPointer(rebasing: bytes[position..<end])
            let prefix = "POST /serve/".utf8
            let suffix = " HTTP/1.1".utf8
            guard line.count > prefix.count + suffix.count, line.starts(with: prefix), line.reversed().starts(with: suffix.reversed())
            else { return nil }
            let target = line[(line.startIndex + prefix.count)..<(line.endIndex - suffix.count)]
            guard let slash = target.firstIndex(of: UInt8(ascii: "/")), slash > target.startIndex else { return nil }
            let systemBytes = target[target.startIndex..<slash]
            guard systemBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !"%?#".utf8.contains($0) }) else { return nil }
            var rest = target[(slash + 1)...]
            let route = "invocations".utf8
            guard rest.starts(with: route) else { return nil }
            rest = rest.dropFirst(route.count)
            if let first = rest.first {
                guard first == UInt8(ascii: "?"), rest.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
            }
            position = end + 2
            return String(decoding: systemBytes, as: UTF8.self)
        }

        /// A header line's name and value (without surrounding spaces and tabs).
        func field(upTo end: Int) -> (UnsafeRawBufferPointer, UnsafeRawBufferPointer)? {
            var index = position
            while index < end, Self.isTokenCharacter(bytes[index]) { index += 1 }
            guard index > position, index < end, bytes[index] == UInt8(ascii: ":") else { return nil }
            let name = UnsafeRawBufferPointer(rebasing: bytes[position..<index])
            let value = HTTPHeadBytes.trimmingWhitespace(UnsafeRawBufferPointer(rebasing: bytes[(index + 1)..<end]))
            for byte in value where !(byte >= 0x20 && byte < 0x7F) && byte != 0x09 { return nil }
            return (name, value)
        }

        static func isTokenCharacter(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
            default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }

    /// The headers the reader acts on.
    private enum Header {
        case contentLength, connection, unit, requestID
        /// Headers this reader leaves to the HTTP codec and the router.
        case refused
        case other

        init(_ name: UnsafeRawBufferPointer) {
            switch name.count {
            case 6 where HTTPHeadBytes.equalsIgnoringCase(name, "expect"): self = .refused
            case 7 where HTTPHeadBytes.equalsIgnoringCase(name, "upgrade"): self = .refused
            case 10 where HTTPHeadBytes.equalsIgnoringCase(name, "connection"): self = .connection
            case 13 where HTTPHeadBytes.equalsIgnoringCase(name, "authorization"): self = .refused
            case 14 where HTTPHeadBytes.equalsIgnoringCase(name, "content-length"): self = .contentLength
            case 14 where HTTPHeadBytes.equalsIgnoringCase(name, "x-steward-unit"): self = .unit
            case 17 where HTTPHeadBytes.equalsIgnoringCase(name, "transfer-encoding"): self = .refused
            case 20 where HTTPHeadBytes.equalsIgnoringCase(name, "x-steward-request-id"): self = .requestID
            default: self = .other
            }
        }
    }
}
