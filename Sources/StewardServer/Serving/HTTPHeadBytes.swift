/// Pieces of an HTTP/1.1 head read from its bytes, shared by the serving fast path's two readers: of the
/// client's request (`ServingRequestHead`) and of the model server's answer (`ModelServerAnswerReader`).
enum HTTPHeadBytes {
    /// Whether `bytes` spell `lowercase` with its letters in either case (header names, and tokens such as
    /// `close`); every other byte must be as it is.
    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
        let expected = UnsafeRawBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        guard bytes.count == expected.count else { return false }
        for (byte, wanted) in zip(bytes, expected) {
            let letter = wanted >= UInt8(ascii: "a") && wanted <= UInt8(ascii: "z")
            guard letter ? byte | 0x20 == wanted : byte == wanted else { return false }
        }
        return true
    }

    /// A non-negative decimal number of one to `maximumDigits` digits and nothing else (no sign, no space).
    static func decimal(_ bytes: UnsafeRawBufferPointer, maximumDigits: Int) -> Int? {
        guard (1...maximumDigits).contains(bytes.count) else { return nil }
        var number = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            number = number * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return number
    }

    /// Without HTTP's optional whitespace (spaces and tabs) at either end.
    static func trimmingWhitespace(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var start = 0
        var stop = bytes.count
        while start < stop, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while stop > start, bytes[stop - 1] == 0x20 || bytes[stop - 1] == 0x09 { stop -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<stop])
    }
}
