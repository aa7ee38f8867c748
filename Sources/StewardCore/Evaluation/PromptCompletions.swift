/// Answers of an LLM to a registered prompt, rendered per test-set row, through the gateway: how a prompt
/// evaluation gets its outputs. The server's implementation runs each row as one of the system's gateway calls,
/// so the models the system may use, its budgets and its events apply as to any call.
public protocol PromptCompletions: Sendable {
    /// The version `prompt` names now (its version, or the one its alias points to, or the latest).
    func version(of prompt: PromptReference) async throws -> String
    /// `model`'s answers to `prompt` (a version, without variables) rendered with each row, whose values fill the
    /// variables `columns` names, in row order; called as `systemID` for `actor`.
    func complete(systemID: String, model: String, prompt: PromptReference, columns: [String], rows: [[String]], actor: Principal) async throws
        -> [String]
}

/// A prompt evaluation's model seen as an endpoint, so its rows are scored and timed as a served model's are.
struct PromptEndpoint: ModelEndpoint {
    let completions: any PromptCompletions
    let systemID: String
    let model: String
    let prompt: PromptReference
    let actor: Principal

    func predict(columns: [String], rows: [[String]]) async throws -> [String] {
        try await completions.complete(systemID: systemID, model: model, prompt: prompt, columns: columns, rows: rows, actor: actor)
    }
}
