import Foundation
import StewardCore
import Yams

/// The OpenAPI 3.1 document of `/api/v1`, served at `/api/v1/openapi.json`. Written as YAML fragments, one per
/// surface (`OpenAPIDocument+*.swift`), merged once into JSON. `OpenAPIDocumentTests` keeps it honest: every
/// `/api/v1` route is in it and nothing else, and each operation's query parameters and JSON body fields are the
/// ones the route reads; schemathesis checks live responses against it (scripts/test.sh).
enum OpenAPIDocument {
    /// The fragments merged into the document, besides `base`.
    static var fragments: [(name: String, yaml: String)] {
        [
            ("register", register), ("governance", governance), ("evaluations", evaluations), ("monitoring", monitoring),
            ("models", models), ("users", users), ("deployments", deployments), ("gateway", gateway),
        ]
    }

    /// The document as a JSON object; fails when a fragment does not parse or redefines what another defines.
    static func object() throws -> [String: Any] {
        guard var document = try Yams.load(yaml: base) as? [String: Any], var paths = document["paths"] as? [String: Any],
            var components = document["components"] as? [String: Any], var schemas = components["schemas"] as? [String: Any]
        else { throw StewardError(.internalError, "The OpenAPI document's base is not a mapping with paths and schemas.") }
        for fragment in fragments {
            guard let part = try Yams.load(yaml: fragment.yaml) as? [String: Any] else {
                throw StewardError(.internalError, "The OpenAPI fragment '\(fragment.name)' is not a mapping.")
            }
            if let unexpected = Set(part.keys).subtracting(["paths", "schemas"]).first {
                throw StewardError(.internalError, "The OpenAPI fragment '\(fragment.name)' has '\(unexpected)'; it may hold paths and schemas.")
            }
            for (path, item) in part["paths"] as? [String: Any] ?? [:] {
                guard let item = item as? [String: Any] else { throw StewardError(.internalError, "\(path) in '\(fragment.name)' is not a mapping.") }
                var merged = paths[path] as? [String: Any] ?? [:]
                for (method, operation) in item {
                    guard merged[method] == nil else {
                        throw StewardError(.internalError, "\(method.uppercased()) \(path) is in '\(fragment.name)' and another fragment.")
                    }
                    merged[method] = operation
                }
                paths[path] = merged
            }
            for (name, schema) in part["schemas"] as? [String: Any] ?? [:] {
                if let existing = schemas[name], !NSDictionary(dictionary: ["s": existing]).isEqual(to: ["s": schema]) {
                    throw StewardError(.internalError, "The schema '\(name)' in '\(fragment.name)' differs from another fragment's.")
                }
                schemas[name] = schema
            }
        }
        components["schemas"] = schemas
        document["components"] = components
        document["paths"] = paths
        return document
    }

    /// The document's JSON text, keys sorted; built on first use.
    static let json: Result<Data, StewardError> = {
        do {
            return .success(try JSONSerialization.data(withJSONObject: try object(), options: [.sortedKeys, .withoutEscapingSlashes]))
        } catch let error as StewardError {
            return .failure(error)
        } catch {
            return .failure(StewardError(.internalError, "The OpenAPI document does not parse: \(error)"))
        }
    }()
}
