import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import StewardCore
import StewardServer
import StewardStore
import StewardTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Requests built to tie the server up: bodies over a route's limit, slow or silent connections, more
/// connections than it serves. Each ends in a 4xx or a closed connection, never a 500 or a held socket.
@Suite("Hostile requests")
struct HostileRequestTests {
    @Test("Bodies over a route's limit answer 413 in the route's error format, naming the limit, and change nothing")
    func overLimitBodies() async throws {
        try await withApplication(.sqlite) { client, _ in
            let twoMegabytes = ByteBuffer(repeating: UInt8(ascii: "a"), count: 2 << 20)
            for (method, uri) in [
                (HTTPRequest.Method.put, "/api/v1/policy"), (.post, "/api/v1/systems"), (.post, "/api/v1/prompts/greet/render"),
            ] {
                let response = try await client.call(method, uri, bytes: twoMegabytes)
                #expect(response.status == .contentTooLarge, "\(uri): \(String(buffer: response.raw))")
                #expect(response.body.string("error_code") == "RESOURCE_LIMIT_EXCEEDED", "\(uri)")
                #expect(response.body.string("message")?.contains("1 MiB") == true, "\(uri): \(String(buffer: response.raw))")
            }
            let seventeen = ByteBuffer(repeating: UInt8(ascii: " "), count: 17 << 20)
            let mlflow = try await client.call(.post, "/api/2.0/mlflow/experiments/create", bytes: seventeen)
            #expect(mlflow.status == .contentTooLarge)
            #expect(mlflow.body.string("error_code") == "RESOURCE_LIMIT_EXCEEDED")
            #expect(mlflow.body.string("message")?.contains("16 MiB") == true)
            let policy = try await client.call(.get, "/api/v1/policy")
            #expect(policy.status == .ok)
            #expect(try await client.call(.get, "/api/v1/systems").body.array("systems").isEmpty)
        }
    }

    @Test("A YAML body with a list for a mapping key is a 400 on the policy, gate and alert-rule routes, and the server lives on")
    func collectionKeysInYAMLBodies() async throws {
        try await withApplication(.sqlite) { client, services in
            let admin = try await services.identity.createUser(name: "ada", role: .admin, actor: IdentityService.bootstrap).token
            let system = try await client.call(
                .post, "/api/v1/systems",
                json: #"{"name": "yaml-keys", "purpose": "p", "business_owner": "o", "technical_owner": "o", "status": "development"}"#)
            let id = try #require(system.body.dictionary("system")?.string("id"), "\(String(buffer: system.raw))")
            for uri in ["/api/v1/policy", "/api/v1/systems/\(id)/gate", "/api/v1/systems/\(id)/alerts/rules"] {
                try await client.execute(
                    uri: uri, method: .put, headers: [.authorization: "Bearer \(admin)"], body: ByteBuffer(string: "name: x\n? [a, b]\n: c\n")
                ) { response in
                    #expect(response.status == .badRequest, "\(uri): \(String(buffer: response.body))")
                    #expect(String(buffer: response.body).contains("mapping key that is a list or a mapping (line 2"), "\(uri)")
                }
            }
            #expect(try await client.call(.get, "/api/v1/policy").status == .ok)
        }
    }

    static let patient = ServerConfiguration(idleTimeout: .milliseconds(500), bodyTimeout: .milliseconds(500), maximumConnections: 2)

    @Test("Slow headers, trickling bodies and idle connections are closed; prompt requests are served")
    func slowClients() async throws {
        try await TestStorage.with(.sqlite, started: false) { storage async throws in
            let application = buildApplication(configuration: Self.patient, storage: storage, logger: TestStorage.logger)
            try await application.test(.live) { client in
                let port = try #require(client.port)
                // Half a request head, then nothing.
                let slowHead = try RawConnection(port: port)
                try slowHead.send("GET /health HTTP/1.1\r\nHo")
                #expect(try await slowHead.closedWithin(seconds: 5))
                // A whole head, then five bytes a tenth of a second: under 1 KiB/s. Also on the routes the serving
                // fast path reads from the connection's bytes (a gateway call, a scoring request).
                for head in [
                    "PUT /api/v1/policy HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n",
                    "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sgw_x\r\nContent-Length: 100000\r\n\r\n",
                    "POST /serve/some-system/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n",
                ] {
                    let trickle = try RawConnection(port: port)
                    try trickle.send(head)
                    let started = ContinuousClock.now
                    var closed = false
                    while !closed, ContinuousClock.now - started < .seconds(5) {
                        do { try trickle.send("aaaaa") } catch { closed = true }
                        if try await trickle.closedWithin(seconds: 0.1) { closed = true }
                    }
                    #expect(closed, "\(head)")
                }
                // Connected and silent.
                let idle = try RawConnection(port: port)
                #expect(try await idle.closedWithin(seconds: 5))
                // A prompt request is still served normally. (The connection limit is tested against the real
                // binary in compat/test_connections.py: the in-process live test server does not apply it.)
                let normal = try RawConnection(port: port)
                try normal.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try await normal.receive(seconds: 5).hasPrefix("HTTP/1.1 200"))
            }
        }
    }
}

/// A plain TCP connection to the server under test, for sending exactly the bytes a slow client would.
final class RawConnection: @unchecked Sendable {
    let socket: Int32

    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        var one: Int32 = 1
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(socket) }

    func send(_ text: String) throws {
        let sent = text.utf8CString.withUnsafeBufferPointer { Glibc.send(socket, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL)) }
        guard sent >= 0 else { throw POSIXError(.EPIPE) }
    }

    /// Ends the sending side (a half-close): the server reads the end of the request stream.
    func endSending() {
        Glibc.shutdown(socket, Int32(SHUT_WR))
    }

    /// Runs a blocking wait on a thread of its own: a blocked thread of the test's small cooperative pool could be
    /// the one the server needs to answer (two tests waiting at once held both, and the server answered neither).
    private func onOwnThread<T: Sendable>(_ wait: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<T, any Error>) in
            Thread { done.resume(with: Result { try wait() }) }.start()
        }
    }

    /// Whether the server closed the connection (or reset it) within `seconds`.
    func closedWithin(seconds: Double) async throws -> Bool {
        try await onOwnThread { [self] in try waitForClose(seconds: seconds) }
    }

    /// What the server sends within `seconds`: until it pauses for 100 ms after sending something, or with
    /// `untilClosed` until it closes the connection.
    func receive(seconds: Double, untilClosed: Bool = false) async throws -> String {
        try await onOwnThread { [self] in try receiveNow(seconds: seconds, untilClosed: untilClosed) }
    }

    private func waitForClose(seconds: Double) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(max(0, min(100, deadline.timeIntervalSinceNow * 1000))))
            if ready > 0 {
                var byte: UInt8 = 0
                let read = recv(socket, &byte, 1, Int32(MSG_PEEK))
                if read <= 0 { return true }
                // Data from the server (an answer) is not a close; drain it.
                var buffer = [UInt8](repeating: 0, count: 65536)
                _ = recv(socket, &buffer, buffer.count, 0)
            }
        } while Date() < deadline
        return false
    }

    /// The blocking `receive`, for a caller on a thread of its own.
    func receiveNow(seconds: Double, untilClosed: Bool = false) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var received: [UInt8] = []
        while Date() < deadline {
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 100) > 0 else {
                if !received.isEmpty && !untilClosed { break }
                continue
            }
            var buffer = [UInt8](repeating: 0, count: 65536)
            let read = recv(socket, &buffer, buffer.count, 0)
            if read <= 0 { break }
            received += buffer[0..<read]
        }
        return String(decoding: received, as: UTF8.self)
    }
}
