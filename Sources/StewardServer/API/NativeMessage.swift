import Foundation
import Hummingbird
import StewardCore
import StewardJSON

/// Reads and writes the JSON of Steward's own `/api/v1` routes: snake_case keys both ways, errors in the
/// same shape as the MLflow routes.
enum NativeMessage {
    static let maximumBodyBytes = 1 << 20

    /// Decodes a JSON body strictly (`StrictJSONDecoder`: no unknown or duplicate member); an empty body reads as `{}`.
    static func decode<Message: Decodable>(_ type: Message.Type, from request: Request) async throws -> Message {
        try StrictJSONDecoder.decode(type, from: try await body(of: request))
    }

    /// A JSON request's body, `{}` when it is empty.
    private static func body(of request: Request) async throws -> Data {
        var request = request
        let body = try await MLflowRequest.collectBody(of: &request, maximumBytes: maximumBodyBytes)
        return body.readableBytes == 0 ? Data("{}".utf8) : Data(buffer: body)
    }

    /// The body decoded as `decode` does, and whether it gives `null` as its `field` (which a decoded optional
    /// cannot tell from leaving the field out): for a field whose `null` takes a setting away.
    static func decode<Message: Decodable>(_ type: Message.Type, from request: Request, null field: String) async throws -> (Message, Bool) {
        let data = try await body(of: request)
        let message = try StrictJSONDecoder.decode(type, from: data)
        guard case .object(let members)? = try? JSONValue.parse(data) else { return (message, false) }
        return (message, members[field] == .null)
    }

    /// The raw body as text, for documents such as the YAML policy.
    static func text(of request: Request) async throws -> String {
        var request = request
        let body = try await MLflowRequest.collectBody(of: &request, maximumBytes: maximumBodyBytes)
        guard let text = String(bytes: body.readableBytesView, encoding: .utf8), !text.contains("\u{0}") else {
            throw StewardError.invalidParameter("The body must be UTF-8 text without NUL characters.")
        }
        return text
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(data: try encoder.encode(value))))
    }

    /// An error of a native route: `{"error_code": ..., "message": ...}` with the status its code maps to. The shape
    /// is the MLflow routes' (one client handles both), but it is the native surface's to keep.
    static func error(_ error: StewardError) -> Response {
        struct Body: Encodable {
            let errorCode: String
            let message: String
        }
        let body = (try? encoder.encode(Body(errorCode: error.code.rawValue, message: error.message))) ?? Data()
        return Response(
            status: MLflowResponse.status(for: error.code), headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(data: body)))
    }

    /// Field names in snake case; dictionary keys are data and written as they are.
    static var encoder: JSONEncoder { SnakeCaseJSON.encoder() }

    static func text(_ text: String, contentType: String) -> Response {
        Response(status: .ok, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// The value of a required field; empty counts as missing. The refusal points at the API's contract.
    static func required(_ value: String?, _ field: String) throws(StewardError) -> String {
        guard let value, !value.isEmpty else {
            throw .invalidParameter(
                "Missing value for required parameter '\(field)'. See the API docs at /api/v1/openapi.json for each route's parameters and fields.")
        }
        return value
    }

    /// A path parameter, percent-decoded.
    static func parameter(_ name: String, _ context: some RequestContext) throws -> String {
        let raw = try context.parameters.require(name)
        return try plain(raw.removingPercentEncoding ?? raw, name)
    }

    /// A query parameter's last value, if given.
    static func query(_ name: String, _ request: Request) throws -> String? {
        try MLflowRequest.parseQuery(request.uri.query).last { $0.0 == name }.map { try plain($0.1, name) }
    }

    /// Refuses control characters (NUL above all, which PostgreSQL cannot store) in a parameter.
    static func plain(_ value: String, _ name: String) throws -> String {
        guard !value.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw StewardError.invalidParameter("Parameter '\(name)' must not contain control characters.")
        }
        return value
    }
}

/// `{}`: the answer of a route that removes something and has nothing more to say.
struct EmptyObject: Encodable {}
