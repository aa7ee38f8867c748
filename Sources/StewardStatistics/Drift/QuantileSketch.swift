import Foundation

/// A mergeable quantile sketch with relative accuracy (the DDSketch construction): a value x ≠ 0 is counted in
/// bucket ⌈log_γ |x|⌉ with γ = (1 + α)/(1 − α), so any quantile it answers is within α·|q| of the true order
/// statistic. Two sketches with the same α merge by adding bucket counts, exactly as if one sketch had seen
/// both samples, so hourly profiles and replicas combine without the raw values. Past `maximumBuckets` per
/// sign the buckets nearest zero are folded together (their quantiles lose accuracy first).
public struct QuantileSketch: Sendable, Equatable, Codable {
    /// Counts of consecutive bucket indices from `offset`. Stored as one text, `offset:count,count,…` with a
    /// run of n empty buckets written −n: sketches of small samples are mostly empty buckets, and profiles are
    /// written with every ingested batch.
    public struct Store: Sendable, Equatable, Codable {
        public var offset: Int = 0
        public var counts: [Int] = []

        var total: Int { counts.reduce(0, +) }

        init() {}

        public init(from decoder: any Decoder) throws {
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let colon = text.firstIndex(of: ":"), let offset = Int(text[..<colon]) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "Not a sketch store: '\(text.prefix(40))'"))
            }
            self.offset = offset
            for item in text[text.index(after: colon)...].split(separator: ",") {
                guard let number = Int(item) else {
                    throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "Not a bucket count: '\(item)'"))
                }
                if number < 0 { counts.append(contentsOf: repeatElement(0, count: -number)) } else { counts.append(number) }
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var text = "\(offset):"
            var zeros = 0
            var first = true
            func emit(_ number: Int) {
                if !first { text.append(",") }
                first = false
                text.append(String(number))
            }
            for count in counts {
                if count == 0 {
                    zeros += 1
                    continue
                }
                if zeros > 0 { emit(-zeros) }
                zeros = 0
                emit(count)
            }
            var container = encoder.singleValueContainer()
            try container.encode(text)
        }

        mutating func add(_ index: Int, _ count: Int = 1) {
            if counts.isEmpty {
                offset = index
                counts = [count]
            } else if index < offset {
                counts.insert(contentsOf: repeatElement(0, count: offset - index), at: 0)
                offset = index
                counts[0] += count
            } else if index >= offset + counts.count {
                counts.append(contentsOf: repeatElement(0, count: index - offset - counts.count + 1))
                counts[index - offset] += count
            } else {
                counts[index - offset] += count
            }
        }

        /// Folds the lowest buckets into one so that at most `limit` remain.
        mutating func collapse(to limit: Int) {
            guard counts.count > limit else { return }
            let excess = counts.count - limit
            let folded = counts[...excess].reduce(0, +)
            counts.removeFirst(excess)
            counts[0] = folded
            offset += excess
        }
    }

    public static let defaultAccuracy = 0.005
    public static let maximumBuckets = 2048

    public let relativeAccuracy: Double
    public private(set) var count = 0
    public private(set) var zeros = 0
    /// The smallest and largest values counted (nil while empty).
    public private(set) var minimum: Double?
    public private(set) var maximum: Double?
    public private(set) var positive = Store()
    public private(set) var negative = Store()

    enum CodingKeys: String, CodingKey {
        case relativeAccuracy = "alpha"
        case count, zeros, minimum = "min", maximum = "max", positive, negative
    }

    public init(relativeAccuracy: Double = defaultAccuracy) {
        self.relativeAccuracy = relativeAccuracy
    }

    public init<Values: Sequence<Double>>(_ values: Values, relativeAccuracy: Double = defaultAccuracy) {
        self.init(relativeAccuracy: relativeAccuracy)
        for value in values { add(value) }
        positive.collapse(to: Self.maximumBuckets)
        negative.collapse(to: Self.maximumBuckets)
    }

    var logGamma: Double { Foundation.log((1 + relativeAccuracy) / (1 - relativeAccuracy)) }

    /// Counts a finite value; infinities and NaN are not counted.
    public mutating func add(_ value: Double) {
        guard value.isFinite else { return }
        count += 1
        minimum = Swift.min(minimum ?? value, value)
        maximum = Swift.max(maximum ?? value, value)
        if value == 0 {
            zeros += 1
        } else if value > 0 {
            positive.add(index(of: value))
        } else {
            negative.add(index(of: -value))
        }
    }

    func index(of magnitude: Double) -> Int { Int((Foundation.log(magnitude) / logGamma).rounded(.up)) }

    /// The value a bucket stands for: within α of every magnitude in (γ^(i−1), γ^i].
    func value(ofIndex index: Int) -> Double {
        let gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy)
        return 2 * Foundation.exp(Double(index) * logGamma) / (gamma + 1)
    }

    /// Both sketches as one; they must share the relative accuracy.
    public func merged(with other: QuantileSketch) throws(StatisticsError) -> QuantileSketch {
        guard relativeAccuracy == other.relativeAccuracy else { throw StatisticsError("Only sketches of the same accuracy merge.") }
        var result = self
        result.count += other.count
        result.zeros += other.zeros
        result.minimum = [minimum, other.minimum].compactMap { $0 }.min()
        result.maximum = [maximum, other.maximum].compactMap { $0 }.max()
        for (position, count) in other.positive.counts.enumerated() where count > 0 { result.positive.add(other.positive.offset + position, count) }
        for (position, count) in other.negative.counts.enumerated() where count > 0 { result.negative.add(other.negative.offset + position, count) }
        result.positive.collapse(to: Self.maximumBuckets)
        result.negative.collapse(to: Self.maximumBuckets)
        return result
    }

    /// The buckets in ascending order of value, each as its representative value (kept within the observed
    /// minimum and maximum) and its count.
    public var points: [(value: Double, count: Int)] {
        var points: [(Double, Int)] = []
        points.reserveCapacity(positive.counts.count + negative.counts.count + 1)
        func clamped(_ value: Double) -> Double { Swift.min(Swift.max(value, minimum ?? value), maximum ?? value) }
        for (position, count) in negative.counts.enumerated().reversed() where count > 0 {
            points.append((clamped(-value(ofIndex: negative.offset + position)), count))
        }
        if zeros > 0 { points.append((0, zeros)) }
        for (position, count) in positive.counts.enumerated() where count > 0 {
            points.append((clamped(value(ofIndex: positive.offset + position)), count))
        }
        return points
    }

    /// The q-quantile (0…1) as the order statistic of rank ⌊q·(n − 1)⌋, within α of it; nil when empty.
    public func quantile(_ q: Double) -> Double? {
        guard count > 0, (0...1).contains(q) else { return nil }
        return value(atRank: Int((q * Double(count - 1)).rounded(.down)))
    }

    /// The q-quantile interpolated between the order statistics around rank q·(n − 1), as NumPy's default
    /// (linear) percentile is; each of the two within α of the true one.
    public func interpolatedQuantile(_ q: Double) -> Double? {
        guard count > 0, (0...1).contains(q) else { return nil }
        let rank = q * Double(count - 1)
        let below = Int(rank.rounded(.down))
        let lower = value(atRank: below)
        guard rank > Double(below) else { return lower }
        return lower + (rank - Double(below)) * (value(atRank: below + 1) - lower)
    }

    /// The value of the order statistic of rank `rank` (0-based): the exact minimum and maximum at the ends,
    /// else its bucket's value.
    func value(atRank rank: Int) -> Double {
        if rank <= 0 { return minimum ?? 0 }
        if rank >= count - 1 { return maximum ?? 0 }
        var seen = 0
        for point in points {
            seen += point.count
            if seen > rank { return point.value }
        }
        return maximum ?? 0
    }

    /// The first Wasserstein distance between the two sketched distributions, each bucket's mass at its value:
    /// within α·(E|X| + E|Y|) of the distance between the samples.
    public func wasserstein(to other: QuantileSketch) throws(StatisticsError) -> Double {
        guard count > 0 else { throw StatisticsError("The reference has no values to compare with.") }
        guard other.count > 0 else { throw StatisticsError("The current sample has no values to compare.") }
        let left = points
        let right = other.points
        var i = 0
        var j = 0
        var leftMass = 0
        var rightMass = 0
        var total = CompensatedSum()
        var previous = Swift.min(left[0].value, right[0].value)
        while i < left.count || j < right.count {
            let value = i == left.count ? right[j].value : j == right.count ? left[i].value : Swift.min(left[i].value, right[j].value)
            total.add(abs(Double(leftMass) / Double(count) - Double(rightMass) / Double(other.count)) * (value - previous))
            while i < left.count, left[i].value == value {
                leftMass += left[i].count
                i += 1
            }
            while j < right.count, right[j].value == value {
                rightMass += right[j].count
                j += 1
            }
            previous = value
        }
        return total.value
    }
}
