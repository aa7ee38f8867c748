import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StewardCore

/// Calls to the model servers behind a deployment: one pooled HTTP client for the process that never follows a
/// redirect (a 3xx is the answer, so an allowed host cannot bounce a request elsewhere) and gives every call a
/// deadline. Pooled connections are what keeps the router's added latency small; URLSession opened far more.
struct ModelServerClient: Sendable {
    /// What a model server answered.
    struct Answer: Sendable, Equatable {
        let status: Int
        let contentType: String?
        let body: ByteBuffer
    }

    enum Failure: Error {
        /// The server could not be reached or broke the connection.
        case unreachable(String)
        /// No answer before the deadline.
        case timedOut
        /// The server may not call the endpoint's host (it was allowed when the arm was made, and is not now).
        case notAllowed(String)
    }

    static let client = HTTPClient.pooled(connectTimeout: .seconds(2))

    let timeout: TimeAmount
    /// Answers larger than this are cut off (a model answering with gigabytes is an error, not a prediction).
    let maximumAnswerBytes: Int
    /// The hosts the server may call, asked again at every call: a deployment stored while a host was allowed
    /// calls it only while the server still allows it (`--allow-endpoint-host`). Nil: any (tests of the client).
    let allowList: EndpointAllowList?

    init(timeout: TimeAmount = .seconds(30), maximumAnswerBytes: Int = 64 << 20, allowList: EndpointAllowList? = nil) {
        self.timeout = timeout
        self.maximumAnswerBytes = maximumAnswerBytes
        self.allowList = allowList
    }

    /// Whether the server may call `url` now.
    func allows(_ url: String) throws(Failure) {
        guard let allowList else { return }
        do { _ = try allowList.check(url) } catch { throw .notAllowed(error.message) }
    }

    /// Posts a JSON body to `url` and returns the answer, whatever its status.
    func post(_ body: ByteBuffer, to url: String) async throws(Failure) -> Answer {
        try allows(url)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(body)
        do {
            let response = try await Self.client.execute(request, timeout: timeout)
            let answer = try await response.body.collect(upTo: maximumAnswerBytes)
            return Answer(status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type"), body: answer)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw .timedOut
        } catch {
            throw .unreachable(String(describing: error))
        }
    }
}
