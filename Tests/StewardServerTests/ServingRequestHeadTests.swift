import Testing

@testable import StewardServer

/// The serving fast path's reading of a request head: what it takes it reads as any HTTP/1.1 parser would, and
/// everything else is left, unread, to NIO's codec and the router.
@Suite struct ServingRequestHeadTests {
    static func read(_ text: String) -> ServingRequestHead.Reading {
        Array(text.utf8).withUnsafeBytes { ServingRequestHead.read($0) }
    }

    static let line = "POST /serve/sys-1/invocations HTTP/1.1\r\n"

    @Test("A scoring request's head: system, length, closing, unit and request id, and where the body starts")
    func scoring() {
        let head =
            "\(Self.line)Host: x\r\ncontent-type: application/json\r\nX-Steward-Unit:  store 7 \r\n"
            + "x-steward-request-id:r1\r\nCONNECTION: Close\r\nContent-Length: 12\r\n\r\n"
        let expected = ServingRequestHead(
            route: .serve(system: "sys-1"), contentLength: 12, closing: true, unit: "store 7", requestID: "r1", length: head.utf8.count)
        #expect(Self.read(head + "{\"inputs\":1}") == .head(expected))
        let plain = "POST /serve/credit/invocations?x=1 HTTP/1.1\r\nConnection: keep-alive\r\n\r\n"
        #expect(
            Self.read(plain)
                == .head(
                    ServingRequestHead(
                        route: .serve(system: "credit"), contentLength: 0, closing: false, unit: nil, requestID: nil, length: plain.utf8.count)))
    }

    @Test("A gateway call's head: its kind, key, request id, unit and Cache-Control; a scoring request's id header is not its own")
    func gatewayCall() {
        let head =
            "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nauthorization: bearer  sgw_abc \r\nX-Request-Id: q1\r\n"
            + "X-Steward-Request-Id: other\r\nX-Steward-Unit: user-9\r\nCache-Control: no-cache\r\nContent-Length: 2\r\n\r\n"
        #expect(
            Self.read(head + "{}")
                == .head(
                    ServingRequestHead(
                        route: .gateway(.chat), contentLength: 2, closing: false, unit: "user-9", requestID: "q1", key: "sgw_abc",
                        cacheControl: "no-cache", length: head.utf8.count)))
        let embeddings = "POST /v1/embeddings HTTP/1.1\r\nAuthorization: Bearer k\r\nContent-Length: 0\r\n\r\n"
        #expect(
            Self.read(embeddings)
                == .head(
                    ServingRequestHead(
                        route: .gateway(.embeddings), contentLength: 0, closing: false, unit: nil, requestID: nil, key: "k",
                        length: embeddings.utf8.count)))
    }

    @Test(
        "A gateway call without a bearer key, or with a header the path reads twice, goes to the router",
        arguments: [
            "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 2\r\n\r\n",
            "POST /v1/chat/completions HTTP/1.1\r\nAuthorization: Basic a2V5\r\n\r\n",
            "POST /v1/chat/completions HTTP/1.1\r\nAuthorization: Bearer \r\n\r\n",
            "POST /v1/chat/completions HTTP/1.1\r\nAuthorization: Bearer a\r\nAuthorization: Bearer b\r\n\r\n",
            "POST /v1/chat/completions HTTP/1.1\r\nAuthorization: Bearer a\r\nCache-Control: no-cache\r\ncache-control: max-age=0\r\n\r\n",
            "POST /v1/chat/completions HTTP/1.1\r\nAuthorization: Bearer a\r\nX-Request-Id: a\r\nX-Request-Id: b\r\n\r\n",
            "POST /v1/chat/completions?x=1 HTTP/1.1\r\nAuthorization: Bearer a\r\n\r\n",
            "POST /v1/chat/completions/ HTTP/1.1\r\nAuthorization: Bearer a\r\n\r\n",
            "GET /v1/models HTTP/1.1\r\nAuthorization: Bearer a\r\n\r\n",
            "POST /v1/completions HTTP/1.1\r\nAuthorization: Bearer a\r\n\r\n",
        ])
    func gatewayUnsupported(head: String) {
        #expect(Self.read(head) == .unsupported)
    }

    @Test("A head not yet complete waits for more bytes, up to the largest head")
    func incomplete() {
        for prefix in ["", "POS", "POST /serve/a/invocations HTTP/1.1\r", "\(Self.line)Content-Length: 3\r\n", "\(Self.line)Host: x\r\n\r"] {
            #expect(Self.read(prefix) == .incomplete, "\(prefix.debugDescription)")
        }
        let long = Self.line + "X-Long: " + String(repeating: "a", count: ServingRequestHead.largestHead)
        #expect(Self.read(long) == .unsupported)
        #expect(Self.read(long + "\r\n\r\n") == .unsupported)
    }

    @Test(
        "Anything outside the narrow form goes to the HTTP codec",
        arguments: [
            "GET /serve/a/invocations HTTP/1.1\r\n\r\n",
            "POST /serve/a/invocations HTTP/1.0\r\n\r\n",
            "POST /serve/a/invocations  HTTP/1.1\r\n\r\n",
            "POST /serve//invocations HTTP/1.1\r\n\r\n",
            "POST /serve/a%2Fb/invocations HTTP/1.1\r\n\r\n",
            "POST /serve/a/b/invocations HTTP/1.1\r\n\r\n",
            "POST /serve/a/invocationsX HTTP/1.1\r\n\r\n",
            "POST /serve/a/invocations#x HTTP/1.1\r\n\r\n",
            "POST /health HTTP/1.1\r\n\r\n",
            "POST /serve/a/invocations HTTP/1.1\nHost: x\r\n\r\n",
            "POST /serve/a/invocations HTTP/1.1\r\nHost: x\n\r\n",
            "POST /serve/a/invocations HTTP/1.1\r\nHost: a\rb\r\n\r\n",
            "POST /serve/a/invocations HTTP/1.1\r\nHost : x\r\n\r\n",
            "POST /serve/a/invocations HTTP/1.1\r\n Host: x\r\n\r\n",
            "POST /serve/a/invocations HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
            "POST /serve/a/invocations HTTP/1.1\r\nX-Name: caf\u{e9}\r\n\r\n",
            "POST /serve/a/invocations HTTP/1.1\r\nX-Name: a\u{0}b\r\n\r\n",
            "POST /serve/a/invocations HTTP/1.1\r\n: x\r\n\r\n",
            "POST /serve/a/invocations HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
            "POST /serve/a/invocations HTTP/1.1\r\nContent-Length: +1\r\n\r\n",
            "POST /serve/a/invocations HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n",
            "POST /serve/a/invocations HTTP/1.1\r\nContent-Length: 12345678901\r\n\r\n",
            "POST /serve/a/invocations HTTP/1.1\r\nContent-Length:\r\n\r\n",
            "POST /serve/a/invocations HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST /serve/a/invocations HTTP/1.1\r\ntransfer-encoding: identity\r\nContent-Length: 2\r\n\r\n",
            "POST /serve/a/invocations HTTP/1.1\r\nExpect: 100-continue\r\n\r\n",
            "POST /serve/a/invocations HTTP/1.1\r\nAuthorization: Bearer t\r\n\r\n",
            "POST /serve/a/invocations HTTP/1.1\r\nUpgrade: h2c\r\n\r\n",
            "POST /serve/a/invocations HTTP/1.1\r\nConnection: upgrade\r\n\r\n",
            "POST /serve/a/invocations HTTP/1.1\r\nConnection: close\r\nConnection: close\r\n\r\n",
            "POST /serve/a/invocations HTTP/1.1\r\nX-Steward-Unit: a\r\nx-steward-unit: b\r\n\r\n",
            "POST /serve/a/invocations HTTP/1.1\r\nX-Steward-Request-Id: a\r\nX-Steward-Request-Id: b\r\n\r\n",
        ])
    func unsupported(head: String) {
        #expect(Self.read(head) == .unsupported)
    }
}
