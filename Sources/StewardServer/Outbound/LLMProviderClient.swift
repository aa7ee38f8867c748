import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StewardCore
import Synchronization

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
    /// The serving fast path's connections, for providers at plain `http://` URLs (`PooledProviderCall`); nil:
    /// async-http-client for every provider.
    let pools: ModelServerConnectionPools?
    private let allowed = AllowedURLs()

    /// The URLs the allow list passed, as it normalised them, each with its endpoint when the pools can call it
    /// (plain `http://`): checked and parsed once each (parsing the URL at each call was 1.8% of a gateway call's
    /// CPU time, `bench/gateway.py` under `perf`). The allow list is fixed for the server's life; a refused URL is
    /// checked again each time.
    final class AllowedURLs: Sendable {
        private let checked = Mutex<[String: (url: String, endpoint: ModelServerConnections.Endpoint?)]>([:])

        func check(_ url: String, against allowList: EndpointAllowList) throws(StewardError) -> (
            url: String, endpoint: ModelServerConnections.Endpoint?
        ) {
            if let known = checked.withLock({ $0[url] }) { return known }
            let normalised = try allowList.check(url).absoluteString
            let allowed = (url: normalised, endpoint: ModelServerConnections.Endpoint(normalised))
            checked.withLock { checked in
                if checked.count >= 1024 { checked.removeAll(keepingCapacity: true) }
                checked[url] = allowed
            }
            return allowed
        }
    }

    /// `environment` reads one variable (`getenv`: `ProcessInfo`'s dictionary of all of them, built per call, showed
    /// in the gateway's profile).
    init(
        allowList: EndpointAllowList, pools: ModelServerConnectionPools? = nil,
        environment: @escaping @Sendable (String) -> String? = { getenv($0).map { String(cString: $0) } }
    ) {
        self.allowList = allowList
        self.pools = pools
        self.environment = environment
    }

    /// Posts `body` to the provider's `path`; the answer's head is back within `timeout`, its body streams (a
    /// `streaming` call's as it comes).
    func post(
        _ body: [UInt8], path: String, to provider: GatewayConfiguration.Provider, timeout: TimeAmount, streaming: Bool
    ) async throws(Failure) -> HTTPClientResponse {
        let (url, endpoint): (String, ModelServerConnections.Endpoint?)
        do { (url, endpoint) = try allowed.check(provider.baseURL + path, against: allowList) } catch { throw .refused(error) }
        var headers = [("Accept", "application/json, text/event-stream")]
        if let variable = provider.apiKeyEnvironment {
            guard let key = environment(variable), !key.isEmpty else {
                throw .refused(
                    StewardError(.upstreamFailed, "The provider '\(provider.name)' has no key: the server's environment does not set \(variable)."))
            }
            // A header value ends at a line break: a key read with one (a secret file's last newline) would end the
            // header early, or add one.
            guard !key.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
                throw .refused(
                    StewardError(.upstreamFailed, "The provider '\(provider.name)' has a key with a line break or NUL in it: check \(variable)."))
            }
            switch provider.kind {
            case .openai: headers.append(("Authorization", "Bearer \(key)"))
            case .anthropic: headers.append(("x-api-key", key))
            }
        }
        if provider.kind == .anthropic { headers.append(("anthropic-version", AnthropicMessages.version)) }
        if let pools, let endpoint {
            do {
                return try await PooledProviderCall.post(
                    ByteBuffer(bytes: body), to: endpoint, headers: headers, timeout: timeout, streaming: streaming, pools: pools)
            } catch ModelServerClient.Failure.timedOut {
                throw .timedOut
            } catch ModelServerClient.Failure.unreachable(let reason) {
                throw .unreachable(reason)
            } catch ModelServerClient.Failure.notAllowed(let reason) {
                throw .unreachable(reason)
            } catch {
                throw .unreachable(String(describing: error))
            }
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
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
