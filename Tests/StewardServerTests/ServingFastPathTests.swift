import Foundation
import NIOCore
import NIOPosix
import StewardCore
import StewardTestSupport
import Synchronization
import Testing

@testable import StewardServer

/// The serving fast path against a model server that drops a pooled keep-alive connection: the request that meets
/// it is sent once more on a new connection, and the client never sees the drop.
@Suite("Serving fast path")
struct ServingFastPathTests {
    /// Answers the first request of each connection with a keep-alive answer, then closes the connection, without
    /// answering, when the next request's bytes come: a model server whose keep-alive ran out while the connection
    /// sat in Steward's pool.
    final class Accepted: Sendable {
        private let count = Mutex(0)
        func add() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }

    final class OneAnswerPerConnection: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        private var received = ByteBuffer()
        private var answered = false
        let accepted: Accepted

        init(accepted: Accepted) { self.accepted = accepted }

        func channelActive(context: ChannelHandlerContext) {
            accepted.add()
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var bytes = unwrapInboundIn(data)
            guard !answered else {
                context.close(promise: nil)
                return
            }
            received.writeBuffer(&bytes)
            let text = String(buffer: received)
            guard let end = text.range(of: "\r\n\r\n"),
                let length = text[..<end.lowerBound].split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") })
                    .flatMap({ Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) }),
                text[end.upperBound...].utf8.count >= length
            else { return }
            answered = true
            let body = #"{"predictions": [7]}"#
            context.writeAndFlush(
                wrapOutboundOut(
                    ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")),
                promise: nil)
        }
    }

    @Test("A pooled connection the model server dropped is retried once on a new one", arguments: TestEngine.available)
    func droppedPooledConnection(engine: TestEngine) async throws {
        let accepted = Accepted()
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(OneAnswerPerConnection(accepted: accepted)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let url = "http://127.0.0.1:\(server.localAddress?.port ?? 0)/invocations"
        do {
            try await DeploymentRouteTests.live(engine) { client, services in
                let id = try await DeploymentRouteTests.system(client, services)
                let single = #"{"mode": "single", "arms": [{"model": "scorer", "version": "1", "endpoint": "\#(url)", "weight": 100}]}"#
                let deployment = try #require(
                    try await client.call(.post, "/api/v1/systems/\(id)/deployments", json: single).body.dictionary("deployment")?.string("id"))
                // Two requests on one client connection: both on the same event loop, so the second takes the
                // first's pooled connection, which the model server drops when the second request comes.
                let body = #"{"dataframe_split": {"columns": ["x"], "data": [[1]]}}"#
                func scoring(_ request: String, close: Bool = false) -> String {
                    "POST /serve/\(id)/invocations HTTP/1.1\r\nHost: localhost\r\nX-Steward-Request-Id: \(request)\r\n"
                        + (close ? "Connection: close\r\n" : "") + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
                }
                let port = try #require(client.client.port)
                let answers = try await DeploymentRouteTests.exchange(port: port, scoring("first") + scoring("second", close: true))
                #expect(answers.components(separatedBy: "HTTP/1.1 200 OK").count == 3, "\(answers)")
                #expect(answers.components(separatedBy: #"{"predictions": [7]}"#).count == 3, "\(answers)")
                #expect(accepted.value == 2, "the second request went out again on a new connection")
                let served = try #require(try await client.call(.get, "/api/v1/deployments/\(deployment)").body.dictionary("deployment"))
                let counts = served.array("arms").first?.dictionary("counts")
                #expect(counts?["requests"] as? Int == 2 && counts?["failures"] as? Int == 0, "\(String(describing: counts))")
            }
        } catch {
            try? await server.close()
            throw error
        }
        try await server.close()
    }

    @Test("A model server is called only while the server allows its host: a stored arm on a host no longer allowed is a 403, on both paths")
    func hostsAskedAtEveryCall() async throws {
        let allowList = EndpointAllowList(hosts: ["models.internal"])
        let url = "http://127.0.0.1:9/invocations"
        let client = ModelServerClient(allowList: allowList)
        do {
            _ = try await client.post(ByteBuffer(string: "{}"), to: url)
            Issue.record("a host not allowed was called")
        } catch .notAllowed(let reason) {
            #expect(reason.contains("--allow-endpoint-host 127.0.0.1"), "\(reason)")
        } catch {
            Issue.record("\(error)")
        }
        let arm = Deployment.Arm(name: "champion", model: "scorer", version: 1, endpoint: url, weight: 100)
        let answer = ServedAnswer(.failure(.notAllowed("not allowed")), arm: arm, requestID: "r1")
        #expect(answer.status == .forbidden && String(buffer: answer.body).contains("PERMISSION_DENIED"))
        // The fast path finds no endpoint to call, and leaves the request to the router's path, which answers so.
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let found = try await loop.submit {
            let connections = ModelServerConnections(eventLoop: loop, timeout: .seconds(1), maximumAnswerBytes: 1 << 20, allowList: allowList)
            return (connections.endpoint(url) == nil, connections.endpoint("http://models.internal:8080/invocations") != nil)
        }.get()
        #expect(found == (true, true))
    }

    @Test("A client that stops sending after its requests still gets every answer, then the connection closes", arguments: TestEngine.available)
    func halfClosedClient(engine: TestEngine) async throws {
        try await DeploymentRouteTests.withModelServers([.predict(3)]) { urls in
            try await DeploymentRouteTests.live(engine) { client, services in
                let id = try await DeploymentRouteTests.system(client, services)
                let single = #"{"mode": "single", "arms": [{"model": "scorer", "version": "1", "endpoint": "\#(urls[0])", "weight": 100}]}"#
                #expect(try await client.call(.post, "/api/v1/systems/\(id)/deployments", json: single).status == .created)
                let body = #"{"dataframe_split": {"columns": ["x"], "data": [[1]]}}"#
                let request = "POST /serve/\(id)/invocations HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
                let port = try #require(client.client.port)
                let connection = try RawConnection(port: port)
                try connection.send(request + request)
                connection.endSending()
                let answers = try await connection.receive(seconds: 10, untilClosed: true)
                #expect(answers.components(separatedBy: #"{"predictions": [3]}"#).count == 3, "\(answers)")
            }
        }
    }
}
