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

    /// Sends a request and returns the body of a 2xx answer; any other answer exits 1 with the server's message.
    func send(
        _ method: String, _ path: String, query: [(String, String)] = [], body: Data = Data(), contentType: String? = nil
    ) async throws -> Data {
        var components = URLComponents()
        components.percentEncodedPath = path.split(separator: "/", omittingEmptySubsequences: false).map {
            String($0).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? String($0)
        }.joined(separator: "/")
        if !query.isEmpty { components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        let target = components.string ?? path
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
            do {
                let (data, response) = try await URLSession.shared.data(for: request)
                (status, reply) = ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
            } catch {
                throw failing(StewardError(.badRequest, "Cannot reach \(base.absoluteString): \(error.localizedDescription)"))
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

    /// Sends a JSON body (or nothing) and returns the answer, to be read with `object(_:)` outside the client's scope.
    func json(_ method: String, _ path: String, query: [(String, String)] = [], body: Data? = nil) async throws -> Data {
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
