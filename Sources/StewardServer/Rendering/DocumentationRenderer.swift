import Foundation
import StewardCore
import StewardJSON

/// Writes a system's Annex IV technical documentation as Markdown or as a self-contained HTML page, its sections in
/// the Annex's order (1 to 9). Each section's content is what the JSON form holds, written as nested lists with
/// readable labels; multi-line text (the policy) as a code block. Every value is escaped as on the model card.
enum DocumentationRenderer {
    static func markdown(_ documentation: TechnicalDocumentation) -> String {
        var lines = [
            "# Technical documentation: \(ModelCardRenderer.inline(documentation.generalDescription.content.name))",
            "",
            "Under the headings of the EU AI Act's Annex IV, from the \(documentation.generatedFrom) (system \(documentation.systemId)).",
        ]
        for (heading, content) in documentation.sections {
            lines += ["", "## \(ModelCardRenderer.inline(heading))", ""]
            lines += markdown(content, indent: "")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func markdown(_ value: JSONValue, indent: String) -> [String] {
        switch value {
        case .object(let members):
            guard !members.isEmpty else { return ["\(indent)- none"] }
            return members.sorted { $0.key < $1.key }.flatMap { key, member -> [String] in
                let label = "\(indent)- **\(label(key)):**"
                if let time = time(key, member) { return ["\(label) \(time)"] }
                if let text = scalar(member, markdown: true) { return ["\(label) \(text)"] }
                if case .string(let text) = member { return [label, ""] + fenced(text, indent: indent + "  ") + [""] }
                return [label] + markdown(member, indent: indent + "  ")
            }
        case .array(let items):
            guard !items.isEmpty else { return ["\(indent)- none"] }
            return items.enumerated().flatMap { index, item -> [String] in
                if let text = scalar(item, markdown: true) { return ["\(indent)- \(text)"] }
                return ["\(indent)- \(index + 1)."] + markdown(item, indent: indent + "  ")
            }
        default:
            if let text = scalar(value, markdown: true) { return [indent.isEmpty ? text : "\(indent)- \(text)"] }
            if case .string(let text) = value { return fenced(text, indent: indent) }
            return []
        }
    }

    /// Multi-line text as a fenced code block, fenced by more backticks than any run inside it.
    static func fenced(_ text: String, indent: String) -> [String] {
        var longest = 0
        var run = 0
        for character in text {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        return ["\(indent)\(fence)"] + text.split(separator: "\n", omittingEmptySubsequences: false).map { "\(indent)\($0)" } + ["\(indent)\(fence)"]
    }

    /// A value written on one line, or nil for objects, arrays of objects and multi-line text. An array of scalars
    /// is one line, comma-separated.
    static func scalar(_ value: JSONValue, markdown: Bool) -> String? {
        func text(_ string: String) -> String { markdown ? ModelCardRenderer.inline(string) : ModelCardRenderer.escape(string) }
        switch value {
        case .null: return "—"
        case .bool(let flag): return flag ? "yes" : "no"
        case .integer(let number): return "\(number)"
        case .number(let number): return ModelCardRenderer.number(number)
        case .string(let string): return string.contains("\n") ? nil : (string.isEmpty ? "—" : text(string))
        case .array(let items):
            let parts = items.compactMap { item -> String? in
                if case .array = item { return nil }
                if case .object = item { return nil }
                return scalar(item, markdown: markdown)
            }
            return parts.count == items.count ? (parts.isEmpty ? "none" : parts.joined(separator: ", ")) : nil
        case .object: return nil
        }
    }

    /// A time member (by the API's naming rule) as ISO 8601, for people; nil for anything else.
    static func time(_ key: String, _ value: JSONValue) -> String? {
        guard ISOTimesMiddleware<StewardRequestContext>.isTime(key), case .integer(let milliseconds) = value else { return nil }
        return EpochClock.iso(Int64(milliseconds))
    }

    /// `snake_case` as words: `tier_rationale` is "Tier rationale".
    static func label(_ key: String) -> String {
        let words = key.replacingOccurrences(of: "_", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    static func html(_ documentation: TechnicalDocumentation) -> String {
        let name = ModelCardRenderer.escape(documentation.generalDescription.content.name)
        var body = "<h1>Technical documentation: \(name)</h1>"
        body += "<p>Under the headings of the EU AI Act's Annex IV, from the \(ModelCardRenderer.escape(documentation.generatedFrom))"
        body += " (system <code>\(ModelCardRenderer.escape(documentation.systemId))</code>).</p>"
        for (index, (heading, content)) in documentation.sections.enumerated() {
            body += "<section id=\"section-\(index + 1)\"><h2>\(ModelCardRenderer.escape(heading))</h2>\(html(content))</section>"
        }
        return ModelCardRenderer.page(title: "Technical documentation: \(name)", body: body)
    }

    static func html(_ value: JSONValue) -> String {
        if let text = scalar(value, markdown: false) { return "<p>\(text)</p>" }
        switch value {
        case .object(let members):
            return "<ul>"
                + members.sorted { $0.key < $1.key }.map { key, member in
                    let content = time(key, member) ?? scalar(member, markdown: false) ?? html(member)
                    return "<li><strong>\(ModelCardRenderer.escape(label(key))):</strong> \(content)</li>"
                }.joined() + "</ul>"
        case .array(let items):
            return "<ol>" + items.map { "<li>\(scalar($0, markdown: false) ?? html($0))</li>" }.joined() + "</ol>"
        case .string(let text):
            return "<pre>\(ModelCardRenderer.escape(text))</pre>"
        default:
            return ""
        }
    }
}
