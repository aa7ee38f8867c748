import Hummingbird
import StewardCore

/// A form the UI posted (`application/x-www-form-urlencoded`).
struct UIForm: Sendable {
    let fields: [(String, String)]

    init(_ body: ByteBuffer) {
        fields = MLflowRequest.parseQuery(String(buffer: body))
    }

    func value(_ name: String) -> String? {
        fields.first { $0.0 == name }?.1
    }

    /// A field the form must carry, trimmed: a 400 naming it when absent or empty.
    func required(_ name: String) throws(StewardError) -> String {
        guard let value = value(name)?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            throw StewardError.invalidParameter("The form lacks '\(name)'.")
        }
        return value
    }

    /// Refuses a field the handler does not read, as every Steward route does.
    func refuseUnknown(_ known: Set<String>) throws(StewardError) {
        if let unknown = fields.first(where: { !known.contains($0.0) && $0.0 != "form_token" }) {
            throw StewardError.invalidParameter("The form has a field this page does not take: '\(unknown.0)'.")
        }
    }

    static func read(_ request: Request) async throws -> UIForm {
        var request = request
        return UIForm(try await request.collectBody(upTo: UISessionMiddleware.largestForm))
    }
}
