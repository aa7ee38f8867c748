import StewardCore

/// A rendered prompt version: `{name, version, type, text | messages}`.
struct WireRenderedPrompt: JSONWritable {
    let version: ModelVersion
    let result: PromptTemplate.Rendered

    func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("name", version.name)
            writer.member("version", String(version.version))
            switch result {
            case .text(let text):
                writer.member("type", "text")
                writer.member("text", text)
            case .chat(let messages):
                writer.member("type", "chat")
                writer.key("messages")
                writer.array(messages) { writer, message in
                    writer.object { writer in
                        writer.member("role", message.role)
                        writer.member("content", message.content)
                    }
                }
            }
        }
    }
}
