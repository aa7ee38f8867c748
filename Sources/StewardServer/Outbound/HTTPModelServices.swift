import Foundation
import StewardCore

/// The model services evaluations call, over HTTP without following redirects: served models with MLflow's pyfunc
/// protocol, and judges behind OpenAI-compatible chat completions (with the key the administrator set in
/// `STEWARD_JUDGE_API_KEY`, never stored). Which hosts may be called is decided before these are asked.
struct HTTPModelServices: OutboundModels {
    let judgeAPIKey: String?

    func endpoint(at url: URL) -> any ModelEndpoint {
        PyfuncEndpoint(url: url, timeout: 60)
    }

    func judge(at url: URL, model: String) -> any Judge {
        ChatCompletionsJudge(url: url, model: model, apiKey: judgeAPIKey)
    }
}
