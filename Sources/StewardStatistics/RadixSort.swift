/// Sorts doubles by least-significant-digit radix over their bit patterns, 11 bits per pass (2,048 buckets stay in
/// cache), skipping passes where every value shares the digit: linear time for the millions of scores and
/// feature values that ranking metrics and drift tests sort. The order is the numeric one (−0.0 before 0.0);
/// NaN is not expected.
public enum RadixSort {
    public static func sorted(_ values: [Double]) -> [Double] {
        guard values.count > 256 else { return values.sorted() }
        let count = values.count
        let keys = UnsafeMutablePointer<UInt64>.allocate(capacity: count)
        let scratch = UnsafeMutablePointer<UInt64>.allocate(capacity: count)
        let histograms = UnsafeMutablePointer<Int>.allocate(capacity: passes << digitBits)
        defer {
            keys.deallocate()
            scratch.deallocate()
            histograms.deallocate()
        }
        histograms.initialize(repeating: 0, count: passes << digitBits)
        values.withUnsafeBufferPointer { source in
            for index in 0..<count {
                let key = key(source[index])
                keys[index] = key
                for pass in 0..<passes { histograms[pass << digitBits | Int((key >> UInt64(digitBits * pass)) & digitMask)] += 1 }
            }
        }
        var from = keys
        var to = scratch
        var offsets = [Int](repeating: 0, count: 1 << digitBits)
        offsets.withUnsafeMutableBufferPointer { offsets in
            for pass in 0..<passes {
                let histogram = histograms + (pass << digitBits)
                var running = 0
                var single = false
                for digit in 0..<(1 << digitBits) {
                    if histogram[digit] == count { single = true }
                    offsets[digit] = running
                    running += histogram[digit]
                }
                if single { continue }
                let shift = UInt64(digitBits * pass)
                for index in 0..<count {
                    let key = from[index]
                    let digit = Int((key >> shift) & digitMask)
                    to[offsets[digit]] = key
                    offsets[digit] += 1
                }
                swap(&from, &to)
            }
        }
        return [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count { buffer[index] = value(from[index]) }
            initialized = count
        }
    }

    static let digitBits = 11
    static let digitMask: UInt64 = (1 << 11) - 1
    static let passes = 6

    /// A key whose unsigned order is the double's numeric order: negative values have every bit flipped,
    /// others only the sign bit.
    @inline(__always)
    static func key(_ value: Double) -> UInt64 {
        let bits = value.bitPattern
        return bits >> 63 == 1 ? ~bits : bits | (1 << 63)
    }

    @inline(__always)
    static func value(_ key: UInt64) -> Double {
        Double(bitPattern: key >> 63 == 1 ? key & ~(1 << 63) : ~key)
    }
}
