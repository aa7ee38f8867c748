/// Reads a decimal number straight from a CSV cell's bytes, correctly rounded, with no String made for the
/// common cases: a mantissa up to 2⁵³ with a power of ten within ±22 takes Clinger's fast path; up to 19
/// significant digits with a power of ten in −21…19 (a full-precision float such as 0.12345678901234566) is
/// rounded exactly in 128-bit integer arithmetic; anything else goes through the standard library's parser.
/// Runs of digits are read up to eight at a time (SWAR).
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
        readDigits(&cursor, end, &mantissa, &significant, &digits, &exponent, &truncated, fraction: false)
        if cursor < end, cursor.pointee == dot {
            cursor += 1
            readDigits(&cursor, end, &mantissa, &significant, &digits, &exponent, &truncated, fraction: true)
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

    /// Reads a run of digits into the mantissa: up to eight at a time while eight bytes remain (the run's length
    /// in the block found by one bit test), one at a time near the end or past 19 significant digits. Digits
    /// past the 19th only move the exponent (integer part) or mark the value inexact.
    @inline(__always)
    static func readDigits(
        _ cursor: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, _ mantissa: inout UInt64, _ significant: inout Int, _ digits: inout Int,
        _ exponent: inout Int, _ truncated: inout Bool, fraction: Bool
    ) {
        while true {
            if end - cursor >= 8 {
                let chunk = UnsafeRawPointer(cursor).loadUnaligned(as: UInt64.self)
                let nonDigits = ((chunk &- 0x3030_3030_3030_3030) | (chunk &+ 0x4646_4646_4646_4646)) & 0x8080_8080_8080_8080
                let count = nonDigits.trailingZeroBitCount >> 3
                if count == 0 { return }
                let zeros = mantissa == 0 ? Swift.min(count, (chunk ^ 0x3030_3030_3030_3030).trailingZeroBitCount >> 3) : 0
                if significant + count - zeros <= 19 {
                    let value =
                        count == 8
                        ? eightDigits(chunk) : eightDigits((chunk << (64 - 8 * count)) | (0x3030_3030_3030_3030 >> (8 * count)))
                    mantissa = mantissa &* integerPowerOfTen(upTo8: count) &+ value
                    significant += count - zeros
                    digits += count
                    if fraction { exponent -= count }
                    cursor += count
                    if count < 8 { return }
                    continue
                }
            }
            guard cursor < end, case let digit = cursor.pointee &- zero, digit < 10 else { return }
            if significant < 19 {
                mantissa = mantissa &* 10 &+ UInt64(digit)
                if mantissa != 0 { significant += 1 }
                if fraction { exponent -= 1 }
            } else {
                if !fraction { exponent += 1 }
                truncated = truncated || digit != 0
            }
            digits += 1
            cursor += 1
        }
    }

    /// 10ⁿ for n in 0…8, from its binary digits: multiplications without branches (a switch here compiled to a
    /// mispredicted jump table).
    @inline(__always)
    static func integerPowerOfTen(upTo8 exponent: Int) -> UInt64 {
        let first: UInt64 = exponent & 1 != 0 ? 10 : 1
        let second: UInt64 = exponent & 2 != 0 ? 100 : 1
        let third: UInt64 = exponent & 4 != 0 ? 10_000 : 1
        let fourth: UInt64 = exponent & 8 != 0 ? 100_000_000 : 1
        return (first &* second) &* (third &* fourth)
    }

    /// The value of eight ASCII digits, first byte most significant, in three multiplications.
    @inline(__always)
    static func eightDigits(_ chunk: UInt64) -> UInt64 {
        var value = chunk &- 0x3030_3030_3030_3030
        value = value &* 10 &+ (value >> 8)
        return ((value & 0x0000_00FF_0000_00FF) &* (100 &+ (1_000_000 << 32)) &+ ((value >> 16) & 0x0000_00FF_0000_00FF) &* (1 &+ (10_000 << 32)))
            >> 32
    }

    /// 10ⁿ for n in 0…22, from its binary digits: every partial product is a power of ten that a double holds
    /// exactly, so each multiplication is exact; no branches.
    @inline(__always)
    static func powerOfTen(_ exponent: Int) -> Double {
        let first = exponent & 1 != 0 ? 1e1 : 1
        let second = exponent & 2 != 0 ? 1e2 : 1
        let third = exponent & 4 != 0 ? 1e4 : 1
        let fourth = exponent & 8 != 0 ? 1e8 : 1
        let fifth = exponent & 16 != 0 ? 1e16 : 1
        return first * second * third * fourth * fifth
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
    /// −21…19. A negative exponent divides by 5^k (under 2⁴⁹), the dividend shifted so that the quotient keeps
    /// 63 or 64 bits and the remainder only sets the sticky bit; then the
    /// power of two is applied exactly. A positive one multiplies in 128 bits, which is exact.
    @inline(__always)
    static func exactlyRounded(_ mantissa: UInt64, _ exponent: Int) -> Double {
        if mantissa == 0 { return 0 }
        if exponent >= 0 { return rounded(UInt128(mantissa) * integerPowerOfTen(exponent), inexact: false, scale: 0) }
        let divisor = power(5, -exponent)
        let shift = 63 + (64 - divisor.leadingZeroBitCount) - (64 - mantissa.leadingZeroBitCount)
        let high = shift >= 64 ? mantissa << (shift - 64) : mantissa >> (64 - shift)
        let low = shift >= 64 ? 0 : mantissa << shift
        // The quotient by multiplying with ⌊2¹²⁷/5^k⌋ (at most one short), then settled by its remainder:
        // a 128-by-64-bit division is a slow library call here.
        let dividend = UInt128(high) << 64 | UInt128(low)
        let product = dividend.multipliedFullWidth(by: reciprocalOfPowerOfFive(-exponent))
        var quotient = UInt64(truncatingIfNeeded: product.high << 1 | product.low >> 127)
        var remainder = dividend &- UInt128(quotient) &* UInt128(divisor)
        while remainder >= UInt128(divisor) {
            quotient += 1
            remainder -= UInt128(divisor)
        }
        return rounded(quotient, inexact: remainder != 0, scale: -shift + exponent)
    }

    /// ⌊2¹²⁷ / 5ᵏ⌋ for k in 1…21.
    @inline(__always)
    static func reciprocalOfPowerOfFive(_ k: Int) -> UInt128 {
        switch k {
        case 1: 0x19999999999999999999999999999999
        case 2: 0x51eb851eb851eb851eb851eb851eb85
        case 3: 0x10624dd2f1a9fbe76c8b4395810624d
        case 4: 0x346dc5d63886594af4f0d844d013a9
        case 5: 0xa7c5ac471b4784230fcf80dc33721
        case 6: 0x218def416bdb1a6d698fe69270b06
        case 7: 0x6b5fca6af2bd215e1e99483b0234
        case 8: 0x15798ee2308c39df9fb841a566d7
        case 9: 0x44b82fa09b5a52cb98b405447c4
        case 10: 0xdbe6fecebdedd5beb573440e5a
        case 11: 0x2bfaffc2f2c92abfbde3da6945
        case 12: 0x8cbccc096f5088cbf93f87b74
        case 13: 0x1c25c268497681c2650cb4be4
        case 14: 0x5a126e1a84ae6c07a9c24260
        case 15: 0x1203af9ee756159b21f3a6e0
        case 16: 0x39a5652fb1137856d30baf9
        case 17: 0xb877aa3236a4b44909befe
        case 18: 0x24e4bba3a4875741cebfcc
        case 19: 0x760f253edb4ab0d29598f
        case 20: 0x179ca10c9242235d511e9
        default: 0x4b8ed0283a6d3df769fb
        }
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
