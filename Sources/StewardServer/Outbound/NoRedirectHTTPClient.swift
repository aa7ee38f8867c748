import Foundation
import StewardCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Outbound HTTP with URLSession that never follows a redirect: a 3xx is the answer, so an allowed host cannot
/// bounce the server to one that is not. Webhooks, model endpoints and judges all go through it.
final class NoRedirectHTTPClient: NSObject, WebhookSender, URLSessionTaskDelegate, @unchecked Sendable {
    let timeout: TimeInterval
    private lazy var session = URLSession(configuration: .ephemeral, delegate: self, delegateQueue: nil)
    private let lock = NSLock()

    init(timeout: TimeInterval = 10) {
        self.timeout = timeout
    }

    /// Sends a request without following redirects.
    func data(for request: URLRequest) async throws -> (Data, URLResponse) {
        let session = lock.withLock { self.session }
        return try await session.data(for: request)
    }

    func post(_ body: Data, to url: URL, headers: [String: String]) async throws -> Int {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body
        let session = lock.withLock { self.session }
        let (_, response) = try await session.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse, newRequest request: URLRequest,
        completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
