/// Sorts doubles by least-significant-digit radix over their bit patterns, 16 bits per pass, skipping passes
/// where every value shares the digit: linear time for the millions of scores and feature values that ranking
/// metrics and drift tests sort. The order is the numeric one (−0.0 before 0.0); NaN is not expected.
public enum RadixSort {
    public static func sorted(_ values: [Double]) -> [Double] {
        guard values.count > 256 else { return values.sorted() }
        var keys = values.map(key)
        var scratch = [UInt64](repeating: 0, count: keys.count)
        var histograms = [Int](repeating: 0, count: 4 << 16)
        for key in keys {
            for pass in 0..<4 { histograms[pass << 16 | Int((key >> (16 * UInt64(pass))) & 0xFFFF)] += 1 }
        }
        keys.withUnsafeMutableBufferPointer { source in
            scratch.withUnsafeMutableBufferPointer { target in
                var from = source
                var to = target
                var inSource = true
                for pass in 0..<4 {
                    let base = pass << 16
                    if histograms[base..<base + (1 << 16)].contains(from.count) { continue }
                    var offsets = [Int](repeating: 0, count: 1 << 16)
                    var running = 0
                    for digit in 0..<(1 << 16) {
                        offsets[digit] = running
                        running += histograms[base + digit]
                    }
                    let shift = 16 * UInt64(pass)
                    for key in from {
                        let digit = Int((key >> shift) & 0xFFFF)
                        to[offsets[digit]] = key
                        offsets[digit] += 1
                    }
                    swap(&from, &to)
                    inSource.toggle()
                }
                if !inSource { _ = source.update(fromContentsOf: target) }
            }
        }
        return keys.map(value)
    }

    /// A key whose unsigned order is the double's numeric order: negative values have every bit flipped,
    /// others only the sign bit.
    static func key(_ value: Double) -> UInt64 {
        let bits = value.bitPattern
        return bits >> 63 == 1 ? ~bits : bits | (1 << 63)
    }

    static func value(_ key: UInt64) -> Double {
        Double(bitPattern: key >> 63 == 1 ? key & ~(1 << 63) : ~key)
    }
}
