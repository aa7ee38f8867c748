import Foundation
import HTTPTypes
import NIOCore
import StewardCore
import StewardTestSupport
import Testing

/// Gateway calls on a connection of their own take the serving fast path (`ServingFastPath`): read from the
/// connection's bytes, run as the router runs them, and answered on the connection. What a client gets must be
/// what the router's `/v1` routes give: the same answers, streams, cache marks, refusals in OpenAI's shape and
/// events.
@Suite("Gateway fast path")
struct GatewayFastPathTests {
    /// One answer read from a connection's bytes.
    struct Answer {
        let status: Int
        /// Header names in lowercase.
        let headers: [String: String]
        let body: String
    }

    /// The answers in `raw`, in order: bodies framed by `Content-Length` or chunked.
    static func answers(_ raw: String) -> [Answer] {
        var rest = Substring(raw)
        var answers: [Answer] = []
        while let end = rest.range(of: "\r\n\r\n") {
            let lines = rest[..<end.lowerBound].components(separatedBy: "\r\n")
            let status = Int(lines[0].split(separator: " ")[1]) ?? 0
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                let parts = line.split(separator: ":", maxSplits: 1)
                headers[parts[0].lowercased()] = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
            }
            rest = rest[end.upperBound...]
            var body = ""
            if let length = headers["content-length"].flatMap(Int.init) {
                let bytes = Array(rest.utf8)
                body = String(decoding: bytes.prefix(length), as: UTF8.self)
                rest = Substring(String(decoding: bytes.dropFirst(length), as: UTF8.self))
            } else if headers["transfer-encoding"] == "chunked" {
                while let line = rest.range(of: "\r\n"), let size = Int(rest[..<line.lowerBound], radix: 16) {
                    let bytes = Array(rest[line.upperBound...].utf8)
                    body += String(decoding: bytes.prefix(size), as: UTF8.self)
                    rest = Substring(String(decoding: bytes.dropFirst(size + 2), as: UTF8.self))
                    if size == 0 { break }
                }
            }
            answers.append(Answer(status: status, headers: headers, body: body))
        }
        return answers
    }

    static func request(_ path: String = "/v1/chat/completions", key: String, _ body: String, headers: String = "", close: Bool = false) -> String {
        "POST \(path) HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(key)\r\n\(headers)" + (close ? "Connection: close\r\n" : "")
            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    @Test("Answers, cache hits, streams and refusals, several on one connection, as the router gives them", arguments: TestEngine.available)
    func pipelined(engine: TestEngine) async throws {
        try await GatewayRouteTests.withProvider { baseURL, received in
            try await DeploymentRouteTests.live(engine) { client, _ in
                let (system, key) = try await GatewayRouteTests.setUp(client, baseURL: baseURL, cache: "cache: {ttl_seconds: 600}")
                let port = try #require(client.client.port)
                let answer = #"{"model": "small", "messages": [{"role": "user", "content": "hello"}], "temperature": 0}"#
                let stream = #"{"model": "bare", "messages": [{"role": "user", "content": "abcdefghijkl"}], "stream": true}"#
                let raw = try await DeploymentRouteTests.exchange(
                    port: port,
                    Self.request(key: key, answer, headers: "X-Request-Id: fast-1\r\n")
                        + Self.request(key: key, answer)
                        + Self.request(key: key, stream)
                        + Self.request(key: key, #"{"model": "secret", "messages": [{"role": "user", "content": "x"}]}"#)
                        + Self.request(key: key, #"{"model": "small", "messages": []}"#)
                        + Self.request(key: "sgw_unknown", answer)
                        + Self.request("/v1/embeddings", key: key, #"{"model": "small", "input": "x", "n": 2}"#)
                        + Self.request(key: key, answer, headers: "Cache-Control: no-cache\r\n", close: true))
                let answers = Self.answers(raw)
                try #require(answers.count == 8, "\(raw)")
                #expect(answers[0].status == 200 && answers[0].body.contains(#""content":"hi""#))
                #expect(answers[0].headers["x-steward-request-id"] == "fast-1" && answers[0].headers["x-steward-cache"] == "miss")
                #expect(answers[1].status == 200 && answers[1].headers["x-steward-cache"] == "hit" && answers[1].body == answers[0].body)
                #expect(answers[2].status == 200 && answers[2].headers["content-type"] == "text/event-stream")
                #expect(answers[2].headers["transfer-encoding"] == "chunked" && answers[2].body.hasSuffix("data: [DONE]\n\n"))
                #expect(answers[2].body.contains("abcdefgh") && answers[2].body.contains("ijkl"))
                #expect(answers[3].status == 403 && answers[3].body.contains(#""code":"model_not_allowed""#), "\(answers[3].body)")
                #expect(answers[4].status == 400 && answers[4].body.contains("messages is required"), "\(answers[4].body)")
                #expect(answers[5].status == 401 && answers[5].body.contains(#""code":"invalid_api_key""#), "\(answers[5].body)")
                #expect(answers[6].status == 400 && answers[6].body.contains("n is not a field of an embeddings request"), "\(answers[6].body)")
                #expect(answers[7].status == 200 && answers[7].headers["x-steward-cache"] == nil && answers[7].headers["connection"] == "close")
                // Forwarded: the first answer, the stream and the one that skipped the cache; nothing refused.
                #expect(received.count == 3)
                // Every call that reached a model is an event: two answers, a hit and the stream.
                let status = try await GatewayRouteTests.status(client, system, requests: 4)
                #expect(status.dictionary("performance")?["requests"] as? Int == 4)
            }
        }
    }
}
