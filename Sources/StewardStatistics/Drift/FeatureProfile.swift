/// What a monitored feature looks like in a sample, kept instead of the sample: its count and missing count,
/// for numbers the bins (fitted on the reference: deciles, open outer bins), the count per bin and the moments,
/// for categories the count per category. A current window is profiled over the reference's bins, and profiles
/// over the same bins merge by adding, so windows and replicas combine without the raw values.
public struct FeatureProfile: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case numeric
        case categorical
    }

    public let kind: Kind
    public let count: Int
    public let missing: Int
    public let bins: NumericBins?
    public let binCounts: [Int]?
    public let categories: [String: Int]?
    public let mean: Double?
    /// Population variance.
    public let variance: Double?
    public let minimum: Double?
    public let maximum: Double?

    enum CodingKeys: String, CodingKey {
        case kind, count, missing, bins, binCounts, categories, mean, variance, minimum, maximum
    }

    /// Category names are data: written as they are.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(count, forKey: .count)
        try container.encode(missing, forKey: .missing)
        try container.encodeIfPresent(bins, forKey: .bins)
        try container.encodeIfPresent(binCounts, forKey: .binCounts)
        try container.encodeIfPresent(categories.map(VerbatimDictionary.init), forKey: .categories)
        try container.encodeIfPresent(mean, forKey: .mean)
        try container.encodeIfPresent(variance, forKey: .variance)
        try container.encodeIfPresent(minimum, forKey: .minimum)
        try container.encodeIfPresent(maximum, forKey: .maximum)
    }

    /// The reference profile of a sample: numbers get decile bins fitted on it.
    public static func reference(_ sample: FeatureSample) -> FeatureProfile {
        switch sample {
        case .numbers(let values, _):
            let sorted = RadixSort.sorted(values)
            return numeric(sorted, missing: sample.missing, bins: .quantiles(ofSorted: sorted))
        case .categories(let counts, let missing):
            return FeatureProfile(
                kind: .categorical, count: sample.count, missing: missing, bins: nil, binCounts: nil, categories: counts, mean: nil, variance: nil,
                minimum: nil, maximum: nil)
        }
    }

    /// A sample profiled the way this (reference) profile is: over its bins, or by category.
    public func profile(_ sample: FeatureSample) -> FeatureProfile {
        switch (kind, sample) {
        case (.numeric, .numbers(let values, let missing)):
            return Self.numeric(values, missing: missing, bins: bins ?? NumericBins(edges: [], layout: .openEnded))
        case (.categorical, .categories(let counts, let missing)):
            return FeatureProfile(
                kind: .categorical, count: sample.count, missing: missing, bins: nil, binCounts: nil, categories: counts, mean: nil, variance: nil,
                minimum: nil, maximum: nil)
        case (.numeric, .categories(_, let missing)):
            // Texts where numbers are expected count as missing.
            return Self.numeric([], missing: missing + sample.count, bins: bins ?? NumericBins(edges: [], layout: .openEnded))
        case (.categorical, .numbers(let values, let missing)):
            let counts = values.reduce(into: [String: Int]()) { $0[$1.formatted(significantDigits: 17), default: 0] += 1 }
            return FeatureProfile(
                kind: .categorical, count: values.count, missing: missing, bins: nil, binCounts: nil, categories: counts, mean: nil, variance: nil,
                minimum: nil, maximum: nil)
        }
    }

    static func numeric(_ values: [Double], missing: Int, bins: NumericBins) -> FeatureProfile {
        var sum = CompensatedSum()
        for value in values { sum.add(value) }
        let mean = values.isEmpty ? nil : sum.value / Double(values.count)
        var squares = CompensatedSum()
        if let mean { for value in values { squares.add((value - mean) * (value - mean)) } }
        return FeatureProfile(
            kind: .numeric, count: values.count, missing: missing, bins: bins, binCounts: bins.counts(of: values), categories: nil, mean: mean,
            variance: mean.map { _ in squares.value / Double(values.count) }, minimum: values.min(), maximum: values.max())
    }

    /// Both profiles together (same kind and bins), as if profiled from both samples at once; moments combine
    /// with Chan's parallel formula.
    public func merged(with other: FeatureProfile) throws(StatisticsError) -> FeatureProfile {
        guard kind == other.kind, bins == other.bins else { throw StatisticsError("Only profiles over the same bins merge.") }
        let total = count + other.count
        var mean: Double?
        var variance: Double?
        switch (self.mean, other.mean, self.variance, other.variance) {
        case (let left?, let right?, let leftVariance?, let rightVariance?):
            let delta = right - left
            let combined = left + delta * Double(other.count) / Double(total)
            mean = combined
            variance =
                (leftVariance * Double(count) + rightVariance * Double(other.count) + delta * delta * Double(count) * Double(other.count)
                    / Double(total))
                / Double(total)
        default:
            mean = self.mean ?? other.mean
            variance = self.variance ?? other.variance
        }
        return FeatureProfile(
            kind: kind, count: total, missing: missing + other.missing, bins: bins,
            binCounts: binCounts.map { counts in zip(counts, other.binCounts ?? []).map(+) },
            categories: categories.map { $0.merging(other.categories ?? [:], uniquingKeysWith: +) }, mean: mean, variance: variance,
            minimum: [minimum, other.minimum].compactMap { $0 }.min(), maximum: [maximum, other.maximum].compactMap { $0 }.max())
    }

    /// The drift of `current` (profiled over this profile's bins) from this reference profile, by a binned
    /// method: PSI (default), KL, Jensen–Shannon, Hellinger or chi-square.
    public func drift(feature: String, current: FeatureProfile, method: DriftMethod = .psi, threshold: Double? = nil) throws(StatisticsError)
        -> FeatureDrift
    {
        guard count > 0 else { throw StatisticsError("'\(feature)' has no values in the reference.") }
        guard current.count > 0 else { throw StatisticsError("'\(feature)' has no values in the current window.") }
        guard !method.needsNumbers, method != .zTest else { throw StatisticsError("\(method.rawValue) needs the raw values, not a profile.") }
        let labels: [String]
        let referenceCounts: [Int]
        let currentCounts: [Int]
        var newCategories: [String] = []
        var vanished: [String] = []
        switch kind {
        case .numeric:
            labels = bins?.labels ?? []
            referenceCounts = binCounts ?? []
            currentCounts = current.binCounts ?? []
        case .categorical:
            let reference = categories ?? [:]
            let window = current.categories ?? [:]
            labels = FeatureDrift.categoryOrder(reference, window)
            referenceCounts = labels.map { reference[$0] ?? 0 }
            currentCounts = labels.map { window[$0] ?? 0 }
            newCategories = labels.filter { reference[$0] == nil }
            vanished = labels.filter { window[$0] == nil }
        }
        let (statistic, pValue) = try FeatureDrift.binnedStatistic(method, referenceCounts, currentCounts)
        return FeatureDrift(
            feature: feature, numeric: kind == .numeric, method: method, statistic: statistic, pValue: pValue,
            counts: (count, current.count, missing, current.missing), threshold: threshold, newCategories: newCategories,
            vanishedCategories: vanished, bins: labels, referenceCounts: referenceCounts, currentCounts: currentCounts)
    }
}
