import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StewardCore

/// Calls to the LLM providers behind the gateway: one pooled HTTP client for the process (streaming, no
/// redirects: a 3xx is the answer, so an allowed host cannot bounce a call elsewhere), only to hosts an
/// administrator allowed, with the provider's key read from the environment variable the configuration names
/// at each call (never stored, never logged) and sent as its wire format wants it (OpenAI's bearer token,
/// Anthropic's `x-api-key`).
struct LLMProviderClient: Sendable {
    enum Failure: Error {
        case unreachable(String)
        case timedOut
        case refused(StewardError)
    }

    static let client = HTTPClient.pooled(connectTimeout: .seconds(5))

    let allowList: EndpointAllowList
    let environment: @Sendable (String) -> String?

    /// `environment` reads one variable (`getenv`: `ProcessInfo`'s dictionary of all of them, built per call, showed
    /// in the gateway's profile).
    init(allowList: EndpointAllowList, environment: @escaping @Sendable (String) -> String? = { getenv($0).map { String(cString: $0) } }) {
        self.allowList = allowList
        self.environment = environment
    }

    /// Posts `body` to the provider's `path`; the answer's head is back within `timeout`, its body streams.
    func post(_ body: [UInt8], path: String, to provider: GatewayConfiguration.Provider, timeout: TimeAmount) async throws(Failure)
        -> HTTPClientResponse
    {
        let url: URL
        do { url = try allowList.check(provider.baseURL + path) } catch { throw .refused(error) }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json, text/event-stream")
        if let variable = provider.apiKeyEnvironment {
            guard let key = environment(variable), !key.isEmpty else {
                throw .refused(
                    StewardError(.upstreamFailed, "The provider '\(provider.name)' has no key: the server's environment does not set \(variable)."))
            }
            switch provider.kind {
            case .openai: request.headers.add(name: "Authorization", value: "Bearer \(key)")
            case .anthropic: request.headers.add(name: "x-api-key", value: key)
            }
        }
        if provider.kind == .anthropic { request.headers.add(name: "anthropic-version", value: AnthropicMessages.version) }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            return try await Self.client.execute(request, timeout: timeout)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw .timedOut
        } catch {
            throw .unreachable(String(describing: error))
        }
    }
}
