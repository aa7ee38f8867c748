import NIOCore

/// Reads a model server's HTTP/1.1 answer from the bytes of its connection, for the serving fast path
/// (`ModelServerExchange`), without NIO's HTTP codec: the status, the content type and the body, framed by
/// `Content-Length`, chunked transfer coding, or the connection's end; informational (1xx) answers are skipped.
/// An answer that breaks HTTP/1.1's framing is `malformed` (a 502 to the client), one larger than
/// `maximumAnswerBytes` `tooLarge`.
struct ModelServerAnswerReader {
    enum Progress: Equatable {
        case needsMore
        case answered(ModelServerClient.Answer, reusable: Bool)
        case malformed(String)
        case tooLarge
    }

    private enum Stage {
        case head
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkEnd
        case trailers
        case untilClose
    }

    /// A longer head is malformed.
    static let largestHead = 64 * 1024

    let maximumAnswerBytes: Int
    private var stage = Stage.head
    private var status = 0
    private var contentType: String?
    private var reusable = true
    private var body: ByteBuffer?
    /// Whether any byte of the answer came.
    private(set) var started = false

    init(maximumAnswerBytes: Int) {
        self.maximumAnswerBytes = maximumAnswerBytes
    }

    /// Takes what it can from `buffer` and says how far the answer is.
    mutating func read(_ buffer: inout ByteBuffer) -> Progress {
        if buffer.readableBytes > 0 { started = true }
        while true {
            switch stage {
            case .head:
                guard let end = Self.headEnd(buffer) else {
                    return buffer.readableBytes > Self.largestHead ? .malformed("the answer's head is too long") : .needsMore
                }
                let head = buffer.readSlice(length: end)!
                if let failure = readHead(head) { return .malformed(failure) }
            case .fixed(let remaining):
                guard take(upTo: remaining, from: &buffer, then: { remaining in remaining == 0 ? nil : .fixed(remaining: remaining) }) else {
                    return .tooLarge
                }
                if case .fixed = stage { return .needsMore }
                return finish(leftover: buffer.readableBytes)
            case .chunkSize:
                guard let line = Self.line(&buffer) else {
                    return buffer.readableBytes > 1024 ? .malformed("a chunk size line is too long") : .needsMore
                }
                let digits = line.prefix { $0 != UInt8(ascii: ";") }.filter { $0 != 0x20 && $0 != 0x09 }
                guard let size = Self.hexadecimal(digits) else { return .malformed("a chunk size is not hexadecimal") }
                guard size <= maximumAnswerBytes - (body?.readableBytes ?? 0) else { return .tooLarge }
                stage = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                guard take(upTo: remaining, from: &buffer, then: { remaining in remaining == 0 ? .chunkEnd : .chunkData(remaining: remaining) })
                else { return .tooLarge }
                if case .chunkData = stage { return .needsMore }
            case .chunkEnd:
                guard buffer.readableBytes >= 2 else { return .needsMore }
                guard buffer.readBytes(length: 2) == [13, 10] else { return .malformed("a chunk does not end with CRLF") }
                stage = .chunkSize
            case .trailers:
                guard let line = Self.line(&buffer) else {
                    return buffer.readableBytes > Self.largestHead ? .malformed("the answer's trailers are too long") : .needsMore
                }
                if line.isEmpty { return finish(leftover: buffer.readableBytes) }
            case .untilClose:
                guard take(upTo: Int.max, from: &buffer, then: { _ in .untilClose }) else { return .tooLarge }
                return .needsMore
            }
        }
    }

    /// The connection ended: the answer if its end is the connection's end, else why it is broken.
    func closed() -> Progress {
        if case .untilClose = stage { return answer(reusable: false) }
        return .malformed("the model server closed the connection")
    }

    /// Moves up to `remaining` bytes of body from `buffer`; false when the body would exceed its cap.
    private mutating func take(upTo remaining: Int, from buffer: inout ByteBuffer, then next: (Int) -> Stage?) -> Bool {
        let count = min(remaining, buffer.readableBytes)
        guard (body?.readableBytes ?? 0) + count <= maximumAnswerBytes else { return false }
        var slice = buffer.readSlice(length: count)!
        if body == nil {
            body = slice
        } else {
            body!.writeBuffer(&slice)
        }
        if let stage = next(remaining == Int.max ? 0 : remaining - count) { self.stage = stage } else { self.stage = .head }
        return true
    }

    private func answer(reusable: Bool) -> Progress {
        .answered(.init(status: status, contentType: contentType, body: body ?? ByteBuffer()), reusable: reusable)
    }

    /// The whole answer; bytes after it mean the connection cannot be trusted with another request.
    private mutating func finish(leftover: Int) -> Progress {
        let done = answer(reusable: reusable && leftover == 0)
        stage = .head
        body = nil
        return done
    }

    /// Reads a head (without its empty line's CRLF, which `headEnd` leaves out): nil, or why it is malformed.
    private mutating func readHead(_ head: ByteBuffer) -> String? {
        var lines = head.readableBytesView.split(separator: 10, omittingEmptySubsequences: false).map { line in
            line.last == 13 ? line.dropLast() : line
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let statusLine = lines.first, statusLine.count >= 12 else { return "the answer has no status line" }
        let version = String(decoding: statusLine.prefix(8), as: UTF8.self)
        guard version == "HTTP/1.1" || version == "HTTP/1.0", statusLine.dropFirst(8).first == 0x20,
            let code = Int(String(decoding: statusLine.dropFirst(9).prefix(3), as: UTF8.self)), (100...599).contains(code),
            statusLine.count == 12 || statusLine.dropFirst(12).first == 0x20
        else { return "the answer's status line is not HTTP/1.1" }
        var length: Int?
        var chunked = false
        var keepAlive = version == "HTTP/1.1"
        var type: String?
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else { return "a header line has no name" }
            let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self).lowercased()
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces
            switch name {
            case "content-length":
                guard let number = Int(value), number >= 0, length == nil || length == number else { return "its Content-Length is not one number" }
                length = number
            case "transfer-encoding":
                guard value.lowercased().split(separator: ",").last.map({ String($0).trimmingSpaces }) == "chunked" else {
                    return "its Transfer-Encoding is not chunked"
                }
                chunked = true
            case "connection":
                let tokens = value.lowercased().split(separator: ",").map { String($0).trimmingSpaces }
                if tokens.contains("close") { keepAlive = false } else if tokens.contains("keep-alive") { keepAlive = true }
            case "content-type":
                type = value
            default:
                break
            }
        }
        if (100...199).contains(code) {
            // An informational answer: the real one follows.
            return code == 101 ? "the model server switched protocols" : nil
        }
        status = code
        contentType = type
        reusable = keepAlive
        body = nil
        if code == 204 || code == 304 {
            stage = .fixed(remaining: 0)
        } else if chunked {
            stage = .chunkSize
        } else if let length {
            stage = .fixed(remaining: length)
        } else {
            stage = .untilClose
            reusable = false
        }
        return nil
    }

    /// The length of the head before its empty line, whose CRLF CRLF is consumed with it; nil while incomplete.
    private static func headEnd(_ buffer: ByteBuffer) -> Int? {
        buffer.withUnsafeReadableBytes { bytes -> Int? in
            guard bytes.count >= 4 else { return nil }
            var index = 3
            while index < bytes.count {
                if bytes[index] == 10 && bytes[index - 1] == 13 && bytes[index - 2] == 10 && bytes[index - 3] == 13 { return index + 1 }
                index += 1
            }
            return nil
        }
    }

    /// A chunk size: one to eight hexadecimal digits, nothing else (no sign).
    private static func hexadecimal(_ digits: [UInt8]) -> Int? {
        guard (1...8).contains(digits.count) else { return nil }
        var value = 0
        for digit in digits {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value * 16 + Int(digit - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value * 16 + Int(digit - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = value * 16 + Int(digit - UInt8(ascii: "A")) + 10
            default: return nil
            }
        }
        return value
    }

    /// One CRLF-ended line from `buffer`, without its CRLF; nil while incomplete.
    private static func line(_ buffer: inout ByteBuffer) -> [UInt8]? {
        guard let end = buffer.readableBytesView.firstIndex(of: 10) else { return nil }
        var line = buffer.readBytes(length: end - buffer.readerIndex + 1)!
        line.removeLast()
        if line.last == 13 { line.removeLast() }
        return line
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    fileprivate var trimmingSpaces: String {
        var view = Substring(self)
        while view.first == " " || view.first == "\t" { view = view.dropFirst() }
        while view.last == " " || view.last == "\t" { view = view.dropLast() }
        return String(view)
    }
}
