/// Reads a decimal number straight from a CSV cell's bytes, correctly rounded, with no String made for the
/// common cases: a mantissa up to 2⁵³ with a power of ten within ±22 takes Clinger's fast path; up to 19
/// significant digits with a power of ten in −21…19 (a full-precision float such as 0.12345678901234566) is
/// rounded exactly in 128-bit integer arithmetic; anything else goes through the standard library's parser.
/// Runs of eight digits are read eight at a time (SWAR).
enum DecimalText {
    /// The cell's number; NaN for an empty (or blank) cell; nil when the cell is not a plain decimal number
    /// (`inf`, `nan`, hexadecimal and text stay text).
    static func parse(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Double? {
        var cursor = start
        var last = end
        while cursor < last, cursor.pointee == space { cursor += 1 }
        while last > cursor, (last - 1).pointee == space { last -= 1 }
        if cursor == last { return .nan }
        guard let (value, stop) = prefix(cursor, last), stop == last else { return nil }
        return value
    }

    /// The number at the start of `start..<end` and where it stops: an optional sign, digits with an optional
    /// fraction, an optional exponent. Nil when there is no digit, or an exponent marker without digits.
    @inline(__always)
    static func prefix(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> (Double, UnsafePointer<UInt8>)? {
        var cursor = start
        var negative = false
        if cursor < end, cursor.pointee == minus || cursor.pointee == plus {
            negative = cursor.pointee == minus
            cursor += 1
        }
        var mantissa: UInt64 = 0
        var significant = 0
        var digits = 0
        var exponent = 0
        var truncated = false
        // Integer part.
        while true {
            if mantissa != 0, significant <= 11, end - cursor >= 8, case let chunk = UnsafeRawPointer(cursor).loadUnaligned(as: UInt64.self),
                allDigits(chunk)
            {
                mantissa = mantissa &* 100_000_000 &+ eightDigits(chunk)
                significant += 8
                digits += 8
                cursor += 8
                continue
            }
            guard cursor < end, case let digit = cursor.pointee &- zero, digit < 10 else { break }
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
        if cursor < end, cursor.pointee == dot {
            cursor += 1
            while true {
                if mantissa != 0, significant <= 11, end - cursor >= 8, case let chunk = UnsafeRawPointer(cursor).loadUnaligned(as: UInt64.self),
                    allDigits(chunk)
                {
                    mantissa = mantissa &* 100_000_000 &+ eightDigits(chunk)
                    significant += 8
                    digits += 8
                    exponent -= 8
                    cursor += 8
                    continue
                }
                guard cursor < end, case let digit = cursor.pointee &- zero, digit < 10 else { break }
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
        if cursor < end, cursor.pointee | 0x20 == letterE {
            cursor += 1
            var exponentNegative = false
            if cursor < end, cursor.pointee == minus || cursor.pointee == plus {
                exponentNegative = cursor.pointee == minus
                cursor += 1
            }
            var written = 0
            var exponentDigits = 0
            while cursor < end, case let digit = cursor.pointee &- zero, digit < 10 {
                if written < 100_000 { written = written * 10 + Int(digit) }
                exponentDigits += 1
                cursor += 1
            }
            guard exponentDigits > 0 else { return nil }
            exponent += exponentNegative ? -written : written
        }
        let magnitude: Double
        if !truncated, mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
            magnitude = exponent < 0 ? Double(mantissa) / powerOfTen(-exponent) : Double(mantissa) * powerOfTen(exponent)
        } else if !truncated, mantissa < 1 << 63, exponent >= -21, exponent <= 19 {
            magnitude = exactlyRounded(mantissa, exponent)
        } else {
            let text = String(decoding: UnsafeBufferPointer(start: start, count: cursor - start), as: UTF8.self)
            guard let value = Double(text) else { return nil }
            return (value, cursor)
        }
        return (negative ? -magnitude : magnitude, cursor)
    }

    /// Whether all eight bytes (little-endian) are ASCII digits.
    @inline(__always)
    static func allDigits(_ chunk: UInt64) -> Bool {
        (chunk & 0xF0F0_F0F0_F0F0_F0F0) | (((chunk &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4) == 0x3333_3333_3333_3333
    }

    /// The value of eight ASCII digits, first byte most significant, in three multiplications.
    @inline(__always)
    static func eightDigits(_ chunk: UInt64) -> UInt64 {
        var value = chunk &- 0x3030_3030_3030_3030
        value = value &* 10 &+ (value >> 8)
        return ((value & 0x0000_00FF_0000_00FF) &* (100 &+ (1_000_000 << 32)) &+ ((value >> 16) & 0x0000_00FF_0000_00FF) &* (1 &+ (10_000 << 32)))
            >> 32
    }

    /// 10ⁿ for n in 0…22, each exactly representable; a switch, so the hot path reads no global table.
    @inline(__always)
    static func powerOfTen(_ exponent: Int) -> Double {
        switch exponent {
        case 0: 1e0
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        default: 1e22
        }
    }

    /// 10ⁿ for n in 0…21 as a 128-bit integer.
    @inline(__always)
    static func integerPowerOfTen(_ exponent: Int) -> UInt128 {
        exponent <= 19 ? UInt128(power(10, exponent)) : UInt128(power(10, 19)) * UInt128(power(10, exponent - 19))
    }

    /// base^exponent for results under 2⁶⁴.
    @inline(__always)
    static func power(_ base: UInt64, _ exponent: Int) -> UInt64 {
        var value: UInt64 = 1
        for _ in 0..<exponent { value &*= base }
        return value
    }

    /// mantissa × 10^exponent rounded to the nearest double (ties to even), for mantissa < 2⁶³ and exponent in
    /// −21…19. A negative exponent divides by 5^k (under 2⁴⁹) in one 128-by-64-bit division, the dividend
    /// shifted so that the quotient keeps 63 or 64 bits and the remainder only sets the sticky bit; then the
    /// power of two is applied exactly. A positive one multiplies in 128 bits, which is exact.
    @inline(__always)
    static func exactlyRounded(_ mantissa: UInt64, _ exponent: Int) -> Double {
        if mantissa == 0 { return 0 }
        if exponent >= 0 { return rounded(UInt128(mantissa) * integerPowerOfTen(exponent), inexact: false, scale: 0) }
        let divisor = power(5, -exponent)
        let shift = 63 + (64 - divisor.leadingZeroBitCount) - (64 - mantissa.leadingZeroBitCount)
        let high = shift >= 64 ? mantissa << (shift - 64) : mantissa >> (64 - shift)
        let low = shift >= 64 ? 0 : mantissa << shift
        let (quotient, remainder) = divisor.dividingFullWidth((high, low))
        return rounded(quotient, inexact: remainder != 0, scale: -shift + exponent)
    }

    /// value × 2^scale for a 64-bit value of at least 54 significant bits, rounded to 53 bits half to even,
    /// built straight from the bits (the result is a normal double).
    @inline(__always)
    static func rounded(_ value: UInt64, inexact: Bool, scale: Int) -> Double {
        let width = 64 - value.leadingZeroBitCount
        let dropped = width - 53
        var top = value >> dropped
        let half: UInt64 = 1 << (dropped - 1)
        let below = value & ((1 << dropped) - 1)
        if below > half || (below == half && (inexact || top & 1 == 1)) { top += 1 }
        var binaryExponent = scale + dropped + 52
        if top == 1 << 53 {
            top >>= 1
            binaryExponent += 1
        }
        return Double(bitPattern: UInt64(binaryExponent + 1023) << 52 | (top & ((1 << 52) - 1)))
    }

    /// value × 2^scale to 53 bits, rounding half to even; `inexact` says bits below value were dropped.
    static func rounded(_ value: UInt128, inexact: Bool, scale: Int) -> Double {
        let width = 128 - value.leadingZeroBitCount
        guard width > 53 else { return Double(sign: .plus, exponent: scale, significand: Double(UInt64(value))) }
        let dropped = width - 53
        var top = UInt64(value >> dropped)
        let half = UInt128(1) << (dropped - 1)
        let below = value & ((UInt128(1) << dropped) - 1)
        if below > half || (below == half && (inexact || top & 1 == 1)) { top += 1 }
        return Double(sign: .plus, exponent: scale + dropped, significand: Double(top))
    }

    static let space = UInt8(ascii: " ")
    static let minus = UInt8(ascii: "-")
    static let plus = UInt8(ascii: "+")
    static let dot = UInt8(ascii: ".")
    static let zero = UInt8(ascii: "0")
    static let letterE = UInt8(ascii: "e")
}
