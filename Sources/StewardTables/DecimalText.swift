/// Reads a decimal number straight from a CSV cell's bytes, correctly rounded, with no String made for the
/// common cases. A cell is scanned eight bytes at a time (SWAR); a mantissa of up to 19 significant digits is
/// then rounded to the nearest double by a 64×128-bit multiplication with a power of five (Lemire's method;
/// `PowersOfFive.swift`). Anything else (more digits, a power of ten past ±64) goes through the standard
/// library's parser.
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

    /// What `prefix` reads, in fewer steps for the shape a data file's numbers almost always have: an optional
    /// minus, one to seven integer digits, an optional fraction of up to 23 digits (19 significant in all) and an
    /// optional exponent of up to four digits. It reads whole words past the number, so it takes that path only
    /// with at least 48 bytes before `end`; every other case is left to `prefix`.
    @inline(always)
    static func cell(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> (Double, UnsafePointer<UInt8>)? {
        guard end - start >= 48 else { return prefix(start, end) }
        var cursor = start
        let negative = cursor.pointee == minus
        if negative { cursor += 1 }
        let head = word(cursor)
        let integerDigits = digitRun(head)
        guard integerDigits > 0, integerDigits < 8 else { return prefix(start, end) }
        var mantissa = eightDigits(padded(head, integerDigits))
        cursor += integerDigits
        var exponent = 0
        if cursor.pointee == dot {
            cursor += 1
            let first = word(cursor)
            let second = word(cursor + 8)
            let third = word(cursor + 16)
            let firstRun = digitRun(first)
            let fractionDigits: Int
            let fraction: UInt64
            if firstRun < 8 {
                fractionDigits = firstRun
                fraction = eightDigits(padded(first, firstRun))
            } else if case let secondRun = digitRun(second), secondRun < 8 {
                fractionDigits = 8 + secondRun
                fraction = eightDigits(first) &* integerPowerOfTen(upTo8: secondRun) &+ eightDigits(padded(second, secondRun))
            } else if case let thirdRun = digitRun(third), thirdRun < 8 {
                fractionDigits = 16 + thirdRun
                fraction =
                    (eightDigits(first) &* 100_000_000 &+ eightDigits(second)) &* integerPowerOfTen(upTo8: thirdRun)
                    &+ eightDigits(padded(third, thirdRun))
            } else {
                return prefix(start, end)
            }
            // Leading zeros of a number under one (as in 0.000123…) are not significant; 19 significant digits
            // always fit in 64 bits, and so does every partial value on the way to them.
            let leadingZeros = mantissa == 0 ? Swift.min((first ^ 0x3030_3030_3030_3030).trailingZeroBitCount >> 3, firstRun) : -integerDigits
            guard fractionDigits - leadingZeros <= 19 else { return prefix(start, end) }
            mantissa = mantissa &* integerPowerOfTen(upTo19: fractionDigits) &+ fraction
            exponent = -fractionDigits
            cursor += fractionDigits
        }
        if cursor.pointee | 0x20 == letterE {
            var marker = cursor + 1
            let exponentNegative = marker.pointee == minus
            if exponentNegative || marker.pointee == plus { marker += 1 }
            let exponentWord = word(marker)
            let exponentDigits = digitRun(exponentWord)
            guard exponentDigits > 0, exponentDigits < 5 else { return prefix(start, end) }
            let written = Int(eightDigits(padded(exponentWord, exponentDigits)))
            exponent += exponentNegative ? -written : written
            cursor = marker + exponentDigits
        }
        guard let magnitude = nearest(mantissa, exponent) else { return prefix(start, end) }
        return (negative ? -magnitude : magnitude, cursor)
    }

    /// The number at the start of `start..<end` and where it stops: an optional sign, digits with an optional
    /// fraction, an optional exponent. Nil when there is no digit, or an exponent marker without digits.
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
        guard !truncated, let magnitude = nearest(mantissa, exponent) else {
            let text = String(decoding: UnsafeBufferPointer(start: start, count: cursor - start), as: UTF8.self)
            guard let value = Double(text) else { return nil }
            return (value, cursor)
        }
        return (negative ? -magnitude : magnitude, cursor)
    }

    /// mantissa × 10^exponent rounded to the nearest double (ties to even); nil when the power of ten is
    /// outside the table. (Clinger's exact division for small mantissas is not taken: on real data its branch
    /// against this path mispredicts, and its division is slower than the multiplication.)
    @inline(always)
    static func nearest(_ mantissa: UInt64, _ exponent: Int) -> Double? {
        if mantissa == 0 { return 0 }
        guard exponent >= smallestTablePower, exponent <= largestTablePower else { return nil }
        return roundedProduct(mantissa, exponent)
    }

    /// mantissa × 10^exponent for a non-zero mantissa and a power in the table: the mantissa, shifted to fill 64
    /// bits, times 5^exponent's 128-bit approximation gives the top 55 bits of the product exactly enough to
    /// round (Mushtak and Lemire prove the low word of the table is always enough); the power of two goes into
    /// the exponent. A product whose dropped bits are exactly one half rounds to even.
    @inline(always)
    static func roundedProduct(_ mantissa: UInt64, _ exponent: Int) -> Double {
        let leadingZeros = mantissa.leadingZeroBitCount
        let normalized = mantissa << leadingZeros
        let index = exponent - smallestTablePower
        var product = normalized.multipliedFullWidth(by: powersOfFiveHigh[index])
        if product.high & 0x1FF == 0x1FF {
            let lower = normalized.multipliedFullWidth(by: powersOfFiveLow[index])
            let (sum, carry) = product.low.addingReportingOverflow(lower.high)
            product.low = sum
            if carry { product.high &+= 1 }
        }
        let upper = Int(product.high >> 63)
        var bits = product.high >> (upper + 9)
        // floor(exponent × log₂10), then the bias.
        var binaryExponent = ((217_706 * exponent) >> 16) + 63 + upper - leadingZeros + 1023
        if product.low <= 1, exponent >= -4, exponent <= 23, bits & 3 == 1, bits << (upper + 9) == product.high {
            bits &= ~1
        }
        bits += bits & 1
        bits >>= 1
        if bits >= 1 << 53 {
            bits = 1 << 52
            binaryExponent += 1
        }
        return Double(bitPattern: UInt64(binaryExponent) << 52 | (bits & ((1 << 52) - 1)))
    }

    /// Eight bytes from `pointer`, first byte lowest.
    @inline(always)
    static func word(_ pointer: UnsafePointer<UInt8>) -> UInt64 {
        UnsafeRawPointer(pointer).loadUnaligned(as: UInt64.self)
    }

    /// How many of a word's bytes, from the first, are ASCII digits (0...8).
    @inline(always)
    static func digitRun(_ chunk: UInt64) -> Int {
        let nonDigits = ((chunk &- 0x3030_3030_3030_3030) | (chunk &+ 0x4646_4646_4646_4646)) & 0x8080_8080_8080_8080
        return nonDigits.trailingZeroBitCount >> 3
    }

    /// The word's first `count` digit bytes (0...8) moved to its top, with '0' bytes before them: eight digits
    /// of the same value.
    @inline(always)
    static func padded(_ chunk: UInt64, _ count: Int) -> UInt64 {
        (chunk << (64 - 8 * count)) | (0x3030_3030_3030_3030 >> (8 * count))
    }

    /// 10ⁿ for n in 0…19.
    @inline(always)
    static func integerPowerOfTen(upTo19 exponent: Int) -> UInt64 {
        exponent <= 8
            ? integerPowerOfTen(upTo8: exponent)
            : exponent <= 16
                ? integerPowerOfTen(upTo8: exponent - 8) &* 100_000_000 : integerPowerOfTen(upTo8: exponent - 16) &* 10_000_000_000_000_000
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
                    let value = eightDigits(padded(chunk, count))
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
    @inline(always)
    static func integerPowerOfTen(upTo8 exponent: Int) -> UInt64 {
        let first: UInt64 = exponent & 1 != 0 ? 10 : 1
        let second: UInt64 = exponent & 2 != 0 ? 100 : 1
        let third: UInt64 = exponent & 4 != 0 ? 10_000 : 1
        let fourth: UInt64 = exponent & 8 != 0 ? 100_000_000 : 1
        return (first &* second) &* (third &* fourth)
    }

    /// The value of eight ASCII digits, first byte most significant, in three multiplications.
    @inline(always)
    static func eightDigits(_ chunk: UInt64) -> UInt64 {
        var value = chunk &- 0x3030_3030_3030_3030
        value = value &* 10 &+ (value >> 8)
        return ((value & 0x0000_00FF_0000_00FF) &* (100 &+ (1_000_000 << 32)) &+ ((value >> 16) & 0x0000_00FF_0000_00FF) &* (1 &+ (10_000 << 32)))
            >> 32
    }

    static let space = UInt8(ascii: " ")
    static let minus = UInt8(ascii: "-")
    static let plus = UInt8(ascii: "+")
    static let dot = UInt8(ascii: ".")
    static let zero = UInt8(ascii: "0")
    static let letterE = UInt8(ascii: "e")
}
