import ArgumentParser
import Foundation
import StewardCore

/// The one request the CI commands make of a Steward server: POST a body to an evaluation route and read back
/// the evaluation it recorded (or the server's error message).
enum EvaluationUpload {
    static func send(server: String, path: APIPath, query: [(String, String)], body: Data, token: String?) async throws -> [String: Any] {
        let client = StewardClient(
            transport: .server(try StewardClient.baseURL(server)), token: StewardClient.token(token))
        let answer = try StewardClient.object(try await client.send("POST", path, query: query, body: body))
        guard let evaluation = answer["evaluation"] as? [String: Any] else {
            throw failing(StewardError(.badRequest, answer["message"] as? String ?? "The server refused the evaluation."))
        }
        return evaluation
    }
}
