import StewardCore

/// A response that is one named member: `{"run": {...}}`, `{"experiment_id": "1"}`.
struct WireMember<Value: JSONWritable>: JSONWritable {
    let name: StaticString
    let value: Value

    init(_ name: StaticString, _ value: Value) {
        self.name = name
        self.value = value
    }

    func write(to writer: inout JSONWriter) {
        writer.object { writer in writer.member(name, value) }
    }
}

extension String: JSONWritable {
    func write(to writer: inout JSONWriter) {
        writer.string(self)
    }
}

/// A page of results under `name`, with the token for the next page.
struct WirePage<Element: JSONWritable>: JSONWritable {
    let name: StaticString
    let items: [Element]
    let nextPageToken: String?

    init(_ name: StaticString, _ items: [Element], nextPageToken: String? = nil) {
        self.name = name
        self.items = items
        self.nextPageToken = nextPageToken
    }

    func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.member(name, items)
            writer.member("next_page_token", nextPageToken)
        }
    }
}

/// MLflow 3's `server-info`: which optional features this server offers.
struct WireServerInfo: JSONWritable {
    func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("store_type", "SqlStore")
            writer.member("workspaces_enabled", false)
            writer.member("trace_archival_enabled", false)
            writer.member("multipart_uploads_enabled", false)
            writer.member("multipart_downloads_enabled", false)
            writer.member("presigned_upload_run_id_supported", false)
            writer.member("presigned_upload_model_id_supported", false)
            writer.member("server", "steward")
            writer.member("server_version", StewardVersion.current)
        }
    }
}
