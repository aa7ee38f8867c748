import ArgumentParser
import Foundation
import StewardCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The one request the CI commands make of a Steward server: POST a body to an evaluation route and read back
/// the evaluation it recorded (or the server's error message).
enum EvaluationUpload {
    static func send(server: String, path: String, query: [(String, String)], body: Data, token: String?) async throws -> [String: Any] {
        guard var components = URLComponents(string: server.hasSuffix("/") ? String(server.dropLast()) : server), components.host != nil else {
            throw ValidationError("--server must be a URL such as http://127.0.0.1:5000.")
        }
        components.path += path
        components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        guard let url = components.url else { throw ValidationError("--server must be a URL such as http://127.0.0.1:5000.") }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = body
        if let token = token ?? ProcessInfo.processInfo.environment["STEWARD_TOKEN"] {
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        }
        let (reply, response) = try await URLSession.shared.data(for: request)
        guard let object = try? JSONSerialization.jsonObject(with: reply) as? [String: Any] else {
            throw failing(StewardError(.internalError, "The server answered \((response as? HTTPURLResponse)?.statusCode ?? 0) without JSON."))
        }
        guard let evaluation = object["evaluation"] as? [String: Any] else {
            throw failing(StewardError(.badRequest, object["message"] as? String ?? "The server refused the evaluation."))
        }
        return evaluation
    }
}
