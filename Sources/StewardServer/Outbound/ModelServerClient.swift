import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

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
    }

    static let client = HTTPClient.pooled(connectTimeout: .seconds(2))

    let timeout: TimeAmount
    /// Answers larger than this are cut off (a model answering with gigabytes is an error, not a prediction).
    let maximumAnswerBytes: Int

    init(timeout: TimeAmount = .seconds(30), maximumAnswerBytes: Int = 64 << 20) {
        self.timeout = timeout
        self.maximumAnswerBytes = maximumAnswerBytes
    }

    /// Posts a JSON body to `url` and returns the answer, whatever its status.
    func post(_ body: ByteBuffer, to url: String) async throws(Failure) -> Answer {
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
