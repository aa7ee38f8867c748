import ArgumentParser
import Foundation
import StewardCore
import StewardServer

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Sends requests to Steward's API and reads the answers: over HTTP to a server, or in-process to the data
/// folder's routes. A refusal is printed with the server's message and exits 1.
struct StewardClient: Sendable {
    enum Transport: Sendable {
        /// A server's base URL, without a trailing slash.
        case server(URL)
        case inProcess(InProcessClient)
    }

    let transport: Transport
    let token: String?

    /// `text` as a server's base URL, or a usage error saying what one looks like.
    static func baseURL(_ text: String) throws -> URL {
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        guard let url = URL(string: trimmed), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
            throw ValidationError("--server must be an http(s) URL such as http://127.0.0.1:5000, got '\(text)'.")
        }
        return url
    }

    /// Sends a request and returns the body of a 2xx answer; any other answer exits 1 with the server's message. A
    /// redirect is not followed (the token would go wherever it points): it is reported with where it pointed.
    func send(
        _ method: String, _ path: APIPath, query: [(String, String)] = [], body: Data = Data(), contentType: String? = nil
    ) async throws -> Data {
        if let invalid = path.invalid { throw failing(.invalidParameter("'\(invalid)' cannot be a name in a request's path.")) }
        let target =
            path.encoded + (query.isEmpty ? "" : "?" + query.map { APIPath.encode($0.0) + "=" + APIPath.encode($0.1) }.joined(separator: "&"))
        let authorization = token.map { "Bearer \($0)" }
        let status: Int
        let reply: Data
        switch transport {
        case .server(let base):
            guard let url = URL(string: base.absoluteString + target) else { throw ValidationError("Cannot make a URL of '\(target)'.") }
            var request = URLRequest(url: url)
            request.httpMethod = method
            request.httpBody = body
            if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
            if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
            let response: URLResponse
            do {
                (reply, response) = try await Self.session.data(for: request)
            } catch {
                throw failing(StewardError(.badRequest, "Cannot reach \(base.absoluteString): \(error.localizedDescription)"))
            }
            let http = response as? HTTPURLResponse
            status = http?.statusCode ?? 0
            if (300..<400).contains(status) {
                let location = http?.value(forHTTPHeaderField: "Location") ?? "elsewhere"
                throw failing(
                    StewardError(.badRequest, "The server redirected to \(location); the token was not sent there. Use that address as --server."))
            }
        case .inProcess(let client):
            let answer = try await client.send(method: method, target: target, contentType: contentType, authorization: authorization, body: body)
            (status, reply) = (answer.status, answer.body)
        }
        guard (200..<300).contains(status) else {
            let object = try? JSONSerialization.jsonObject(with: reply) as? [String: Any]
            let message = object?["message"] as? String ?? "The server answered \(status): \(String(decoding: reply.prefix(500), as: UTF8.self))"
            throw failing(StewardError(.badRequest, message))
        }
        return reply
    }

    /// A session that never follows a redirect, so a token goes only to the server it was given for.
    static let session = URLSession(configuration: .ephemeral, delegate: RefusingRedirects(), delegateQueue: nil)

    final class RefusingRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
        func urlSession(
            _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse, newRequest request: URLRequest,
            completionHandler: @escaping (URLRequest?) -> Void
        ) {
            completionHandler(nil)
        }
    }

    /// The token to act with: the one given, else `STEWARD_TOKEN`; an empty one is none.
    static func token(_ given: String?) -> String? {
        (given ?? ProcessInfo.processInfo.environment["STEWARD_TOKEN"]).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Sends a JSON body (or nothing) and returns the answer, to be read with `object(_:)` outside the client's scope.
    func json(_ method: String, _ path: APIPath, query: [(String, String)] = [], body: Data? = nil) async throws -> Data {
        try await send(method, path, query: query, body: body ?? Data(), contentType: body == nil ? nil : "application/json")
    }

    /// `object` as a JSON request body.
    static func encode(_ object: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    /// An answer's JSON object.
    static func object(_ answer: Data) throws -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: answer) as? [String: Any] else {
            throw failing(StewardError(.internalError, "The server's answer is not a JSON object."))
        }
        return object
    }

    /// Prints a JSON object, indented, with sorted keys.
    static func print(json object: Any) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        Swift.print(String(decoding: data, as: UTF8.self))
    }
}
