/// The values at given ranks of an unsorted sample (the k-th smallest for each k), without sorting it: a most-
/// significant-digit radix selection over the doubles' ordered bit patterns (`RadixSort.key`), 16 bits per level.
/// One pass counts the top digits, one more gathers only the values in the buckets that hold a wanted rank, and
/// the few gathered values are narrowed the same way on the next digits (or sorted, once a bucket is small).
///
/// Written by hand because it is the measured bottleneck of default drift binning: the reference's deciles need
/// 18 order statistics, and selecting them reads each value twice where `RadixSort` makes up to seven passes with
/// scattered writes (about 30 ms per million values on the CI machine, 23 columns per drift report).
public enum RadixSelection {
    /// `values` at each of `ranks` (0-based positions in ascending order, each below `values.count`).
    public static func values(atRanks ranks: [Int], of values: [Double]) -> [Double] {
        guard !ranks.isEmpty else { return [] }
        precondition(ranks.allSatisfy { (0..<values.count).contains($0) }, "a rank outside the sample")
        let wanted = Array(Set(ranks)).sorted()
        let found = values.withUnsafeBufferPointer { buffer in
            select(keys: buffer.lazy.map(RadixSort.key), count: buffer.count, ranks: wanted, shift: 48)
        }
        let byRank = Dictionary(uniqueKeysWithValues: zip(wanted, found))
        return ranks.map { RadixSort.value(byRank[$0]!) }
    }

    static let digitBits = 16
    /// Below this many keys a bucket is sorted instead of narrowed further.
    static let sortBelow = 4096

    /// The keys at `ranks` (ascending, unique) among `keys`, whose digits above `shift + 16` are all equal.
    static func select<Keys: Sequence>(keys: Keys, count: Int, ranks: [Int], shift: Int) -> [UInt64] where Keys.Element == UInt64 {
        if count <= sortBelow || shift < 0 {
            let sorted = Array(keys).sorted()
            return ranks.map { sorted[$0] }
        }
        let mask = UInt64(1 << digitBits - 1)
        let digitShift = UInt64(shift)
        var histogram = [Int](repeating: 0, count: 1 << digitBits)
        histogram.withUnsafeMutableBufferPointer { histogram in
            for key in keys { histogram[Int((key >> digitShift) & mask)] += 1 }
        }
        // The bucket of each rank, and the rank within it.
        var buckets: [(digit: Int, first: Int, ranks: [Int])] = []
        var below = 0
        var digit = 0
        for rank in ranks {
            while below + histogram[digit] <= rank {
                below += histogram[digit]
                digit += 1
            }
            if buckets.last?.digit == digit {
                buckets[buckets.count - 1].ranks.append(rank - below)
            } else {
                buckets.append((digit, below, [rank - below]))
            }
        }
        // One pass gathers the keys of every wanted bucket.
        var slotOfDigit = [Int32](repeating: -1, count: 1 << digitBits)
        var gathered: [[UInt64]] = []
        for (slot, bucket) in buckets.enumerated() {
            slotOfDigit[bucket.digit] = Int32(slot)
            gathered.append([])
            gathered[slot].reserveCapacity(histogram[bucket.digit])
        }
        slotOfDigit.withUnsafeBufferPointer { slotOfDigit in
            for key in keys {
                let slot = slotOfDigit[Int((key >> digitShift) & mask)]
                if slot >= 0 { gathered[Int(slot)].append(key) }
            }
        }
        return zip(buckets, gathered).flatMap { bucket, keys in
            select(keys: keys, count: keys.count, ranks: bucket.ranks, shift: shift - digitBits)
        }
    }
}
