import CYaml
import Yams

/// Reads the YAML documents users send (gate specs, alert rules, the governance policy) with bounded cost.
///
/// A YAML alias expands to a copy of what its anchor names, so a few hundred bytes of nested anchors become
/// billions of nodes once read (and Yams hashes mapping keys while it composes, so an alias used as a key is
/// expanded there already); and the composer recurses once per level of nesting. Both are refused before any
/// node is built: libyaml's scanner, which is linear and not recursive, tokenises the whole text first, and
/// any anchor or alias token, or nesting deeper than `maximumDepth`, refuses the document. None of these
/// documents needs anchors. A mapping key that is itself a collection (`? [a]` or `{[a]: b}`) is refused after
/// composing and before Yams builds values: Yams force-unwraps every key as a string, and would stop the process
/// (found by Fuzz/FuzzYAML).
public enum BoundedYAML {
    /// The deepest nesting of collections a document may have.
    public static let maximumDepth = 64

    /// The value of `document` as Yams builds it (dictionaries, arrays, scalars); `what` names the document in errors.
    public static func load(_ document: String, what: String) throws(StewardError) -> Any? {
        switch scan(document) {
        case .anchorOrAlias(let line, let column):
            throw .invalidParameter(
                "\(what) uses a YAML anchor or alias (line \(line), column \(column)); they are not accepted here, since each alias copies "
                    + "what it names. Write the values out.")
        case .tooDeep(let line, let column):
            throw .invalidParameter("\(what) nests more than \(maximumDepth) levels deep (line \(line), column \(column)); flatten it.")
        case .unreadable, .plain:
            // A text the scanner refuses is reported by the reader below, with its position.
            break
        }
        let root: Node?
        do { root = try Yams.compose(yaml: document) } catch { throw .invalidParameter("\(what) is not valid YAML: \(error)") }
        if let root, let key = firstCollectionKey(in: root) {
            let place = key.mark.map { " (line \($0.line), column \($0.column))" } ?? ""
            throw .invalidParameter("\(what) has a mapping key that is a list or a mapping\(place); keys are names.")
        }
        return root?.any
    }

    /// The first mapping key in `node` that is not a scalar; the scan bounds the depth of this walk.
    static func firstCollectionKey(in node: Node) -> Node? {
        switch node {
        case .scalar, .alias: return nil
        case .sequence(let sequence): return sequence.lazy.compactMap(firstCollectionKey).first
        case .mapping(let mapping):
            for (key, value) in mapping {
                guard case .scalar = key else { return key }
                if let found = firstCollectionKey(in: value) { return found }
            }
            return nil
        }
    }

    enum Scan: Equatable {
        case plain
        case anchorOrAlias(line: Int, column: Int)
        case tooDeep(line: Int, column: Int)
        case unreadable
    }

    /// Tokenises `document` with libyaml, looking for anchors, aliases and deep nesting.
    static func scan(_ document: String) -> Scan {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return .unreadable }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(document.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer -> Scan in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var depth = 0
            while true {
                var token = yaml_token_t()
                guard yaml_parser_scan(&parser, &token) == 1 else { return .unreadable }
                defer { yaml_token_delete(&token) }
                let line = Int(token.start_mark.line) + 1
                let column = Int(token.start_mark.column) + 1
                switch token.type {
                case YAML_STREAM_END_TOKEN:
                    return .plain
                case YAML_ANCHOR_TOKEN, YAML_ALIAS_TOKEN:
                    return .anchorOrAlias(line: line, column: column)
                case YAML_BLOCK_SEQUENCE_START_TOKEN, YAML_BLOCK_MAPPING_START_TOKEN, YAML_FLOW_SEQUENCE_START_TOKEN,
                    YAML_FLOW_MAPPING_START_TOKEN:
                    depth += 1
                    if depth > maximumDepth { return .tooDeep(line: line, column: column) }
                case YAML_BLOCK_END_TOKEN, YAML_FLOW_SEQUENCE_END_TOKEN, YAML_FLOW_MAPPING_END_TOKEN:
                    depth -= 1
                default:
                    break
                }
            }
        }
    }
}
