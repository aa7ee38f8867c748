import Foundation
import Hummingbird
import HummingbirdTesting
import StewardServer
import StewardStore
import StewardTestSupport
import Testing

/// Drives the real application (the same `buildApplication` the server runs) in-process.
func withApplication(
    _ engine: TestEngine, configuration: ServerConfiguration = ServerConfiguration(),
    _ body: @escaping @Sendable (any TestClientProtocol, TrackingServices) async throws -> Void
) async throws {
    try await TestStorage.with(engine, started: false) { storage async throws in
        let application = buildApplication(configuration: configuration, storage: storage, logger: TestStorage.logger)
        try await application.test(.router) { client in
            try await body(client, TrackingServices(storage))
        }
    }
}

/// A decoded JSON response body.
struct JSONBody: @unchecked Sendable {
    let object: [String: Any]

    init(_ buffer: ByteBuffer) throws {
        let value = try JSONSerialization.jsonObject(with: Data(buffer: buffer), options: [.fragmentsAllowed])
        object = value as? [String: Any] ?? [:]
    }

    subscript(_ key: String) -> Any? { object[key] }

    func string(_ key: String) -> String? { object[key] as? String }

    func dictionary(_ key: String) -> JSONBody? {
        (object[key] as? [String: Any]).map(JSONBody.init(object:))
    }

    func array(_ key: String) -> [JSONBody] {
        (object[key] as? [[String: Any]])?.map(JSONBody.init(object:)) ?? []
    }

    init(object: [String: Any]) {
        self.object = object
    }
}

extension TestClientProtocol {
    /// Sends a request and returns status and decoded body.
    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ uri: String, json: String? = nil, bytes: ByteBuffer? = nil
    ) async throws -> (status: HTTPResponse.Status, body: JSONBody, raw: ByteBuffer) {
        let buffer = bytes ?? json.map { ByteBuffer(string: $0) }
        return try await execute(uri: uri, method: method, headers: [.contentType: "application/json"], body: buffer) { response in
            (response.status, (try? JSONBody(response.body)) ?? JSONBody(object: [:]), response.body)
        }
    }

    /// Asserts an MLflow error response with this status and code.
    func expectError(
        _ method: HTTPRequest.Method, _ uri: String, json: String? = nil, status: HTTPResponse.Status, code: String,
        messageContains: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let response = try await call(method, uri, json: json)
        #expect(response.status == status, "\(method) \(uri) \(json ?? "")", sourceLocation: sourceLocation)
        #expect(response.body.string("error_code") == code, "\(String(buffer: response.raw))", sourceLocation: sourceLocation)
        if let messageContains {
            #expect(
                response.body.string("message")?.contains(messageContains) == true, "\(String(buffer: response.raw))", sourceLocation: sourceLocation)
        }
    }
}
