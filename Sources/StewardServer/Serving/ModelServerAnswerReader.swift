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
    /// Bytes of the answer's body read so far (taken out by `takeBody` or not): what `maximumAnswerBytes` caps.
    private var bodyBytes = 0
    /// The answer's status and content type, from when its head is read until `takeHead`.
    private var head: (status: Int, contentType: String?)?
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
                guard size <= maximumAnswerBytes - bodyBytes else { return .tooLarge }
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
        guard bodyBytes + count <= maximumAnswerBytes else { return false }
        bodyBytes += count
        var slice = buffer.readSlice(length: count)!
        if body == nil {
            body = slice
        } else {
            body!.writeBuffer(&slice)
        }
        if let stage = next(remaining == Int.max ? 0 : remaining - count) { self.stage = stage } else { self.stage = .head }
        return true
    }

    /// The answer's status and content type once its head is read; nil before, and after the first time.
    mutating func takeHead() -> (status: Int, contentType: String?)? {
        defer { head = nil }
        return head
    }

    /// The body read since the last time, for a reader that passes an answer on as it comes; nil when none came.
    mutating func takeBody() -> ByteBuffer? {
        defer { body = nil }
        return body.flatMap { $0.readableBytes > 0 ? $0 : nil }
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
        let parsed = head.withUnsafeReadableBytes { Self.parseHead($0) }
        let fields: Head
        switch parsed {
        case .failure(let problem): return problem.reason
        case .success(let head): fields = head
        }
        let code = fields.code
        if (100...199).contains(code) {
            // An informational answer: the real one follows.
            return code == 101 ? "the model server switched protocols" : nil
        }
        status = code
        contentType = fields.contentType
        reusable = fields.keepAlive
        body = nil
        bodyBytes = 0
        self.head = (code, fields.contentType)
        if code == 204 || code == 304 {
            stage = .fixed(remaining: 0)
        } else if fields.chunked {
            stage = .chunkSize
        } else if let length = fields.length {
            stage = .fixed(remaining: length)
        } else {
            stage = .untilClose
            reusable = false
        }
        return nil
    }

    /// What a head says about its answer.
    private struct Head {
        var code = 0
        var length: Int?
        var chunked = false
        var keepAlive = true
        var contentType: String?
    }

    private struct Malformed: Error {
        let reason: String
    }

    /// Reads a head from its bytes, line by line, naming only the headers that frame the answer or type its body:
    /// read through `String`s and `split`, the head took 9% of the serving event loops' time (`perf`,
    /// `bench/router.py`), more than the body's JSON.
    private static func parseHead(_ bytes: UnsafeRawBufferPointer) -> Result<Head, Malformed> {
        // Line by line as they are found, and lists read in place: collecting the lines and splitting the lists
        // into arrays were six allocations per served request (`perf` probe on `malloc`, `bench/router.py`).
        var head: Head?
        var emptyLines = 0
        var start = 0
        while start < bytes.count {
            let newline = bytes[start...].firstIndex(of: 10) ?? bytes.count
            let stop = newline > start && bytes[newline - 1] == 13 ? newline - 1 : newline
            let line = UnsafeRawBufferPointer(rebasing: bytes[start..<stop])
            start = newline + 1
            if line.isEmpty {
                emptyLines += 1
                continue
            }
            // An empty line is allowed only at the end.
            if emptyLines > 0 { return .failure(Malformed(reason: head == nil ? "the answer has no status line" : "a header line has no name")) }
            guard var parsed = head else {
                guard line.count >= 12 else { return .failure(Malformed(reason: "the answer has no status line")) }
                guard let status = statusLine(line) else { return .failure(Malformed(reason: "the answer's status line is not HTTP/1.1")) }
                head = status
                continue
            }
            if let problem = header(line, into: &parsed) { return .failure(problem) }
            head = parsed
        }
        guard let head else { return .failure(Malformed(reason: "the answer has no status line")) }
        return .success(head)
    }

    /// The status line's code and HTTP version (a line of at least 12 bytes); nil when it is not one.
    private static func statusLine(_ line: UnsafeRawBufferPointer) -> Head? {
        let http11 = line.prefix(8).elementsEqual("HTTP/1.1".utf8)
        guard http11 || line.prefix(8).elementsEqual("HTTP/1.0".utf8), line[8] == 0x20,
            let code = HTTPHeadBytes.decimal(UnsafeRawBufferPointer(rebasing: line[9..<12]), maximumDigits: 3), (100...599).contains(code),
            line.count == 12 || line[12] == 0x20
        else { return nil }
        return Head(code: code, keepAlive: http11)
    }

    /// Reads one header line into `head`: the framing headers, `Connection` and `Content-Type`.
    private static func header(_ line: UnsafeRawBufferPointer, into head: inout Head) -> Malformed? {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { return Malformed(reason: "a header line has no name") }
        let name = UnsafeRawBufferPointer(rebasing: line[..<colon])
        let value = HTTPHeadBytes.trimmingWhitespace(UnsafeRawBufferPointer(rebasing: line[(colon + 1)...]))
        if HTTPHeadBytes.equalsIgnoringCase(name, "content-length") {
            guard let number = HTTPHeadBytes.decimal(value, maximumDigits: 18), head.length == nil || head.length == number else {
                return Malformed(reason: "its Content-Length is not one number")
            }
            head.length = number
        } else if HTTPHeadBytes.equalsIgnoringCase(name, "transfer-encoding") {
            var last: UnsafeRawBufferPointer?
            forEachToken(value) { last = $0 }
            guard let last, HTTPHeadBytes.equalsIgnoringCase(last, "chunked") else {
                return Malformed(reason: "its Transfer-Encoding is not chunked")
            }
            head.chunked = true
        } else if HTTPHeadBytes.equalsIgnoringCase(name, "connection") {
            var close = false
            var keepAlive = false
            forEachToken(value) { token in
                close = close || HTTPHeadBytes.equalsIgnoringCase(token, "close")
                keepAlive = keepAlive || HTTPHeadBytes.equalsIgnoringCase(token, "keep-alive")
            }
            if close {
                head.keepAlive = false
            } else if keepAlive {
                head.keepAlive = true
            }
        } else if HTTPHeadBytes.equalsIgnoringCase(name, "content-type") {
            head.contentType = String(decoding: value, as: UTF8.self)
        }
        return nil
    }

    /// Calls `body` with each element of a comma-separated list, trimmed; empty elements are skipped, as
    /// splitting on commas skips them.
    private static func forEachToken(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        var start = 0
        while start <= bytes.count {
            let comma = bytes[start...].firstIndex(of: UInt8(ascii: ",")) ?? bytes.count
            if comma > start { body(HTTPHeadBytes.trimmingWhitespace(UnsafeRawBufferPointer(rebasing: bytes[start..<comma]))) }
            start = comma + 1
        }
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
