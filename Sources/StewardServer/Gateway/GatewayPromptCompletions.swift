import Foundation
import HTTPTypes
import NIOCore
import StewardCore
import StewardJSON

/// A prompt evaluation's calls, run as the system's gateway calls (`GatewayCalls`): the prompt's version rendered
/// with each row, sent to the model at temperature 0 (the answer an evaluation should measure is the most likely
/// one), never answered from the cache (its latency is measured), under the system's budgets, each one of the
/// system's events. A row the gateway refuses (the budget spent, a safety check, a provider failure) ends the
/// evaluation with that refusal.
struct GatewayPromptCompletions: PromptCompletions {
    let calls: GatewayCalls

    func version(of prompt: PromptReference) async throws -> String {
        try await calls.gateway.promptVersion(prompt)
    }

    func complete(systemID: String, model: String, prompt: PromptReference, columns: [String], rows: [[String]], actor: Principal) async throws
        -> [String]
    {
        let caller = try await calls.gateway.evaluationCaller(systemID: systemID, actor: actor)
        var answers: [String] = []
        answers.reserveCapacity(rows.count)
        for row in rows {
            var variables: [String: JSONValue] = [:]
            for (column, value) in zip(columns, row) { variables[column] = .string(value) }
            var reference: [String: JSONValue] = ["name": .string(prompt.name), "variables": .object(variables)]
            if let version = prompt.version { reference["version"] = .string(version) }
            let body: JSONValue = .object([
                "model": .string(model), "messages": .array([]), "prompt": .object(reference), "temperature": .integer(0),
            ])
            let call = try GatewayCall(kind: .chat, body: Data(body.encoded))
            let outcome = try await calls.run(
                call, caller: caller, requestID: RecordID.make("eval"), unit: nil, useCache: false, started: .now, time: EpochClock.now())
            guard case .complete(let status, _, let answer) = outcome else {
                throw StewardError(.internalError, "The gateway streamed an answer to a prompt evaluation's call.")
            }
            let parsed = try? JSONValue.parse(Data(buffer: answer))
            guard status == .ok else {
                var message = "status \(status.code)"
                if case .object(let fields)? = parsed, case .object(let error)? = fields["error"], case .string(let text)? = error["message"] {
                    message = text
                }
                throw StewardError(.upstreamFailed, "The model '\(model)' did not answer row \(answers.count + 1) of the test set: \(message)")
            }
            answers.append(Self.content(of: parsed ?? .null))
        }
        return answers
    }

    /// The first choice's text (its parts joined), empty when it has none.
    static func content(of answer: JSONValue) -> String {
        guard case .object(let fields) = answer, case .array(let choices)? = fields["choices"], case .object(let choice)? = choices.first,
            case .object(let message)? = choice["message"]
        else { return "" }
        switch message["content"] {
        case .string(let text)?: return text
        case .array(let parts)?:
            return parts.compactMap { part in
                if case .object(let fields) = part, case .string(let text)? = fields["text"] { text } else { nil }
            }.joined()
        default: return ""
        }
    }
}
