import Yams

/// Reads the YAML documents users send (gate specs, alert rules, the governance policy) with bounded cost.
///
/// A YAML alias expands to a copy of what its anchor names, so a few hundred bytes of nested anchors become
/// billions of nodes once read; and the reader recurses once per level of nesting, so a document nested
/// hundreds of thousands deep would exhaust a thread's stack. Both are refused before any value is built:
/// nesting is estimated from the text first (flow brackets, indentation and compact `- ` entries), then the
/// parsed tree is walked for anchors and aliases, which none of these documents needs.
public enum BoundedYAML {
    /// The deepest nesting a document may have, counted generously (every column of indentation counts as a level).
    public static let maximumDepth = 256

    /// The value of `document` as Yams builds it (dictionaries, arrays, scalars); `what` names the document in errors.
    public static func load(_ document: String, what: String) throws(StewardError) -> Any? {
        let scan = TextScan(document)
        if scan.deepest > maximumDepth {
            throw .invalidParameter("\(what) nests more than \(maximumDepth) levels deep (found about \(scan.deepest)); flatten it.")
        }
        if let (line, column) = scan.anchorOrAlias {
            throw refusal(what, "anchor or alias at line \(line), column \(column)")
        }
        let root: Node?
        do { root = try Yams.compose(yaml: document) } catch { throw .invalidParameter("\(what) is not valid YAML: \(error)") }
        guard let root else { return nil }
        if let place = firstAnchorOrAlias(in: root) { throw refusal(what, place) }
        return root.any
    }

    static func refusal(_ what: String, _ place: String) -> StewardError {
        .invalidParameter(
            "\(what) uses a YAML anchor or alias (\(place)); they are not accepted here, since each alias copies what it names. "
                + "Write the values out.")
    }

    /// What a single pass over the text tells before the YAML reader runs: an upper bound of the nesting (every
    /// column of indentation and every flow bracket counts as a level), and the first `&anchor` or `*alias` that
    /// starts a node. Conservative: text in a block scalar that looks like an alias is refused too.
    struct TextScan {
        var deepest = 0
        var anchorOrAlias: (line: Int, column: Int)?

        init(_ document: String) {
            var flowDepth = 0
            var indentation = 0
            var quote: UInt8? = nil
            var atLineStart = true
            var atNodeStart = true
            var inComment = false
            var inTag = false
            var previous: UInt8 = UInt8(ascii: "\n")
            var line = 1
            var column = 0
            let bytes = Array(document.utf8)
            for (index, byte) in bytes.enumerated() {
                column += 1
                defer { previous = byte }
                if byte == UInt8(ascii: "\n") {
                    line += 1
                    column = 0
                    inComment = false
                    inTag = false
                    // A quoted scalar may span lines; its continuation lines start no node.
                    atLineStart = quote == nil
                    atNodeStart = quote == nil
                    indentation = 0
                    continue
                }
                if inComment { continue }
                if let open = quote {
                    if byte == open && !(open == UInt8(ascii: "\"") && previous == UInt8(ascii: "\\")) { quote = nil }
                    continue
                }
                let next = index + 1 < bytes.count ? bytes[index + 1] : UInt8(ascii: "\n")
                let isBlank = byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
                if inTag {
                    guard isBlank else { continue }
                    inTag = false
                }
                if atLineStart {
                    if isBlank
                        || (byte == UInt8(ascii: "-") || byte == UInt8(ascii: "?")) && (next == UInt8(ascii: " ") || next == UInt8(ascii: "\n"))
                    {
                        indentation += 1
                        deepest = max(deepest, indentation + flowDepth)
                        continue
                    }
                    atLineStart = false
                }
                if isBlank { continue }
                if atNodeStart, byte == UInt8(ascii: "&") || byte == UInt8(ascii: "*"), !Self.endsName(next) {
                    if anchorOrAlias == nil { anchorOrAlias = (line, column) }
                }
                switch byte {
                case UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: ","):
                    if byte != UInt8(ascii: ",") {
                        flowDepth += 1
                        deepest = max(deepest, indentation + flowDepth)
                    }
                    atNodeStart = true
                    continue
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    flowDepth = max(0, flowDepth - 1)
                case UInt8(ascii: "'"), UInt8(ascii: "\""):
                    if atNodeStart { quote = byte }
                case UInt8(ascii: "#") where previous == UInt8(ascii: " ") || previous == UInt8(ascii: "\t") || previous == UInt8(ascii: "\n"):
                    inComment = true
                    continue
                case UInt8(ascii: "!") where atNodeStart:
                    inTag = true
                    continue
                case UInt8(ascii: "&") where atNodeStart:
                    // An anchor's name runs to the next blank; the node it names starts after it.
                    inTag = true
                    continue
                case UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "?"):
                    if Self.endsName(next) {
                        atNodeStart = true
                        continue
                    }
                default:
                    break
                }
                atNodeStart = false
            }
        }

        /// Whether `byte` cannot continue an anchor or alias name (a blank, a line end or a flow indicator).
        static func endsName(_ byte: UInt8) -> Bool {
            [
                UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: ","), UInt8(ascii: "["),
                UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"),
            ].contains(byte)
        }
    }

    /// Where the first anchor or alias is, walking the tree without expanding any alias.
    static func firstAnchorOrAlias(in root: Node) -> String? {
        var pending = [root]
        while let node = pending.popLast() {
            if case .alias = node { return describe(node, "alias") }
            if node.anchor != nil { return describe(node, "anchor") }
            switch node {
            case .mapping(let mapping):
                for (key, value) in mapping {
                    pending.append(key)
                    pending.append(value)
                }
            case .sequence(let sequence):
                pending.append(contentsOf: sequence)
            case .scalar, .alias:
                break
            }
        }
        return nil
    }

    static func describe(_ node: Node, _ kind: String) -> String {
        guard let mark = node.mark else { return kind }
        return "\(kind) at line \(mark.line), column \(mark.column)"
    }
}
