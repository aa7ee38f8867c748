import Foundation

/// Checks a schema document keyword by keyword and compiles it into `JSONSchema.Node`s, resolving every `$ref`
/// up front, so that a schema that cannot be applied is refused before any output is scored.
struct JSONSchemaCompiler {
    /// The resource a subschema belongs to: its base URI (from the nearest `$id`, "" without one) and where the
    /// resource's root sits, which is what "#…" fragments are relative to.
    struct Scope {
        var base: String
        var resource: [String]
    }

    /// Keywords whose values are subschemas (as python-jsonschema's `referencing` lists them for draft 2020-12),
    /// searched for `$id` and `$anchor`.
    static let subschemaKeywords = [
        "additionalProperties", "contains", "contentSchema", "else", "if", "items", "not", "propertyNames", "then", "unevaluatedItems",
        "unevaluatedProperties",
    ]
    static let subschemaListKeywords = ["allOf", "anyOf", "oneOf", "prefixItems"]
    static let subschemaMapKeywords = ["$defs", "definitions", "dependentSchemas", "patternProperties", "properties"]
    static let typeNames: Set<String> = ["null", "boolean", "integer", "number", "string", "array", "object"]

    let document: JSONValue
    var nodes: [JSONSchema.Node] = []
    var indexByLocation: [String: Int] = [:]
    var scopes: [String: Scope] = [:]
    var resources: [String: [String]] = [:]
    var anchors: [String: [String]] = [:]
    /// Nodes reserved but not compiled yet: their index, location and keywords.
    var pending: [(index: Int, tokens: [String], members: [String: JSONValue])] = []

    init(_ document: JSONValue) throws(JSONError) {
        switch document {
        case .object, .bool: break
        default: throw JSONError("The JSON schema must be an object or a boolean, found \(document.typeName).")
        }
        self.document = document
        try scan(document)
    }

    /// The compiled nodes, the root first.
    mutating func compile() throws(JSONError) -> [JSONSchema.Node] {
        _ = try node(at: [])
        while let (index, tokens, members) = pending.popLast() {
            nodes[index].keywords = try keywords(of: members, at: tokens)
        }
        try refuseInPlaceCycles()
        return nodes
    }

    static func pointer<Tokens: Sequence<String>>(_ tokens: Tokens) -> String {
        tokens.map { "/" + JSONSchema.pointerToken($0) }.joined()
    }

    static func invalid(_ tokens: [String], _ reason: String) -> JSONError {
        JSONError("The JSON schema is invalid at #\(pointer(tokens)): \(reason).")
    }

    /// Records the scope of every subschema, the resources named by `$id` and the anchors named by `$anchor`, in
    /// document order (the first of two equal names wins). Iterative, so deep nesting needs no deep recursion.
    mutating func scan(_ root: JSONValue) throws(JSONError) {
        var pending: [(value: JSONValue, tokens: [String], scope: Scope)] = [(root, [], Scope(base: "", resource: []))]
        while let (value, tokens, outer) = pending.popLast() {
            guard case .object(let members) = value else {
                scopes[Self.pointer(tokens)] = outer
                continue
            }
            var scope = outer
            if let id = members["$id"] {
                guard case .string(var uri) = id else { throw Self.invalid(tokens + ["$id"], "expected a string, found \(id.typeName)") }
                if uri.hasSuffix("#") { uri.removeLast() }
                guard !uri.contains("#") else {
                    throw Self.invalid(tokens + ["$id"], "an $id must not have a fragment; use $anchor to name a subschema")
                }
                scope = Scope(base: Self.resolve(uri, against: scope.base), resource: tokens)
                if resources[scope.base] == nil { resources[scope.base] = tokens }
            }
            scopes[Self.pointer(tokens)] = scope
            for keyword in ["$anchor", "$dynamicAnchor"] {
                if case .string(let name) = members[keyword], anchors[scope.base + "#" + name] == nil { anchors[scope.base + "#" + name] = tokens }
            }
            var children: [(value: JSONValue, tokens: [String], scope: Scope)] = []
            for keyword in Self.subschemaKeywords {
                if let subschema = members[keyword] { children.append((subschema, tokens + [keyword], scope)) }
            }
            for keyword in Self.subschemaListKeywords {
                guard case .array(let subschemas) = members[keyword] else { continue }
                for (index, subschema) in subschemas.enumerated() { children.append((subschema, tokens + [keyword, String(index)], scope)) }
            }
            for keyword in Self.subschemaMapKeywords {
                guard case .object(let subschemas) = members[keyword] else { continue }
                for (name, subschema) in subschemas.sorted(by: { $0.key < $1.key }) { children.append((subschema, tokens + [keyword, name], scope)) }
            }
            pending += children.reversed()
        }
    }

    /// Resolves a URI reference against a base URI; without a base it stays as written.
    static func resolve(_ reference: String, against base: String) -> String {
        guard !base.isEmpty, let baseURL = URL(string: base), let url = URL(string: reference, relativeTo: baseURL) else { return reference }
        return url.absoluteString
    }

    /// The scope of the subschema at `tokens`, from the nearest scanned position at or above it.
    func scope(of tokens: [String]) -> Scope {
        for length in stride(from: tokens.count, through: 0, by: -1) {
            if let scope = scopes[Self.pointer(tokens.prefix(length))] { return scope }
        }
        return Scope(base: "", resource: [])
    }

    /// The index of the node for the subschema at `tokens`. A new node is only reserved here and compiled later
    /// by `compile()`, so a subschema can refer to itself and long chains of references need no deep recursion.
    mutating func node(at tokens: [String]) throws(JSONError) -> Int {
        let location = Self.pointer(tokens)
        if let index = indexByLocation[location] { return index }
        guard let value = document.value(at: tokens) else { throw Self.invalid(tokens, "nothing is there") }
        let index = nodes.count
        switch value {
        case .bool(let accepts): nodes.append(JSONSchema.Node(location: location, rejectsEverything: !accepts))
        case .object(let members):
            nodes.append(JSONSchema.Node(location: location))
            pending.append((index, tokens, members))
        default: throw Self.invalid(tokens, "expected a schema (an object or a boolean), found \(value.typeName)")
        }
        indexByLocation[location] = index
        return index
    }

    // MARK: Keywords

    mutating func keywords(of members: [String: JSONValue], at tokens: [String]) throws(JSONError) -> [JSONSchema.Keyword] {
        var keywords: [JSONSchema.Keyword] = []
        func invalid(_ keyword: String, _ expectation: String) -> JSONError {
            Self.invalid(tokens + [keyword], "expected \(expectation), found \(members[keyword]?.brief() ?? "nothing")")
        }

        if members["$dynamicRef"] != nil {
            throw Self.invalid(tokens + ["$dynamicRef"], "$dynamicRef is not supported; refer to the subschema with $ref")
        }
        for keyword in ["$anchor", "$dynamicAnchor"] {
            guard let value = members[keyword] else { continue }
            guard case .string(let name) = value, Self.isAnchorName(name) else {
                throw invalid(keyword, "a name that starts with a letter or \"_\" followed by letters, digits, \"-\", \"_\" or \".\"")
            }
        }
        if let value = members["$ref"] {
            guard case .string(let reference) = value else { throw invalid("$ref", "a string") }
            keywords.append(.reference(try resolveReference(reference, at: tokens)))
        }
        for keyword in ["$defs", "definitions"] { _ = try subschemaMap(keyword, members, at: tokens) }

        // Any instance
        if let value = members["type"] {
            let names: [JSONValue]
            switch value {
            case .string: names = [value]
            case .array(let values) where !values.isEmpty: names = values
            default: throw invalid("type", "a type name or a non-empty array of them")
            }
            var types: [String] = []
            for name in names {
                guard case .string(let type) = name, Self.typeNames.contains(type), !types.contains(type) else {
                    throw invalid("type", "distinct names among null, boolean, integer, number, string, array and object")
                }
                types.append(type)
            }
            keywords.append(.type(types))
        }
        if let value = members["enum"] {
            guard case .array(let values) = value else { throw invalid("enum", "an array") }
            keywords.append(.enumeration(values))
        }
        if let value = members["const"] { keywords.append(.constant(value)) }

        // Numbers
        if let value = members["multipleOf"] {
            guard value.isNumber, let order = JSONValue.compareNumbers(value, .integer(0)), order > 0 else {
                throw invalid("multipleOf", "a number greater than 0")
            }
            keywords.append(.multipleOf(value))
        }
        let bounds: [(String, (JSONValue) -> JSONSchema.Keyword)] = [
            ("maximum", JSONSchema.Keyword.maximum), ("exclusiveMaximum", JSONSchema.Keyword.exclusiveMaximum),
            ("minimum", JSONSchema.Keyword.minimum), ("exclusiveMinimum", JSONSchema.Keyword.exclusiveMinimum),
        ]
        for (keyword, make) in bounds {
            guard let value = members[keyword] else { continue }
            guard value.isNumber else { throw invalid(keyword, "a number") }
            keywords.append(make(value))
        }

        // Strings
        if let limit = try count("maxLength", members, at: tokens) { keywords.append(.maxLength(limit)) }
        if let limit = try count("minLength", members, at: tokens) { keywords.append(.minLength(limit)) }
        if let value = members["pattern"] {
            guard case .string(let pattern) = value else { throw invalid("pattern", "a regular expression as a string") }
            keywords.append(.pattern(pattern, try Self.regex(pattern, at: tokens + ["pattern"])))
        }

        // Arrays
        let prefix = try subschemaList("prefixItems", members, at: tokens)
        if let prefix { keywords.append(.prefixItems(prefix)) }
        if case .array = members["items"] {
            throw invalid("items", "a schema (the array form of items predates draft 2020-12; use prefixItems)")
        }
        if let items = try subschema("items", members, at: tokens) { keywords.append(.items(items, after: prefix?.count ?? 0)) }
        let minContains = try count("minContains", members, at: tokens)
        let maxContains = try count("maxContains", members, at: tokens)
        if let contains = try subschema("contains", members, at: tokens) {
            keywords.append(
                .contains(contains, minimum: minContains ?? 1, maximum: maxContains, minimumKeyword: minContains == nil ? "contains" : "minContains"))
        }
        if let limit = try count("maxItems", members, at: tokens) { keywords.append(.maxItems(limit)) }
        if let limit = try count("minItems", members, at: tokens) { keywords.append(.minItems(limit)) }
        if let value = members["uniqueItems"] {
            guard case .bool(let unique) = value else { throw invalid("uniqueItems", "a boolean") }
            if unique { keywords.append(.uniqueItems) }
        }

        // Objects
        let properties = try subschemaMap("properties", members, at: tokens)
        if let properties { keywords.append(.properties(properties)) }
        var patterns: [(pattern: String, regex: BoundedRegex, schema: Int)] = []
        for (pattern, schema) in try subschemaMap("patternProperties", members, at: tokens) ?? [] {
            patterns.append((pattern, try Self.regex(pattern, at: tokens + ["patternProperties", pattern]), schema))
        }
        if !patterns.isEmpty { keywords.append(.patternProperties(patterns)) }
        if let additional = try subschema("additionalProperties", members, at: tokens) {
            keywords.append(.additionalProperties(additional, named: Set((properties ?? []).map(\.name)), patterns: patterns.map(\.regex)))
        }
        if let names = try subschema("propertyNames", members, at: tokens) { keywords.append(.propertyNames(names)) }
        if let value = members["required"] {
            guard let names = Self.distinctStrings(value) else { throw invalid("required", "an array of distinct strings") }
            keywords.append(.required(names))
        }
        if let value = members["dependentRequired"] {
            guard case .object(let entries) = value else { throw invalid("dependentRequired", "an object of arrays of distinct strings") }
            var dependencies: [(name: String, requires: [String])] = []
            for (name, required) in entries.sorted(by: { $0.key < $1.key }) {
                guard let requires = Self.distinctStrings(required) else {
                    throw invalid("dependentRequired", "an object of arrays of distinct strings")
                }
                dependencies.append((name, requires))
            }
            keywords.append(.dependentRequired(dependencies))
        }
        if let schemas = try subschemaMap("dependentSchemas", members, at: tokens) { keywords.append(.dependentSchemas(schemas)) }
        if let limit = try count("maxProperties", members, at: tokens) { keywords.append(.maxProperties(limit)) }
        if let limit = try count("minProperties", members, at: tokens) { keywords.append(.minProperties(limit)) }

        // Combinations
        if let schemas = try subschemaList("allOf", members, at: tokens) { keywords.append(.allOf(schemas)) }
        if let schemas = try subschemaList("anyOf", members, at: tokens) { keywords.append(.anyOf(schemas)) }
        if let schemas = try subschemaList("oneOf", members, at: tokens) { keywords.append(.oneOf(schemas)) }
        if let schema = try subschema("not", members, at: tokens) { keywords.append(.not(schema)) }
        let condition = try subschema("if", members, at: tokens)
        let then = try subschema("then", members, at: tokens)
        let otherwise = try subschema("else", members, at: tokens)
        if let condition { keywords.append(.conditional(if: condition, then: then, else: otherwise)) }

        // Last, as they read the annotations of every other keyword of this schema.
        if let schema = try subschema("unevaluatedItems", members, at: tokens) { keywords.append(.unevaluatedItems(schema)) }
        if let schema = try subschema("unevaluatedProperties", members, at: tokens) { keywords.append(.unevaluatedProperties(schema)) }
        return keywords
    }

    mutating func subschema(_ keyword: String, _ members: [String: JSONValue], at tokens: [String]) throws(JSONError) -> Int? {
        guard let value = members[keyword] else { return nil }
        switch value {
        case .object, .bool: return try node(at: tokens + [keyword])
        default: throw Self.invalid(tokens + [keyword], "expected a schema (an object or a boolean), found \(value.typeName)")
        }
    }

    mutating func subschemaList(_ keyword: String, _ members: [String: JSONValue], at tokens: [String]) throws(JSONError) -> [Int]? {
        guard let value = members[keyword] else { return nil }
        guard case .array(let subschemas) = value, !subschemas.isEmpty else {
            throw Self.invalid(tokens + [keyword], "expected a non-empty array of schemas, found \(value.brief())")
        }
        var indexes: [Int] = []
        for position in subschemas.indices {
            indexes.append(try node(at: tokens + [keyword, String(position)]))
        }
        return indexes
    }

    /// The subschemas of an object-valued keyword, sorted by name so violations come in a stable order.
    mutating func subschemaMap(_ keyword: String, _ members: [String: JSONValue], at tokens: [String]) throws(JSONError) -> [(
        name: String, schema: Int
    )]? {
        guard let value = members[keyword] else { return nil }
        guard case .object(let subschemas) = value else {
            throw Self.invalid(tokens + [keyword], "expected an object of schemas, found \(value.brief())")
        }
        var entries: [(name: String, schema: Int)] = []
        for name in subschemas.keys.sorted() {
            entries.append((name, try node(at: tokens + [keyword, name])))
        }
        return entries
    }

    func count(_ keyword: String, _ members: [String: JSONValue], at tokens: [String]) throws(JSONError) -> Int? {
        guard let value = members[keyword] else { return nil }
        guard let count = value.nonNegativeInteger else {
            throw Self.invalid(tokens + [keyword], "expected a non-negative integer, found \(value.brief())")
        }
        return count
    }

    /// Compiles an ECMA-262-style pattern with ICU, which refuses the empty pattern: that one matches everything.
    static func regex(_ pattern: String, at tokens: [String]) throws(JSONError) -> BoundedRegex {
        guard let regex = BoundedRegex(pattern) else {
            throw invalid(tokens, "\(JSONValue.quoted(pattern)) is not a valid regular expression")
        }
        return regex
    }

    static func distinctStrings(_ value: JSONValue) -> [String]? {
        guard case .array(let values) = value else { return nil }
        var strings: [String] = []
        for value in values {
            guard case .string(let text) = value, !strings.contains(where: { $0.utf8.elementsEqual(text.utf8) }) else { return nil }
            strings.append(text)
        }
        return strings
    }

    /// Whether a name is a valid `$anchor`: a letter or "_", then letters, digits, "-", "_" or ".".
    static func isAnchorName(_ name: String) -> Bool {
        func isLetter(_ scalar: Unicode.Scalar) -> Bool { ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar) }
        guard let first = name.unicodeScalars.first, isLetter(first) || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0) }
    }

    // MARK: References

    /// The node a `$ref` names: a JSON Pointer or an anchor within this document, or a resource of it named by
    /// `$id`. Anything else would have to be fetched, which is never done.
    mutating func resolveReference(_ reference: String, at tokens: [String]) throws(JSONError) -> Int {
        let location = tokens + ["$ref"]
        let scope = scope(of: tokens)
        let hash = reference.firstIndex(of: "#")
        let address = hash.map { String(reference[..<$0]) } ?? reference
        let fragment = hash.map { String(reference[reference.index(after: $0)...]) } ?? ""
        var resource = scope
        if !address.isEmpty {
            let uri = Self.resolve(address, against: scope.base)
            guard let root = resources[uri] else {
                throw Self.invalid(
                    location,
                    "\(JSONValue.quoted(reference)) refers to another document, and remote schemas are never fetched; "
                        + "copy the schema under $defs and refer to it as \"#/$defs/…\"")
            }
            resource = Scope(base: uri, resource: root)
        }
        let unresolvable = Self.invalid(location, "\(JSONValue.quoted(reference)) cannot be resolved: nothing in the schema is at that location")
        guard let decoded = fragment.removingPercentEncoding else { throw unresolvable }
        let target: [String]
        if decoded.isEmpty {
            target = resource.resource
        } else if decoded.hasPrefix("/") {
            target =
                resource.resource
                + decoded.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
                    $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
                }
        } else {
            guard let anchored = anchors[resource.base + "#" + decoded] else { throw unresolvable }
            target = anchored
        }
        guard let value = document.value(at: target) else { throw unresolvable }
        switch value {
        case .object, .bool: return try node(at: target)
        default: throw Self.invalid(location, "\(JSONValue.quoted(reference)) points at \(value.brief()), which is not a schema")
        }
    }

    /// Refuses a reachable cycle of subschemas applied to the same instance (such as `{"$ref": "#"}`): validating
    /// it would recurse forever, as python-jsonschema does until Python's recursion limit.
    func refuseInPlaceCycles() throws(JSONError) {
        var reachable: Set<Int> = [0]
        var pending = [0]
        while let index = pending.popLast() {
            for keyword in nodes[index].keywords {
                for child in keyword.subschemas where reachable.insert(child).inserted { pending.append(child) }
            }
        }
        enum Mark { case new, active, done }
        var marks = [Mark](repeating: .new, count: nodes.count)
        for start in reachable.sorted() where marks[start] == .new {
            // Depth-first search without recursion: the path of nodes and, for each, the in-place children left.
            var path: [(node: Int, children: [Int])] = [(start, inPlaceChildren(start))]
            marks[start] = .active
            while let last = path.indices.last {
                guard let child = path[last].children.popLast() else {
                    marks[path[last].node] = .done
                    path.removeLast()
                    continue
                }
                switch marks[child] {
                case .done: continue
                case .active:
                    let cycle = path.map(\.node).drop { $0 != child } + [child]
                    throw JSONError(
                        "The JSON schema refers to itself without moving into the instance ("
                            + cycle.map { "#" + nodes[$0].location }.joined(separator: " → ")
                            + "), so validating would never end.")
                case .new:
                    marks[child] = .active
                    path.append((child, inPlaceChildren(child)))
                }
            }
        }
    }

    func inPlaceChildren(_ index: Int) -> [Int] {
        nodes[index].keywords.flatMap(\.inPlaceSubschemas).reversed()
    }
}
