import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StewardCore
import StewardServer
import StewardStore
import StewardTestSupport
import Testing

/// The OpenAPI document of `/api/v1` against the router it describes: the same operations, and for each the query
/// parameters and JSON body fields the route itself says it reads (its refusal of an unknown one lists them).
@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    /// The document as served, without credentials on a server that requires them.
    static func document(_ client: any TestClientProtocol) async throws -> [String: Any] {
        try await client.execute(uri: "/api/v1/openapi.json", method: .get) { response in
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            return try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
        }
    }

    /// Every operation of the document: method, path template and the operation object.
    static func operations(_ document: [String: Any]) -> [(method: String, path: String, operation: [String: Any])] {
        let paths = document["paths"] as? [String: [String: Any]] ?? [:]
        return paths.flatMap { path, item in
            item.compactMap { method, operation in (operation as? [String: Any]).map { (method.uppercased(), path, $0) } }
        }.sorted { ($0.path, $0.method) < ($1.path, $1.method) }
    }

    /// Follows a `#/components/...` reference.
    static func resolve(_ value: Any?, in document: [String: Any]) -> [String: Any]? {
        guard var object = value as? [String: Any] else { return nil }
        while let reference = object["$ref"] as? String {
            var node: Any? = document
            for token in reference.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(token)] }
            guard let next = node as? [String: Any] else { return nil }
            object = next
        }
        return object
    }

    /// The JSON Schema (2020-12) keywords the document may use.
    static let schemaKeywords: Set<String> = [
        "$ref", "type", "enum", "const", "properties", "required", "additionalProperties", "items", "prefixItems", "minItems",
        "maxItems", "uniqueItems", "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "format", "minimum",
        "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "anyOf", "oneOf", "allOf", "not", "description", "title",
        "examples", "default", "deprecated", "readOnly", "writeOnly", "contentMediaType", "propertyNames", "patternProperties",
    ]

    /// The names listed after `marker` in a refusal ("This route takes: a, b." → [a, b]).
    static func listed(after marker: String, in message: String) -> Set<String>? {
        guard let range = message.range(of: marker) else { return nil }
        let rest = message[range.upperBound...]
        let list = rest[..<(rest.range(of: ".")?.lowerBound ?? rest.endIndex)]
        return Set(list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    }

    @Test("The document names every /api/v1 route and nothing else, and every reference in it resolves")
    func sameOperations() async throws {
        let configuration = ServerConfiguration(authenticationRequired: true)
        let routes = try await TestStorage.with(.sqlite, started: false) { storage in
            buildRouter(services: StewardServices(storage: storage, configuration: configuration), configuration: configuration).routes
                .compactMap { route -> String? in
                    let parts = "\(route.path)".split(separator: "/").map {
                        $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0)
                    }
                    guard parts.starts(with: ["api", "v1"]) else { return nil }
                    return "\(route.method) /" + parts.dropFirst(2).joined(separator: "/")
                }
        }
        try await withApplication(.sqlite, configuration: configuration) { client, _ in
            let document = try await Self.document(client)
            #expect(document["openapi"] as? String == "3.1.0")
            let operations = Self.operations(document)
            #expect(Set(routes) == Set(operations.map { "\($0.method) \($0.path)" }))
            #expect(routes.count == Set(routes).count && routes.count > 60)
            #expect(Set(operations.compactMap { $0.operation["operationId"] as? String }).count == operations.count, "operationIds are unique")
            for (method, path, operation) in operations {
                let responses = operation["responses"] as? [String: Any] ?? [:]
                #expect(responses["default"] != nil, "\(method) \(path) documents its errors")
                #expect(responses.keys.contains { $0.hasPrefix("2") }, "\(method) \(path) documents its success")
            }
            // Every reference resolves.
            var references: [String] = []
            func collect(_ node: Any) {
                if let object = node as? [String: Any] {
                    if let reference = object["$ref"] as? String { references.append(reference) }
                    object.values.forEach(collect)
                } else if let array = node as? [Any] {
                    array.forEach(collect)
                }
            }
            collect(document)
            #expect(!references.isEmpty)
            // Every schema uses only JSON Schema's keywords (a misquoted YAML flow mapping makes a keyword of its text).
            var schemas: [(where: String, schema: [String: Any])] = []
            for (name, schema) in ((document["components"] as? [String: Any])?["schemas"] as? [String: Any]) ?? [:] {
                if let schema = schema as? [String: Any] { schemas.append(("components/schemas/\(name)", schema)) }
            }
            func findSchemas(_ node: Any, _ place: String) {
                if let object = node as? [String: Any] {
                    for (key, value) in object {
                        if key == "schema", let schema = value as? [String: Any] {
                            schemas.append((place, schema))
                        } else {
                            findSchemas(value, place + "/" + key)
                        }
                    }
                } else if let array = node as? [Any] {
                    for (index, element) in array.enumerated() { findSchemas(element, "\(place)/\(index)") }
                }
            }
            findSchemas(document["paths"] as Any, "paths")
            while let (place, schema) = schemas.popLast() {
                let unknown = Set(schema.keys).subtracting(Self.schemaKeywords)
                #expect(unknown.isEmpty, "\(place) has \(unknown.sorted())")
                for (name, property) in schema["properties"] as? [String: Any] ?? [:] {
                    if let property = property as? [String: Any] { schemas.append(("\(place)/properties/\(name)", property)) }
                }
                for key in ["items", "additionalProperties", "not"] {
                    if let nested = schema[key] as? [String: Any] { schemas.append(("\(place)/\(key)", nested)) }
                }
                for key in ["anyOf", "oneOf", "allOf", "prefixItems"] {
                    for case let nested as [String: Any] in schema[key] as? [Any] ?? [] { schemas.append(("\(place)/\(key)", nested)) }
                }
            }
            for reference in Set(references) {
                #expect(Self.resolve(["$ref": reference], in: document) != nil, "\(reference) resolves")
            }
        }
    }

    @Test("Each operation documents exactly the query parameters and JSON body fields its route reads")
    func sameParametersAndFields() async throws {
        try await withApplication(.sqlite) { client, services in
            let admin = try await services.identity.createUser(name: "ada", role: .admin, actor: IdentityService.bootstrap).token
            /// The refusal's message, as the admin: governance routes read their bodies only for a known identity.
            func refusal(_ method: String, _ uri: String, _ body: String? = nil) async throws -> (status: HTTPResponse.Status, message: String) {
                try await client.execute(
                    uri: uri, method: HTTPRequest.Method(rawValue: method)!,
                    headers: [.authorization: "Bearer \(admin)", .contentType: "application/json"], body: body.map { ByteBuffer(string: $0) }
                ) { response in
                    let object = try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                    return (response.status, object?["message"] as? String ?? String(buffer: response.body))
                }
            }
            let document = try await Self.document(client)
            for (method, template, operation) in Self.operations(document) {
                let path = "/api/v1" + template.replacingOccurrences(of: #"\{[^}]+\}"#, with: "probe", options: .regularExpression)
                let parameters = (operation["parameters"] as? [Any] ?? []).compactMap { Self.resolve($0, in: document) }
                let documentedQuery = Set(parameters.filter { $0["in"] as? String == "query" }.compactMap { $0["name"] as? String })
                let message = try await refusal(method, path + "?zz_probe=1").message
                if template == "/openapi.json" || message.contains("This route takes none.") {
                    #expect(documentedQuery.isEmpty, "\(method) \(template) takes no query parameters: \(message)")
                } else {
                    #expect(Self.listed(after: "This route takes: ", in: message) == documentedQuery, "\(method) \(template): \(message)")
                }

                let body = Self.resolve(operation["requestBody"], in: document)
                let content = body?["content"] as? [String: Any] ?? [:]
                if let yaml = Self.resolve(Self.resolve(content["application/yaml"], in: document)?["schema"], in: document) {
                    // A YAML body's refusal of an unknown key lists the keys it reads.
                    let documentedKeys = Set((yaml["properties"] as? [String: Any] ?? [:]).keys)
                    #expect(!documentedKeys.isEmpty, "\(method) \(template) documents its YAML keys")
                    let message = try await refusal(method, path, "zz_probe: 1\n").message
                    let listed = Self.listed(after: "the keys are ", in: message.replacingOccurrences(of: " and ", with: ", "))
                    #expect(listed == documentedKeys, "\(method) \(template): \(message)")
                }
                let json = Self.resolve(content["application/json"], in: document)
                // Rows (events, labels): each row's unknown field is refused with the fields a row has.
                if let rows = Self.resolve(json?["schema"], in: document), rows["type"] as? String == "array",
                    let row = Self.resolve(rows["items"], in: document), let fields = row["properties"] as? [String: Any]
                {
                    let message = try await refusal(method, path, #"[{"zz_probe": 1}]"#).message
                    let tail = message.components(separatedBy: "Unknown field 'zz_probe'; ").last ?? ""
                    let listed = tail.range(of: " has ").map { Self.listed(after: " has ", in: String(tail[$0.lowerBound...])) } ?? nil
                    #expect(listed == Set(fields.keys), "\(method) \(template): \(message)")
                }
                // Objects with named fields; a free-form map (metrics by name) has none to compare.
                guard let schema = Self.resolve(json?["schema"], in: document), schema["type"] as? String == "object", schema["properties"] != nil
                else { continue }
                let documentedFields = Set((schema["properties"] as? [String: Any] ?? [:]).keys)
                let refusal = try await client.call(HTTPRequest.Method(rawValue: method)!, path, json: #"{"zz_probe": 1}"#)
                let refusalMessage = refusal.body.string("message") ?? ""
                #expect(
                    refusal.status == .badRequest && refusalMessage.hasPrefix("Unknown field 'zz_probe'"), "\(method) \(template): \(refusalMessage)")
                #expect(
                    Self.listed(after: "The fields of this request are: ", in: refusalMessage) ?? [] == documentedFields,
                    "\(method) \(template): \(refusalMessage)")
            }
        }
    }

    @Test("The UI and refusals point at the document: missing fields link it, and it is read without a token only by GET")
    func refusalsLinkTheDocument() async throws {
        try await withApplication(.sqlite, configuration: ServerConfiguration(authenticationRequired: true)) { client, _ in
            // Where the mlflow client's run links land (a browser sends only the path before '#'): the UI.
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/ui/")
            }
            try await client.execute(uri: "/ui/sign-in", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.headers[HTTPField.Name("Content-Security-Policy")!]?.hasPrefix("default-src 'none'; style-src 'self'") == true)
                #expect(String(buffer: response.body).contains(#"<a href="/api/v1/openapi.json">"#))
            }
            try await client.execute(uri: "/api/v1/openapi.json", method: .post, headers: [:], body: nil) { response in
                #expect(response.status == .unauthorized)
            }
        }
        try await withApplication(.sqlite) { client, _ in
            try await client.expectError(
                .post, "/api/v1/systems/unknown/tier", json: "{}", status: .badRequest, code: "INVALID_PARAMETER_VALUE",
                messageContains: "See the API docs at /api/v1/openapi.json")
        }
    }
}
