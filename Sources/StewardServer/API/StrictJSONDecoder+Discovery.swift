/// Finds the members a message type reads without a document: every question is answered "absent" (optional
/// members) or with a default value (required ones), and each nested type is explored once, so that a refusal
/// can point at `questionnaire.domain` even when the client sent no `questionnaire`.
extension StrictJSONDecoder {
    /// Types nest deeper than messages do only when they are recursive; exploration stops there.
    static let discoveryDepth = 12

    struct DiscoveryDecoder: Decoder {
        let path: [any CodingKey]
        let recorder: Recorder
        let depth: Int

        var codingPath: [any CodingKey] { path }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func deeper(_ key: any CodingKey) throws -> DiscoveryDecoder {
            guard depth < StrictJSONDecoder.discoveryDepth else {
                throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "recursive type"))
            }
            return DiscoveryDecoder(path: path + [key], recorder: recorder, depth: depth + 1)
        }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            _ = recorder.members[StrictJSONDecoder.pattern(path), default: []]
            return KeyedDecodingContainer(DiscoveryKeyed<Key>(decoder: self))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer { DiscoveryUnkeyed(decoder: self) }

        func singleValueContainer() throws -> any SingleValueDecodingContainer { DiscoverySingle(decoder: self) }
    }

    struct DiscoveryKeyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let decoder: DiscoveryDecoder

        var codingPath: [any CodingKey] { decoder.path }

        var allKeys: [Key] {
            decoder.recorder.open.insert(StrictJSONDecoder.pattern(decoder.path))
            return []
        }

        /// Notes the member and returns the decoder for its value.
        func note(_ key: Key) throws -> DiscoveryDecoder {
            decoder.recorder.members[StrictJSONDecoder.pattern(decoder.path), default: []].insert(key.stringValue)
            return try decoder.deeper(PathKey(stringValue: StrictJSONDecoder.memberName(key.stringValue)))
        }

        func contains(_ key: Key) -> Bool {
            _ = try? note(key)
            return false
        }

        func decodeNil(forKey key: Key) throws -> Bool {
            _ = try note(key)
            return true
        }

        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            _ = try? T(from: try note(key))
            return nil
        }

        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
            _ = try note(key)
            return false
        }

        func decode(_ type: String.Type, forKey key: Key) throws -> String {
            _ = try note(key)
            return ""
        }

        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try number(key) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try number(key) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try number(key) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try number(key) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try number(key) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try number(key) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try number(key) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try number(key) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try number(key) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try number(key) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try number(key) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try number(key) }

        func number<Number: Numeric>(_ key: Key) throws -> Number {
            _ = try note(key)
            return 0
        }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try T(from: try note(key)) }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            try note(key).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try note(key).unkeyedContainer() }

        func superDecoder() throws -> any Decoder { decoder }

        func superDecoder(forKey key: Key) throws -> any Decoder { try note(key) }
    }

    /// An array of one element, so that the element type is explored.
    struct DiscoveryUnkeyed: UnkeyedDecodingContainer {
        let decoder: DiscoveryDecoder
        var currentIndex = 0

        init(decoder: DiscoveryDecoder) {
            self.decoder = decoder
        }

        var codingPath: [any CodingKey] { decoder.path }
        var count: Int? { 1 }
        var isAtEnd: Bool { currentIndex >= 1 }

        mutating func element() throws -> DiscoveryDecoder {
            currentIndex += 1
            return try decoder.deeper(PathKey(intValue: 0))
        }

        mutating func decodeNil() throws -> Bool { false }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: try element()) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            try element().container(keyedBy: type)
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try element().unkeyedContainer() }

        mutating func superDecoder() throws -> any Decoder { try element() }
    }

    struct DiscoverySingle: SingleValueDecodingContainer {
        let decoder: DiscoveryDecoder

        var codingPath: [any CodingKey] { decoder.path }

        func decodeNil() -> Bool { false }
        func decode(_ type: Bool.Type) throws -> Bool { false }
        func decode(_ type: String.Type) throws -> String { "" }
        func decode(_ type: Double.Type) throws -> Double { 0 }
        func decode(_ type: Float.Type) throws -> Float { 0 }
        func decode(_ type: Int.Type) throws -> Int { 0 }
        func decode(_ type: Int8.Type) throws -> Int8 { 0 }
        func decode(_ type: Int16.Type) throws -> Int16 { 0 }
        func decode(_ type: Int32.Type) throws -> Int32 { 0 }
        func decode(_ type: Int64.Type) throws -> Int64 { 0 }
        func decode(_ type: UInt.Type) throws -> UInt { 0 }
        func decode(_ type: UInt8.Type) throws -> UInt8 { 0 }
        func decode(_ type: UInt16.Type) throws -> UInt16 { 0 }
        func decode(_ type: UInt32.Type) throws -> UInt32 { 0 }
        func decode(_ type: UInt64.Type) throws -> UInt64 { 0 }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: decoder) }
    }
}
