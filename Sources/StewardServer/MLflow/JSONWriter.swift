import NIOCore
import StewardJSON

/// Writes JSON straight into a byte buffer, for responses on hot paths where Foundation's `JSONEncoder` cost
/// more than the database work (a page of 100 runs spent a third of its time in it).
///
/// Output follows RFC 8259: strings are escaped (quote, backslash and control characters; other characters pass
/// through as UTF-8), integers are exact, doubles use Swift's shortest round-trip form, and non-finite doubles
/// are the strings `NaN`, `Infinity` and `-Infinity` as in protobuf's JSON mapping. Objects are written member by
/// member; `nil` members are omitted, which is how MLflow leaves out unset fields.
struct JSONWriter {
    private(set) var buffer: ByteBuffer
    /// Whether the next member or element needs a comma before it.
    private var needsComma = false

    init(capacity: Int = 1024) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    /// Encodes one value as a complete JSON document.
    static func encode(_ value: some JSONWritable, capacity: Int = 1024) -> ByteBuffer {
        var writer = JSONWriter(capacity: capacity)
        value.write(to: &writer)
        return writer.buffer
    }

    // MARK: Structure

    mutating func object(_ body: (inout JSONWriter) -> Void) {
        separate()
        buffer.writeInteger(UInt8(ascii: "{"))
        needsComma = false
        body(&self)
        buffer.writeInteger(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func array<Element>(_ elements: some Sequence<Element>, _ body: (inout JSONWriter, Element) -> Void) {
        separate()
        buffer.writeInteger(UInt8(ascii: "["))
        needsComma = false
        for element in elements { body(&self, element) }
        buffer.writeInteger(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Starts a member of the current object; the next write is its value.
    mutating func key(_ name: StaticString) {
        separate()
        buffer.writeInteger(UInt8(ascii: "\""))
        buffer.writeStaticString(name)
        buffer.writeStaticString("\":")
        needsComma = false
    }

    /// Starts a member whose name is known only at run time (escaped like a string).
    mutating func key(_ name: String) {
        string(name)
        buffer.writeInteger(UInt8(ascii: ":"))
        needsComma = false
    }

    private mutating func separate() {
        if needsComma { buffer.writeInteger(UInt8(ascii: ",")) }
    }

    // MARK: Values

    mutating func string(_ value: String) {
        separate()
        buffer.writeInteger(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { bytes in
            var start = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if start < index { buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[start..<index])) }
                switch byte {
                case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case 0x0A: buffer.writeStaticString("\\n")
                case 0x0D: buffer.writeStaticString("\\r")
                case 0x09: buffer.writeStaticString("\\t")
                case 0x08: buffer.writeStaticString("\\b")
                case 0x0C: buffer.writeStaticString("\\f")
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    buffer.writeStaticString("\\u00")
                    buffer.writeInteger(hex[Int(byte >> 4)])
                    buffer.writeInteger(hex[Int(byte & 0x0F)])
                }
                start = index + 1
            }
            if start < bytes.count { buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[start...])) }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
        needsComma = true
    }

    mutating func int(_ value: Int64) {
        separate()
        buffer.writeString(String(value))
        needsComma = true
    }

    mutating func double(_ value: Double) {
        if value.isNaN {
            string("NaN")
        } else if value.isInfinite {
            string(value > 0 ? "Infinity" : "-Infinity")
        } else {
            separate()
            buffer.writeString(value.description)
            needsComma = true
        }
    }

    mutating func null() {
        separate()
        buffer.writeStaticString("null")
        needsComma = true
    }

    mutating func bool(_ value: Bool) {
        separate()
        buffer.writeStaticString(value ? "true" : "false")
        needsComma = true
    }

    // MARK: Members

    mutating func member(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    mutating func member(_ name: StaticString, _ value: Int64?) {
        guard let value else { return }
        key(name)
        int(value)
    }

    mutating func member(_ name: StaticString, _ value: Double?) {
        guard let value else { return }
        key(name)
        double(value)
    }

    mutating func member(_ name: StaticString, _ value: Bool?) {
        guard let value else { return }
        key(name)
        bool(value)
    }

    mutating func member(_ name: StaticString, _ value: (some JSONWritable)?) {
        guard let value else { return }
        key(name)
        value.write(to: &self)
    }

    /// An array member, omitted when `values` is nil or empty.
    mutating func member<Element: JSONWritable>(_ name: StaticString, _ values: [Element]?) {
        guard let values, !values.isEmpty else { return }
        key(name)
        array(values) { writer, element in element.write(to: &writer) }
    }
}

/// A value that writes itself as JSON.
protocol JSONWritable {
    func write(to writer: inout JSONWriter)
}

extension JSONValue: JSONWritable {
    /// Members in sorted order, as the native routes' encoder writes them.
    func write(to writer: inout JSONWriter) {
        switch self {
        case .null:
            writer.null()
        case .bool(let value):
            writer.bool(value)
        case .integer(let value):
            writer.int(Int64(value))
        case .number(let value):
            writer.double(value)
        case .string(let value):
            writer.string(value)
        case .array(let items):
            writer.array(items) { writer, item in item.write(to: &writer) }
        case .object(let members):
            writer.object { writer in
                for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                    writer.key(name)
                    member.write(to: &writer)
                }
            }
        }
    }
}
