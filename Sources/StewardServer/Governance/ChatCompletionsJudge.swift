import Foundation
import StewardCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A judge behind an OpenAI-compatible chat-completions endpoint: the rubric as the system message, reference
/// and output as the user message, temperature 0, the score read from the first choice's content.
struct ChatCompletionsJudge: Judge {
    let url: URL
    let model: String
    let apiKey: String?

    func grade(reference: String, output: String, rubric: String) async throws -> Double {
        let body: [String: Any] = [
            "model": model, "temperature": 0,
            "messages": [
                ["role": "system", "content": "\(EvaluationService.judgeInstructions)\n\nRubric:\n\(rubric)"],
                ["role": "user", "content": "Reference:\n\(reference)\n\nOutput:\n\(output)"],
            ],
        ]
        var request = URLRequest(url: url, timeoutInterval: 120)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let apiKey { request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization") }
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let reply: Data
        let response: URLResponse
        do {
            (reply, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw StewardError(.temporarilyUnavailable, "The judge at \(url.absoluteString) could not be reached: \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            throw StewardError.invalidParameter("The judge answered HTTP \(status): \(String(decoding: reply.prefix(300), as: UTF8.self))")
        }
        guard let object = try? JSONSerialization.jsonObject(with: reply) as? [String: Any],
            let choices = object["choices"] as? [[String: Any]], let message = choices.first?["message"] as? [String: Any],
            let content = message["content"] as? String
        else { throw StewardError.invalidParameter("The judge's answer is not a chat completion with a message.") }
        return try EvaluationService.judgeScore(content)
    }
}
