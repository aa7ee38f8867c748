/// Reads a decimal number straight from a CSV cell's bytes, correctly rounded: up to 19 significant digits with
/// a power of ten of at most 22 take Clinger's exact fast path; anything longer goes through the standard
/// library's parser. No String is made for the common case.
enum DecimalText {
    /// The cell's number; NaN for an empty (or blank) cell; nil when the cell is not a plain decimal number
    /// (`inf`, `nan`, hexadecimal and text stay text).
    static func parse(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Double? {
        var cursor = start
        var last = end
        while cursor < last, cursor.pointee == space { cursor += 1 }
        while last > cursor, (last - 1).pointee == space { last -= 1 }
        if cursor == last { return .nan }
        let textStart = cursor
        var negative = false
        if cursor.pointee == minus || cursor.pointee == plus {
            negative = cursor.pointee == minus
            cursor += 1
        }
        var mantissa: UInt64 = 0
        var significant = 0
        var digits = 0
        var exponent = 0
        var truncated = false
        while cursor < last, case let digit = cursor.pointee &- zero, digit < 10 {
            if significant < 19 {
                mantissa = mantissa &* 10 &+ UInt64(digit)
                if mantissa != 0 { significant += 1 }
            } else {
                exponent += 1
                truncated = truncated || digit != 0
            }
            digits += 1
            cursor += 1
        }
        if cursor < last, cursor.pointee == dot {
            cursor += 1
            while cursor < last, case let digit = cursor.pointee &- zero, digit < 10 {
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(digit)
                    if mantissa != 0 { significant += 1 }
                    exponent -= 1
                } else {
                    truncated = truncated || digit != 0
                }
                digits += 1
                cursor += 1
            }
        }
        guard digits > 0 else { return nil }
        if cursor < last, cursor.pointee | 0x20 == letterE {
            cursor += 1
            var exponentNegative = false
            if cursor < last, cursor.pointee == minus || cursor.pointee == plus {
                exponentNegative = cursor.pointee == minus
                cursor += 1
            }
            var written = 0
            var exponentDigits = 0
            while cursor < last, case let digit = cursor.pointee &- zero, digit < 10 {
                if written < 100_000 { written = written * 10 + Int(digit) }
                exponentDigits += 1
                cursor += 1
            }
            guard exponentDigits > 0 else { return nil }
            exponent += exponentNegative ? -written : written
        }
        guard cursor == last else { return nil }
        if !truncated, mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
            let magnitude = exponent < 0 ? Double(mantissa) / powersOfTen[-exponent] : Double(mantissa) * powersOfTen[exponent]
            return negative ? -magnitude : magnitude
        }
        return Double(String(decoding: UnsafeBufferPointer(start: textStart, count: last - textStart), as: UTF8.self))
    }

    /// 10⁰…10²², each exactly representable as a double.
    static let powersOfTen: [Double] = (0...22).map { exponent in (0..<exponent).reduce(1.0) { value, _ in value * 10 } }

    static let space = UInt8(ascii: " ")
    static let minus = UInt8(ascii: "-")
    static let plus = UInt8(ascii: "+")
    static let dot = UInt8(ascii: ".")
    static let zero = UInt8(ascii: "0")
    static let letterE = UInt8(ascii: "e")
}
