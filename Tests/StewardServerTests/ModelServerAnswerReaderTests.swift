import NIOCore
import Testing

@testable import StewardServer

/// The fast path's reading of a model server's answer: every framing HTTP/1.1 allows, arriving in any pieces,
/// and a clear failure for what breaks it.
@Suite struct ModelServerAnswerReaderTests {
    /// Feeds `text` in pieces of `piece` bytes (and the connection's end if `close`), and returns the last progress.
    static func read(_ text: String, piece: Int = .max, close: Bool = false, cap: Int = 1000) -> ModelServerAnswerReader.Progress {
        var reader = ModelServerAnswerReader(maximumAnswerBytes: cap)
        var buffer = ByteBuffer()
        var progress = ModelServerAnswerReader.Progress.needsMore
        let bytes = Array(text.utf8)
        var start = 0
        repeat {
            let end = min(bytes.count, start + max(piece, 1))
            buffer.writeBytes(bytes[start..<end])
            start = end
            progress = reader.read(&buffer)
            if case .needsMore = progress { continue }
            return progress
        } while start < bytes.count
        return close ? reader.closed() : progress
    }

    static func answer(_ status: Int, _ type: String?, _ body: String, reusable: Bool) -> ModelServerAnswerReader.Progress {
        .answered(.init(status: status, contentType: type, body: ByteBuffer(string: body)), reusable: reusable)
    }

    @Test("An answer framed by Content-Length, whole or a byte at a time")
    func contentLength() {
        let text = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 18\r\n\r\n{\"predictions\": 1}"
        for piece in [1, 7, Int.max] {
            #expect(Self.read(text, piece: piece) == Self.answer(200, "application/json", "{\"predictions\": 1}", reusable: true))
        }
        #expect(Self.read("HTTP/1.1 204 No Content\r\n\r\n") == Self.answer(204, nil, "", reusable: true))
        #expect(Self.read(String(text.dropLast())) == .needsMore)
    }

    @Test("Chunked answers, with extensions and trailers, in any pieces")
    func chunked() {
        let text =
            "HTTP/1.1 500 Internal Server Error\r\ntransfer-encoding: chunked\r\ncontent-type: text/plain\r\n\r\n"
            + "5;name=x\r\nmodel\r\nA\r\n crashed!!\r\n0\r\nX-Trailer: 1\r\n\r\n"
        for piece in [1, 3, Int.max] {
            #expect(Self.read(text, piece: piece) == Self.answer(500, "text/plain", "model crashed!!", reusable: true))
        }
        for size in ["Z", "-1", "+5", "0x5", "123456789"] {
            #expect(Self.read(text.replacingOccurrences(of: "A\r\n", with: "\(size)\r\n")) == .malformed("a chunk size is not hexadecimal"))
        }
        #expect(Self.read(text.replacingOccurrences(of: "model\r\n", with: "modelXY")) == .malformed("a chunk does not end with CRLF"))
    }

    @Test("An answer without length ends with the connection, which then cannot be reused; HTTP/1.0 and close are not reused")
    func untilClose() {
        #expect(Self.read("HTTP/1.1 200 OK\r\n\r\n{\"a\": 1}", close: true) == Self.answer(200, nil, "{\"a\": 1}", reusable: false))
        #expect(Self.read("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}") == Self.answer(200, nil, "{}", reusable: false))
        #expect(Self.read("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n{}") == Self.answer(200, nil, "{}", reusable: true))
        #expect(Self.read("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}") == Self.answer(200, nil, "{}", reusable: false))
        #expect(Self.read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}extra") == Self.answer(200, nil, "{}", reusable: false))
        #expect(Self.read("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n{}", close: true) == .malformed("the model server closed the connection"))
    }

    @Test("Header names in any case, values without their optional whitespace, lists of tokens")
    func headerSpelling() {
        #expect(
            Self.read("HTTP/1.1 200 OK\r\nCONTENT-type:\t text/csv; charset=utf-8 \r\ncontent-LENGTH:2\r\nConnection: Keep-Alive\r\n\r\n{}")
                == Self.answer(200, "text/csv; charset=utf-8", "{}", reusable: true))
        #expect(
            Self.read("HTTP/1.1 200 OK\r\nConnection: upgrade, CLOSE\r\nContent-Length: 2\r\n\r\n{}") == Self.answer(200, nil, "{}", reusable: false))
        #expect(
            Self.read("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
                == Self.answer(200, nil, "{}", reusable: true))
        #expect(Self.read("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n") == Self.answer(200, nil, "", reusable: true))
        #expect(Self.read("HTTP/1.1 200 OK\nContent-Length: 2\n\r\n\r\n{}") == Self.answer(200, nil, "{}", reusable: true))
        #expect(
            Self.read("HTTP/1.0 200 OK\r\nConnection: , keep-alive,,\r\nContent-Length: 2\r\n\r\n{}") == Self.answer(200, nil, "{}", reusable: true),
            "empty list elements are skipped")
    }

    @Test("Informational answers are skipped; switching protocols is not an answer")
    func informational() {
        #expect(
            Self.read("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", piece: 5)
                == Self.answer(200, nil, "{}", reusable: true))
        #expect(Self.read("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n") == .malformed("the model server switched protocols"))
    }

    @Test("Answers beyond the cap, by any framing, are too large")
    func tooLarge() {
        #expect(Self.read("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n01234567890", cap: 10) == .tooLarge)
        #expect(Self.read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n6\r\n", cap: 10) == .tooLarge)
        #expect(Self.read("HTTP/1.1 200 OK\r\n\r\n01234567890", piece: 4, cap: 10) == .tooLarge)
    }

    @Test(
        "What breaks HTTP/1.1's framing is malformed",
        arguments: [
            "HTTP/2 200 OK\r\n\r\n",
            "HTTP/1.1 2000 OK\r\n\r\n",
            "ICY 200 OK\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
            "HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\n{}",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
            "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
            "HTTP/1.1 200 OK\r\n: no name\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\n{}",
            "HTTP/1.1 200 OK\r\nContent-Length: 2 2\r\n\r\n{}",
            "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
            "http/1.1 200 OK\r\n\r\n",
            "HTTP/1.1 20x OK\r\n\r\n",
            "HTTP/1.1 200OK\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
            "HTTP/1.1 200 OK\nA: b\n\nContent-Length: 2\r\n\r\n{}",
            "\r\nHTTP/1.1 200 OK\r\n\r\n",
        ])
    func malformed(text: String) {
        guard case .malformed = Self.read(text) else {
            Issue.record("\(text.debugDescription) was read")
            return
        }
    }
}
