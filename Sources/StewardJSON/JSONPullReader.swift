/// Reads one JSON text piece by piece, as `JSONScanner` reads it (as strictly: a text it refuses is refused here),
/// for a caller that wants a few members of a value it reads often without building the whole value: a provider's
/// server-sent events, one per token, of which the gateway needs the text and the finish reason. Members not asked
/// for are read as values and dropped; a reading that ends early (a thrown error) leaves the rest unread.
public struct JSONPullReader {
    private var scanner: JSONScanner
    /// Per open object or array: whether its first member or element is still to come.
    private var firsts: [Bool] = []

    /// Reads `bytes` with `body`, which must read exactly one value (`end` checks that nothing follows it).
    public static func read<T>(
        _ bytes: UnsafeRawBufferPointer, _ body: (inout JSONPullReader) throws(JSONError) -> T
    ) -> Result<T, JSONError> {
        var reader = JSONPullReader(scanner: JSONScanner(bytes: bytes, refusesDuplicateMembers: false))
        do throws(JSONError) {
            let value = try body(&reader)
            reader.scanner.skipWhitespace()
            guard reader.firsts.isEmpty, reader.scanner.position == bytes.count else {
                throw reader.scanner.problem("more text after the value")
            }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }

    private init(scanner: JSONScanner) {
        self.scanner = scanner
    }

    /// The next byte that is not whitespace, not taken.
    private mutating func peek() -> UInt8? {
        scanner.skipWhitespace()
        return scanner.position < scanner.bytes.count ? scanner.bytes[scanner.position] : nil
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(JSONError) {
        guard peek() == byte else { throw scanner.problem(what) }
        scanner.position += 1
    }

    /// Opens an object; its members follow (`nextMember`).
    public mutating func beginObject() throws(JSONError) {
        try expect(UInt8(ascii: "{"), "an object expected")
        try scanner.enter()
        firsts.append(true)
    }

    /// The next member's name, its value to be read next; nil once the object is closed (then read past).
    public mutating func nextMember() throws(JSONError) -> String? {
        guard try advance(closing: UInt8(ascii: "}"), "',' or '}' expected in an object") else { return nil }
        guard peek() == UInt8(ascii: "\"") else { throw scanner.problem("an object member name must be a string") }
        let name = try scanner.parseString()
        try expect(UInt8(ascii: ":"), "':' expected after a member name")
        return name
    }

    /// Opens an array; its elements follow (`nextElement`).
    public mutating func beginArray() throws(JSONError) {
        try expect(UInt8(ascii: "["), "an array expected")
        try scanner.enter()
        firsts.append(true)
    }

    /// Whether another element follows, to be read next; false once the array is closed (then read past).
    public mutating func nextElement() throws(JSONError) -> Bool {
        try advance(closing: UInt8(ascii: "]"), "',' or ']' expected in an array")
    }

    /// Moves to the open object's or array's next member or element, past the comma before it: false when its
    /// `closing` bracket comes instead (then read past, and the object or array closed).
    private mutating func advance(closing: UInt8, _ what: String) throws(JSONError) -> Bool {
        guard let first = firsts.last else { throw scanner.problem("no object or array is open") }
        if peek() == closing {
            scanner.position += 1
            firsts.removeLast()
            scanner.depth -= 1
            return false
        }
        if !first { try expect(UInt8(ascii: ","), what) }
        firsts[firsts.count - 1] = false
        if peek() == closing { throw JSONScanner.trailingComma }
        return true
    }

    /// Whether the next value is `null`, read past it if so.
    public mutating func null() throws(JSONError) -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        guard try scanner.parseValue() == .null else { throw scanner.problem("unexpected character") }
        return true
    }

    /// The next value, which must be a string.
    public mutating func string() throws(JSONError) -> String {
        guard peek() == UInt8(ascii: "\"") else { throw scanner.problem("a string expected") }
        return try scanner.parseString()
    }

    /// The next value, whole.
    public mutating func value() throws(JSONError) -> JSONValue {
        _ = peek()
        return try scanner.parseValue()
    }
}
