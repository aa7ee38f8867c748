import Foundation

/// A prompt registry template with `{{variable}}` placeholders (spaces inside the braces allowed), as MLflow's
/// prompt registry writes them; chat prompts are a JSON list of `{role, content}` messages whose contents are
/// templates.
public enum PromptTemplate {
    /// A rendered prompt: text for a text prompt, messages for a chat prompt.
    public enum Rendered: Sendable, Equatable {
        case text(String)
        case chat([ChatMessage])
    }

    public struct ChatMessage: Sendable, Equatable, Codable {
        public var role: String
        public var content: String

        public init(role: String, content: String) {
            self.role = role
            self.content = content
        }
    }

    /// The variables a template names, in order of first appearance.
    public static func variables(in template: String) -> [String] {
        var names: [String] = []
        for name in placeholders(in: template).map(\.name) where !names.contains(name) { names.append(name) }
        return names
    }

    /// Replaces every placeholder; a variable the template names but `values` lacks is an error that lists all
    /// missing ones. Extra values are ignored.
    public static func render(_ template: String, with values: [String: String]) throws(StewardError) -> String {
        let found = placeholders(in: template)
        let missing = variables(in: template).filter { values[$0] == nil }
        guard missing.isEmpty else {
            throw .invalidParameter("Missing value for prompt variable(s): \(missing.joined(separator: ", ")).")
        }
        var result = ""
        var cursor = template.startIndex
        for placeholder in found {
            result += template[cursor..<placeholder.range.lowerBound]
            result += values[placeholder.name]!
            cursor = placeholder.range.upperBound
        }
        result += template[cursor...]
        return result
    }

    /// Renders a prompt version's template by its type (`text` or `chat`).
    public static func render(template: String, type: String?, with values: [String: String]) throws(StewardError) -> Rendered {
        guard type == "chat" else { return .text(try render(template, with: values)) }
        guard let messages = try? JSONDecoder().decode([ChatMessage].self, from: Data(template.utf8)) else {
            throw .invalidParameter("The chat prompt's text is not a JSON list of {role, content} messages.")
        }
        let all = messages.flatMap { variables(in: $0.content) }
        let missing = all.filter { values[$0] == nil }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        guard missing.isEmpty else {
            throw .invalidParameter("Missing value for prompt variable(s): \(missing.joined(separator: ", ")).")
        }
        return .chat(
            try messages.map { message throws(StewardError) in ChatMessage(role: message.role, content: try render(message.content, with: values)) })
    }

    /// Renders a stored prompt version (its `mlflow.prompt.text` tag, by its `_mlflow_prompt_type`) with `values`.
    public static func render(_ version: ModelVersion, with values: [String: String]) throws(StewardError) -> Rendered {
        guard let template = version.tags.first(where: { $0.key == PromptTags.text })?.value else {
            throw .invalidParameter("'\(version.name)' version \(version.version) is not a prompt (it has no \(PromptTags.text) tag).")
        }
        return try render(template: template, type: version.tags.first { $0.key == PromptTags.type }?.value, with: values)
    }

    private static func placeholders(in template: String) -> [(name: String, range: Range<String.Index>)] {
        var found: [(String, Range<String.Index>)] = []
        var searchStart = template.startIndex
        while let open = template.range(of: "{{", range: searchStart..<template.endIndex),
            let close = template.range(of: "}}", range: open.upperBound..<template.endIndex)
        {
            let name = template[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" }) {
                found.append((name, open.lowerBound..<close.upperBound))
                searchStart = close.upperBound
            } else {
                searchStart = open.upperBound
            }
        }
        return found
    }
}
