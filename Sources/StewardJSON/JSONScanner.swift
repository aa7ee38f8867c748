import Foundation

/// Reads JSON text (RFC 8259) straight from its bytes into a `JSONValue`: strict (no trailing commas, no NaN,
/// no unescaped control characters, valid UTF-8, one value with only whitespace around it), nesting at most
/// 512 deep. Written for speed where Foundation's parsers were measured to dominate (event ingestion).
struct JSONScanner {
    let bytes: UnsafeRawBufferPointer
    var position = 0
    var depth = 0
    /// Whether an object that names a member twice is refused (request messages) rather than keeping the last
    /// value (event rows, as Python's json does).
    private let refusesDuplicateMembers: Bool
    /// The length of the array read last, which the next one is made room for (up to 64 elements, see
    /// `parseArray`): the rows of a `dataframe_split` body are of one length. Grown from empty instead, a row of
    /// twelve values took five allocations, the most frequent ones of a served request (`perf` probe on `malloc`
    /// under `bench/router.py`).
    private var lastArrayCount = 0

    static let maximumDepth = 512

    /// Foundation accepts a comma before a closing bracket; RFC 8259 (and Python's json) do not.
    static let trailingComma = JSONError("a comma comes right before a closing bracket or brace")

    /// The value of the whole text, or why it is not JSON.
    static func value(of data: Data, refusingDuplicateMembers: Bool = false) -> Result<JSONValue, JSONError> {
        data.withUnsafeBytes { bytes in
            var scanner = JSONScanner(bytes: bytes, refusesDuplicateMembers: refusingDuplicateMembers)
            do throws(JSONError) {
                scanner.skipWhitespace()
                let value = try scanner.parseValue()
                scanner.skipWhitespace()
                guard scanner.position == bytes.count else { throw scanner.problem("more text after the value") }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
    }

    init(bytes: UnsafeRawBufferPointer, refusesDuplicateMembers: Bool) {
        self.bytes = bytes
        self.refusesDuplicateMembers = refusesDuplicateMembers
    }

    func problem(_ what: String) -> JSONError {
        JSONError("\(what) at byte \(position)")
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    mutating func parseValue() throws(JSONError) -> JSONValue {
        guard position < bytes.count else { throw problem("the text ends where a value should be") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw problem("unexpected character")
        }
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) throws(JSONError) -> JSONValue {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw problem("unexpected end of text") }
        for offset in 0..<count where bytes[position + offset] != word.utf8Start[offset] { throw problem("unexpected character") }
        position += count
        return value
    }

    mutating func enter() throws(JSONError) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw problem("nesting deeper than \(Self.maximumDepth) levels") }
    }

    private mutating func parseObject() throws(JSONError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        position += 1
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object([:])
        }
        // Room for six members from the start: grown from empty, a two-member object (a chat message) took two
        // allocations, the most frequent ones of a gateway call (`perf` probe on `malloc` under `bench/gateway.py`).
        // A one-member object takes about 400 bytes instead of 160; waiting for a second member before making the
        // room made reading a chat request 8% slower.
        var members = [String: JSONValue](minimumCapacity: 6)
        while true {
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") { throw Self.trailingComma }
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw problem("an object member name must be a string") }
            let key = try parseString()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw problem("':' expected after a member name") }
            position += 1
            skipWhitespace()
            let value = try parseValue()
            if members.updateValue(value, forKey: key) != nil, refusesDuplicateMembers {
                throw JSONError("the member '\(key)' appears twice in one object")
            }
            skipWhitespace()
            guard position < bytes.count else { throw problem("the text ends inside an object") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard bytes[position] == UInt8(ascii: "}") else { throw problem("',' or '}' expected in an object") }
            position += 1
            return .object(members)
        }
    }

    private mutating func parseArray() throws(JSONError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        position += 1
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array([])
        }
        // Room for as many elements as the array read last. An array that starts with another one makes room once
        // that one is read, for its length (paid for in text); any other uses the length up. Arrays nested one in
        // another then cannot each make room for the same 64.
        var elements: [JSONValue] = []
        let nested = position < bytes.count && bytes[position] == UInt8(ascii: "[")
        if !nested {
            elements.reserveCapacity(min(lastArrayCount, 64))
            lastArrayCount = 0
        }
        while true {
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") { throw Self.trailingComma }
            if nested && elements.isEmpty {
                let first = try parseValue()
                elements.reserveCapacity(min(lastArrayCount, 64))
                elements.append(first)
            } else {
                elements.append(try parseValue())
            }
            skipWhitespace()
            guard position < bytes.count else { throw problem("the text ends inside an array") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard bytes[position] == UInt8(ascii: "]") else { throw problem("',' or ']' expected in an array") }
            position += 1
            lastArrayCount = elements.count
            return .array(elements)
        }
    }

    /// A string: the common case without escapes is decoded from the bytes in one step.
    mutating func parseString() throws(JSONError) -> String {
        position += 1
        let start = position
        // Whether any byte is beyond ASCII: text that is all ASCII is valid UTF-8 and is made without validating it.
        // `String(validating:as:)` looked up generic metadata on every call, 2% of a streamed gateway call's CPU
        // time (`perf`, `bench/gateway.py`), where most strings are ASCII.
        var beyondASCII: UInt8 = 0
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<position])
                let text =
                    beyondASCII < 0x80
                    ? String(decoding: raw.assumingMemoryBound(to: UInt8.self), as: UTF8.self) : String(validating: raw, as: UTF8.self)
                guard let text else { throw problem("a string is not valid UTF-8") }
                position += 1
                return text
            }
            beyondASCII |= byte
            if byte == UInt8(ascii: "\\") { return try parseEscapedString(from: start, beyondASCII: beyondASCII) }
            guard byte >= 0x20 else { throw problem("a control character inside a string") }
            position += 1
        }
        throw problem("the text ends inside a string")
    }

    /// The rest of a string that has escapes, from `start`; `beyondASCII` is the bytes before the first escape
    /// or'ed together (what the escapes add is valid UTF-8 as made, so only the bytes copied need validating).
    private mutating func parseEscapedString(from start: Int, beyondASCII: UInt8) throws(JSONError) -> String {
        var utf8 = Array(bytes[start..<position])
        var beyondASCII = beyondASCII
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                let text = beyondASCII < 0x80 ? String(decoding: utf8, as: UTF8.self) : String(validating: utf8, as: UTF8.self)
                guard let text else { throw problem("a string is not valid UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                guard position + 1 < bytes.count else { throw problem("the text ends inside a string") }
                let escape = bytes[position + 1]
                position += 2
                switch escape {
                case UInt8(ascii: "\""): utf8.append(0x22)
                case UInt8(ascii: "\\"): utf8.append(0x5C)
                case UInt8(ascii: "/"): utf8.append(0x2F)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hexQuad()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                            throw problem("a lone surrogate in a string")
                        }
                        position += 2
                        let low = try hexQuad()
                        guard (0xDC00...0xDFFF).contains(low) else { throw problem("a lone surrogate in a string") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw problem("a lone surrogate in a string")
                    }
                    guard let character = Unicode.Scalar(scalar) else { throw problem("an invalid \\u escape") }
                    utf8.append(contentsOf: String(Character(character)).utf8)
                default: throw problem("an invalid escape in a string")
                }
            default:
                guard byte >= 0x20 else { throw problem("a control character inside a string") }
                utf8.append(byte)
                beyondASCII |= byte
                position += 1
            }
        }
        throw problem("the text ends inside a string")
    }

    private mutating func hexQuad() throws(JSONError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw problem("the text ends inside a \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw problem("an invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`: integers that fit are `.integer`, others
    /// `.number`, correctly rounded. Most numbers are read from their digits here: integers of up to 18 digits, and decimals
    /// whose digits make an integer below 2^53 scaled by at most 10^22 (one multiplication or division of two
    /// exact doubles, so correctly rounded: Clinger's fast path). Others go through `Int(_:)` and `Double(_:)`
    /// of their text, which made every number a `String` first (a scoring request's prices, events' features).
    private mutating func parseNumber() throws(JSONError) -> JSONValue {
        let start = position
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else { throw problem("a number without digits") }
        // The digits as an integer while they fit (at most 18 of them), and how many there were.
        var mantissa: Int64 = 0
        var digits = 0
        func take(_ byte: UInt8) {
            if digits < 18 { mantissa = mantissa * 10 + Int64(byte &- UInt8(ascii: "0")) }
            digits += 1
        }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) { throw problem("a number with a leading zero") }
        } else {
            while position < bytes.count, isDigit(bytes[position]) {
                take(bytes[position])
                position += 1
            }
        }
        var integral = true
        var fractionDigits = 0
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            integral = false
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else { throw problem("a number with no digit after '.'") }
            while position < bytes.count, isDigit(bytes[position]) {
                take(bytes[position])
                fractionDigits += 1
                position += 1
            }
        }
        var exponent = 0
        var exponentDigits = 0
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            integral = false
            position += 1
            var exponentNegative = false
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                exponentNegative = bytes[position] == UInt8(ascii: "-")
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else { throw problem("a number with an empty exponent") }
            while position < bytes.count, isDigit(bytes[position]) {
                if exponentDigits < 4 { exponent = exponent * 10 + Int(bytes[position] &- UInt8(ascii: "0")) }
                exponentDigits += 1
                position += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        if integral && digits <= 18 { return .integer(Int(negative ? -mantissa : mantissa)) }
        let scale = exponent - fractionDigits
        if !integral, digits <= 15, exponentDigits <= 4, abs(scale) < Self.exactPowersOfTen.count {
            let power = Self.exactPowersOfTen[abs(scale)]
            let magnitude = scale < 0 ? Double(mantissa) / power : Double(mantissa) * power
            return .number(negative ? -magnitude : magnitude)
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        if integral, let integer = Int(text) { return .integer(integer) }
        guard let number = Double(text), number.isFinite else { throw problem("a number out of range") }
        return .number(number)
    }

    /// 10^0 … 10^22, every one exactly a double.
    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }
}
