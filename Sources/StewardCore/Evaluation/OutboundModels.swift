import Foundation

/// How the services reach the model services an administrator allowed: a served model to score a test set with,
/// and an LLM judge. The server's implementation calls them over HTTP without following redirects.
public protocol OutboundModels: Sendable {
    /// A model served with MLflow's pyfunc scoring protocol at `url`.
    func endpoint(at url: URL) -> any ModelEndpoint
    /// A judge behind an OpenAI-compatible chat-completions endpoint at `url`, asked for `model`.
    func judge(at url: URL, model: String) -> any Judge
}
