/// The head of a request the serving fast path (`ServingFastPath`) reads from a connection's bytes, without NIO's
/// HTTP codec: a scoring request (`POST /serve/{system}/invocations`) or an LLM gateway call (`POST
/// /v1/chat/completions`, `POST /v1/embeddings`).
///
/// It reads a deliberately narrow form of HTTP/1.1, and anything outside it is `unsupported`, which hands the
/// connection's bytes, unread, to the HTTP codec and the router: a request line of exactly one of those routes and
/// `HTTP/1.1`; lines ending in CRLF; header names of token characters followed directly by `:`; values of
/// visible ASCII, spaces and tabs; at most one `Content-Length` of up to ten digits; no `Transfer-Encoding`,
/// `Expect` or `Upgrade`; `Connection` only `close` or `keep-alive`; no repeated header the fast path reads.
/// `Authorization` only on a gateway call, as `Bearer <key>` (a scoring request with credentials is the router's:
/// its authentication middleware reads them). Whatever it accepts, any conforming parser reads the same way, so a
/// request cannot mean one thing here and another to the router (no smuggling between the two).
struct ServingRequestHead: Equatable {
    /// What the request asks for.
    enum Route: Equatable {
        /// A scoring request; `system` is the `{system}` segment, the system's id or name.
        case serve(system: String)
        /// An LLM gateway call.
        case gateway(GatewayCall.Kind)
    }

    let route: Route
    let contentLength: Int
    /// `Connection: close`.
    let closing: Bool
    /// `X-Steward-Unit`.
    let unit: String?
    /// `X-Steward-Request-Id` on a scoring request, `X-Request-Id` on a gateway call (each route's own).
    let requestID: String?
    /// A gateway call's key, from `Authorization: Bearer <key>`.
    var key: String? = nil
    /// A gateway call's `Cache-Control`.
    var cacheControl: String? = nil
    /// Bytes of the head through its empty line.
    let length: Int

    /// The `{system}` segment of a scoring request.
    var system: String? {
        if case .serve(let system) = route { system } else { nil }
    }

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
            guard let route = requestLine() else { return nil }
            let gateway = if case .gateway = route { true } else { false }
            var contentLength: Int?
            var closing = false
            var connectionSeen = false
            var unit: String?
            var requestID: String?
            var key: String?
            var cacheControl: String?
            while true {
                guard let end = lineEnd() else { return nil }
                if end == position {
                    position = end + 2
                    guard position <= ServingRequestHead.largestHead, !gateway || key != nil else { return nil }
                    return ServingRequestHead(
                        route: route, contentLength: contentLength ?? 0, closing: closing, unit: unit, requestID: requestID, key: key,
                        cacheControl: cacheControl, length: position)
                }
                guard let (name, value) = field(upTo: end) else { return nil }
                position = end + 2
                let header = Header(name)
                switch header {
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
                case .requestID, .gatewayRequestID:
                    guard header == (gateway ? .gatewayRequestID : .requestID) else { break }
                    guard requestID == nil else { return nil }
                    requestID = String(decoding: value, as: UTF8.self)
                case .authorization:
                    // Only a gateway call's key; `Bearer` in any case, as the router reads it.
                    guard gateway, key == nil, value.count > 7,
                        HTTPHeadBytes.equalsIgnoringCase(UnsafeRawBufferPointer(rebasing: value.prefix(7)), "bearer ")
                    else { return nil }
                    key = String(decoding: HTTPHeadBytes.trimmingWhitespace(UnsafeRawBufferPointer(rebasing: value.dropFirst(7))), as: UTF8.self)
                case .cacheControl:
                    guard cacheControl == nil else { return nil }
                    cacheControl = String(decoding: value, as: UTF8.self)
                case .refused:
                    return nil
                case .other:
                    break
                }
            }
        }

        /// The route of `POST /serve/{system}/invocations[?query] HTTP/1.1`, `POST /v1/chat/completions HTTP/1.1` or
        /// `POST /v1/embeddings HTTP/1.1`.
        mutating func requestLine() -> Route? {
            guard let end = lineEnd() else { return nil }
            let line = UnsafeRawBufferPointer(rebasing: bytes[position..<end])
            for (text, kind) in [("POST /v1/chat/completions HTTP/1.1", GatewayCall.Kind.chat), ("POST /v1/embeddings HTTP/1.1", .embeddings)]
            where line.elementsEqual(text.utf8) {
                position = end + 2
                return .gateway(kind)
            }
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
            return .serve(system: String(decoding: systemBytes, as: UTF8.self))
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
    private enum Header: Equatable {
        case contentLength, connection, unit, requestID, gatewayRequestID, authorization, cacheControl
        /// Headers this reader leaves to the HTTP codec and the router.
        case refused
        case other

        init(_ name: UnsafeRawBufferPointer) {
            switch name.count {
            case 6 where HTTPHeadBytes.equalsIgnoringCase(name, "expect"): self = .refused
            case 7 where HTTPHeadBytes.equalsIgnoringCase(name, "upgrade"): self = .refused
            case 10 where HTTPHeadBytes.equalsIgnoringCase(name, "connection"): self = .connection
            case 12 where HTTPHeadBytes.equalsIgnoringCase(name, "x-request-id"): self = .gatewayRequestID
            case 13 where HTTPHeadBytes.equalsIgnoringCase(name, "authorization"): self = .authorization
            case 13 where HTTPHeadBytes.equalsIgnoringCase(name, "cache-control"): self = .cacheControl
            case 14 where HTTPHeadBytes.equalsIgnoringCase(name, "content-length"): self = .contentLength
            case 14 where HTTPHeadBytes.equalsIgnoringCase(name, "x-steward-unit"): self = .unit
            case 17 where HTTPHeadBytes.equalsIgnoringCase(name, "transfer-encoding"): self = .refused
            case 20 where HTTPHeadBytes.equalsIgnoringCase(name, "x-steward-request-id"): self = .requestID
            default: self = .other
            }
        }
    }
}
