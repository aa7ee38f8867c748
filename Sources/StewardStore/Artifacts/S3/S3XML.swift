import Foundation
import NIOCore
import StewardCore

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// An S3 answer's XML as a tree of elements (read with Foundation's parser): S3 answers are small documents of
/// nested elements with text, and a listing is read element by element.
struct S3XML: Sendable {
    let name: String
    var text: String
    var children: [S3XML]

    /// The direct children called `name`.
    func children(named name: String) -> [S3XML] {
        children.filter { $0.name == name }
    }

    /// The text of the first direct child called `name`.
    func text(of name: String) -> String? {
        children.first { $0.name == name }?.text
    }

    /// The document's root element.
    static func parse(_ body: ByteBuffer) throws -> S3XML {
        let builder = TreeBuilder()
        let parser = XMLParser(data: Data(body.readableBytesView))
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            throw StewardError(.temporarilyUnavailable, "The S3 store answered with XML that does not parse.")
        }
        return root
    }

    /// Text escaped for an element's content.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }

    private final class TreeBuilder: NSObject, XMLParserDelegate {
        var stack: [S3XML] = []
        var root: S3XML?

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            stack.append(S3XML(name: elementName, text: "", children: []))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if !stack.isEmpty { stack[stack.count - 1].text += string }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            guard let element = stack.popLast() else { return }
            if stack.isEmpty {
                root = element
            } else {
                stack[stack.count - 1].children.append(element)
            }
        }
    }
}
