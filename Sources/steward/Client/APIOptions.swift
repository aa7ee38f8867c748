import ArgumentParser
import Foundation
import Logging
import StewardCore
import StewardServer

/// Where a command that speaks Steward's API sends its requests: a running server (`--server`, or
/// `STEWARD_SERVER`), else the data folder (or `--store`) through the server's own routes in this process. Either
/// way the request is the same, and so are the decisions, refusals and audit trail.
struct APIOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "A running Steward server, e.g. http://127.0.0.1:5000 (default: $STEWARD_SERVER; without one, the data folder).", valueName: "url"))
    var server: String?

    @Option(name: .long, help: ArgumentHelp("API token to act with (default: $STEWARD_TOKEN).", valueName: "token"))
    var token: String?

    @OptionGroup var store: StoreOptions

    /// The server to speak to, if any.
    var serverURL: String? { server ?? ProcessInfo.processInfo.environment["STEWARD_SERVER"].flatMap { $0.isEmpty ? nil : $0 } }

    /// The token to send, if any.
    var resolvedToken: String? { StewardClient.token(token) }

    func validate() throws {
        if let serverURL {
            _ = try StewardClient.baseURL(serverURL)
        } else {
            try store.requireExistingStore()
        }
    }

    /// Runs `body` with a client of the server, or of the data folder opened for the length of it. Without a
    /// token, requests on the data folder act under the local user's name, unverified (no governance rights).
    func withClient<T: Sendable>(_ body: @Sendable (StewardClient) async throws -> T) async throws -> T {
        let token = resolvedToken
        if let serverURL { return try await body(StewardClient(transport: .server(try StewardClient.baseURL(serverURL)), token: token)) }
        return try await store.withServices { services in
            var logger = Logger(label: "steward")
            logger.logLevel = .warning
            let principal = Principal.declared("cli:\(ProcessInfo.processInfo.environment["USER"] ?? "unknown")")
            let local = InProcessClient(services: services, principal: principal, logger: logger)
            return try await body(StewardClient(transport: .inProcess(local), token: token))
        }
    }

    /// Sends a YAML file (a gate, alert rules) to replace what `path` holds.
    func putYAML(file: String, to path: APIPath) async throws {
        guard let body = FileManager.default.contents(atPath: file) else { throw failing(.invalidParameter("Cannot read the file '\(file)'.")) }
        _ = try await withClient { client in try await client.send("PUT", path, body: body, contentType: "application/yaml") }
    }
}
