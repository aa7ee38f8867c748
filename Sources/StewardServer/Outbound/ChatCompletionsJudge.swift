import Foundation
import StewardCore

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
        let parsed = try await OutboundJSON.post(body, to: url, bearer: apiKey, timeout: 120, service: "judge")
        guard let object = parsed as? [String: Any], let choices = object["choices"] as? [[String: Any]],
            let message = choices.first?["message"] as? [String: Any],
            let content = message["content"] as? String
        else { throw StewardError.invalidParameter("The judge's answer is not a chat completion with a message.") }
        return try EvaluationService.judgeScore(content)
    }
}
