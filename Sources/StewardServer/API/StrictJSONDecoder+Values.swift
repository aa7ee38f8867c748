import Foundation
import StewardCore
import StewardJSON

/// The decoder proper: a parsed document read through `Decoder`, noting in the ledger every member a message asks
/// about, so that the members nobody asked about can be refused afterwards.
extension StrictJSONDecoder {
    struct ValueDecoder: Decoder {
        let value: JSONValue
        let path: [any CodingKey]
        let ledger: Ledger

        var codingPath: [any CodingKey] { path }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            guard case .object(let members) = value else { throw Primitive.mismatch([String: Any].self, "an object", path) }
            // Two spellings of one field (`customer_facing` and `customerFacing`) would leave which one counts to chance.
            var spellings: [String: String] = [:]
            for name in members.keys.sorted() {
                if let other = spellings.updateValue(name, forKey: StrictJSONDecoder.propertyName(name)) {
                    let place = StrictJSONDecoder.written(path)
                    throw StewardError.invalidParameter(
                        "The field '\(other)' appears twice\(place.isEmpty ? "" : " in '\(place)'"), also written '\(name)'; give it once.")
                }
            }
            ledger.visit(path)
            return KeyedDecodingContainer(KeyedValues<Key>(members: members, path: path, ledger: ledger))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            guard case .array(let elements) = value else { throw Primitive.mismatch([Any].self, "an array", path) }
            return UnkeyedValues(elements: elements, path: path, ledger: ledger)
        }

        func singleValueContainer() throws -> any SingleValueDecodingContainer {
            SingleValue(value: value, path: path, ledger: ledger)
        }
    }

    /// Reads scalars from parsed values; a number is an integer only when it has no fraction and fits.
    enum Primitive {
        static func mismatch(_ type: Any.Type, _ expected: String, _ path: [any CodingKey]) -> DecodingError {
            .typeMismatch(type, .init(codingPath: path, debugDescription: "expected \(expected)"))
        }

        static func string(_ value: JSONValue, _ path: [any CodingKey]) throws -> String {
            guard case .string(let text) = value else { throw mismatch(String.self, "a string", path) }
            return text
        }

        static func bool(_ value: JSONValue, _ path: [any CodingKey]) throws -> Bool {
            guard case .bool(let flag) = value else { throw mismatch(Bool.self, "a boolean", path) }
            return flag
        }

        static func integer<Integer: FixedWidthInteger>(_ value: JSONValue, _ path: [any CodingKey]) throws -> Integer {
            switch value {
            case .integer(let number): if let exact = Integer(exactly: number) { return exact }
            case .number(let number): if let exact = Integer(exactly: number) { return exact }
            default: break
            }
            throw mismatch(Integer.self, "an integer", path)
        }

        static func double(_ value: JSONValue, _ path: [any CodingKey]) throws -> Double {
            switch value {
            case .integer(let number): return Double(number)
            case .number(let number): return number
            default: throw mismatch(Double.self, "a number", path)
            }
        }
    }

    /// An object's members, found by the property name their snake-case spelling converts to (or, once read as
    /// a dictionary, by their own names).
    struct KeyedValues<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let members: [String: JSONValue]
        let path: [any CodingKey]
        let ledger: Ledger
        /// Member names by the property name they convert to.
        let byProperty: [String: String]
        let reading = Reading()

        /// Whether the object is being read as a dictionary, whose keys are data, not properties.
        final class Reading: @unchecked Sendable {
            var asDictionary = false
        }

        init(members: [String: JSONValue], path: [any CodingKey], ledger: Ledger) {
            self.members = members
            self.path = path
            self.ledger = ledger
            var byProperty: [String: String] = [:]
            for name in members.keys { byProperty[StrictJSONDecoder.propertyName(name)] = name }
            self.byProperty = byProperty
        }

        var codingPath: [any CodingKey] { path }

        var allKeys: [Key] {
            reading.asDictionary = true
            ledger.openUp(path)
            return members.keys.sorted().compactMap { Key(stringValue: $0) }
        }

        /// The member a key names, noting that the message asked about it.
        func member(_ key: Key) -> (name: String, value: JSONValue)? {
            if !reading.asDictionary { ledger.ask(key.stringValue, at: path) }
            let name = reading.asDictionary ? key.stringValue : byProperty[key.stringValue] ?? key.stringValue
            return members[name].map { (name, $0) }
        }

        func require(_ key: Key) throws -> (name: String, value: JSONValue) {
            guard let found = member(key) else {
                throw DecodingError.keyNotFound(
                    PathKey(stringValue: StrictJSONDecoder.memberName(key.stringValue)),
                    .init(codingPath: path, debugDescription: "missing"))
            }
            return found
        }

        func decoder(_ key: Key) throws -> ValueDecoder {
            let found = try require(key)
            return ValueDecoder(value: found.value, path: path + [PathKey(stringValue: found.name)], ledger: ledger)
        }

        func contains(_ key: Key) -> Bool { member(key) != nil }

        func decodeNil(forKey key: Key) throws -> Bool {
            if case .null = try require(key).value { return true }
            return false
        }

        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
            let found = try require(key)
            return try Primitive.bool(found.value, path + [PathKey(stringValue: found.name)])
        }

        func decode(_ type: String.Type, forKey key: Key) throws -> String {
            let found = try require(key)
            return try Primitive.string(found.value, path + [PathKey(stringValue: found.name)])
        }

        func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
            let found = try require(key)
            return try Primitive.double(found.value, path + [PathKey(stringValue: found.name)])
        }

        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try decode(Double.self, forKey: key)) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(key) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(key) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(key) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(key) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(key) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(key) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(key) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(key) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(key) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(key) }

        func integer<Integer: FixedWidthInteger>(_ key: Key) throws -> Integer {
            let found = try require(key)
            return try Primitive.integer(found.value, path + [PathKey(stringValue: found.name)])
        }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try T(from: try decoder(key))
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            try decoder(key).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try decoder(key).unkeyedContainer()
        }

        func superDecoder() throws -> any Decoder {
            ValueDecoder(value: .object(members), path: path, ledger: ledger)
        }

        func superDecoder(forKey key: Key) throws -> any Decoder {
            try decoder(key)
        }
    }

    struct UnkeyedValues: UnkeyedDecodingContainer {
        let elements: [JSONValue]
        let path: [any CodingKey]
        let ledger: Ledger
        var currentIndex = 0

        init(elements: [JSONValue], path: [any CodingKey], ledger: Ledger) {
            self.elements = elements
            self.path = path
            self.ledger = ledger
        }

        var codingPath: [any CodingKey] { path }
        var count: Int? { elements.count }
        var isAtEnd: Bool { currentIndex >= elements.count }

        mutating func next() throws -> ValueDecoder {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(Any.self, .init(codingPath: path, debugDescription: "the array has no more elements"))
            }
            defer { currentIndex += 1 }
            return ValueDecoder(value: elements[currentIndex], path: path + [PathKey(intValue: currentIndex)], ledger: ledger)
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd, case .null = elements[currentIndex] else { return false }
            currentIndex += 1
            return true
        }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: try next()) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            try next().container(keyedBy: type)
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }

        mutating func superDecoder() throws -> any Decoder { try next() }
    }

    struct SingleValue: SingleValueDecodingContainer {
        let value: JSONValue
        let path: [any CodingKey]
        let ledger: Ledger

        var codingPath: [any CodingKey] { path }

        func decodeNil() -> Bool {
            if case .null = value { return true }
            return false
        }

        func decode(_ type: Bool.Type) throws -> Bool { try Primitive.bool(value, path) }
        func decode(_ type: String.Type) throws -> String { try Primitive.string(value, path) }
        func decode(_ type: Double.Type) throws -> Double { try Primitive.double(value, path) }
        func decode(_ type: Float.Type) throws -> Float { Float(try Primitive.double(value, path)) }
        func decode(_ type: Int.Type) throws -> Int { try Primitive.integer(value, path) }
        func decode(_ type: Int8.Type) throws -> Int8 { try Primitive.integer(value, path) }
        func decode(_ type: Int16.Type) throws -> Int16 { try Primitive.integer(value, path) }
        func decode(_ type: Int32.Type) throws -> Int32 { try Primitive.integer(value, path) }
        func decode(_ type: Int64.Type) throws -> Int64 { try Primitive.integer(value, path) }
        func decode(_ type: UInt.Type) throws -> UInt { try Primitive.integer(value, path) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try Primitive.integer(value, path) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try Primitive.integer(value, path) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try Primitive.integer(value, path) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try Primitive.integer(value, path) }

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try T(from: ValueDecoder(value: value, path: path, ledger: ledger))
        }
    }
}
