import Foundation
import StewardCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The one way the server calls a model service it was allowed to reach: POST a JSON body, take a 2xx JSON
/// reply. An unreachable service is 503; a refusal or a reply that is not JSON is a 400 naming the service. A
/// redirect is not followed (it is a refusal), so an allowed host cannot send the server elsewhere.
enum OutboundJSON {
    static let client = NoRedirectHTTPClient()

    static func post(_ body: Any, to url: URL, bearer: String? = nil, timeout: TimeInterval, service: String) async throws -> Any {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let bearer { request.setValue("Bearer \(bearer)", forHTTPHeaderField: "Authorization") }
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let reply: Data
        let response: URLResponse
        do {
            (reply, response) = try await client.data(for: request)
        } catch {
            throw StewardError(.temporarilyUnavailable, "The \(service) at \(url.absoluteString) could not be reached: \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            throw StewardError.invalidParameter("The \(service) answered HTTP \(status): \(String(decoding: reply.prefix(300), as: UTF8.self))")
        }
        guard let parsed = try? JSONSerialization.jsonObject(with: reply, options: [.fragmentsAllowed]) else {
            throw StewardError.invalidParameter("The \(service) answered with something that is not JSON.")
        }
        return parsed
    }
}
