/// What a monitored feature looks like in a sample, kept instead of the sample: its count and missing count,
/// for numbers the bins (fitted on the reference: deciles, open outer bins), the count per bin and the moments,
/// and a quantile sketch, for categories the count per category. A current window is profiled over the reference's bins, and profiles
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
    /// Quantiles of the numbers within the sketch's relative accuracy; also what Wasserstein distances on
    /// profiles are computed from.
    public let sketch: QuantileSketch?

    init(
        kind: Kind, count: Int, missing: Int, bins: NumericBins? = nil, binCounts: [Int]? = nil, categories: [String: Int]? = nil,
        mean: Double? = nil, variance: Double? = nil, minimum: Double? = nil, maximum: Double? = nil, sketch: QuantileSketch? = nil
    ) {
        self.kind = kind
        self.count = count
        self.missing = missing
        self.bins = bins
        self.binCounts = binCounts
        self.categories = categories
        self.mean = mean
        self.variance = variance
        self.minimum = minimum
        self.maximum = maximum
        self.sketch = sketch
    }

    static func categorical(_ counts: [String: Int], missing: Int) -> FeatureProfile {
        FeatureProfile(kind: .categorical, count: counts.values.reduce(0, +), missing: missing, categories: counts)
    }

    /// The reference profile of a sample: numbers get decile bins fitted on it.
    public static func reference(_ sample: FeatureSample) -> FeatureProfile {
        switch sample {
        case .numbers(let values, _):
            let sorted = RadixSort.sorted(values)
            return numeric(sorted, missing: sample.missing, bins: .quantiles(ofSorted: sorted))
        case .categories(let counts, let missing):
            return .categorical(counts, missing: missing)
        }
    }

    /// A sample profiled the way this (reference) profile is: over its bins, or by category.
    public func profile(_ sample: FeatureSample) -> FeatureProfile {
        switch (kind, sample) {
        case (.numeric, .numbers(let values, let missing)):
            return Self.numeric(values, missing: missing, bins: bins ?? NumericBins(edges: [], layout: .openEnded))
        case (.categorical, .categories(let counts, let missing)):
            return .categorical(counts, missing: missing)
        case (.numeric, .categories(_, let missing)):
            // Texts where numbers are expected count as missing.
            return Self.numeric([], missing: missing + sample.count, bins: bins ?? NumericBins(edges: [], layout: .openEnded))
        case (.categorical, .numbers(let values, let missing)):
            return .categorical(values.reduce(into: [String: Int]()) { $0[$1.formatted(significantDigits: 17), default: 0] += 1 }, missing: missing)
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
            variance: mean.map { _ in squares.value / Double(values.count) }, minimum: values.min(), maximum: values.max(),
            sketch: QuantileSketch(values))
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
            minimum: [minimum, other.minimum].compactMap { $0 }.min(), maximum: [maximum, other.maximum].compactMap { $0 }.max(),
            sketch: try Self.merged(sketch, other.sketch))
    }

    static func merged(_ left: QuantileSketch?, _ right: QuantileSketch?) throws(StatisticsError) -> QuantileSketch? {
        guard let left, let right else { return left ?? right }
        return try left.merged(with: right)
    }

    /// The q-quantile (0…1) of the numbers, from the sketch.
    public func quantile(_ q: Double) -> Double? { sketch?.quantile(q) }

    /// The drift of `current` (profiled over this profile's bins) from this reference profile, by a binned
    /// method: PSI (default), KL, Jensen–Shannon, Hellinger or chi-square; numbers also by Wasserstein (raw or
    /// over the reference's standard deviation, as Evidently norms it) between the quantile sketches, within
    /// the sketches' relative accuracy of the distance between the samples.
    public func drift(feature: String, current: FeatureProfile, method: DriftMethod = .psi, threshold: Double? = nil) throws(StatisticsError)
        -> FeatureDrift
    {
        guard count > 0 else { throw StatisticsError("'\(feature)' has no values in the reference.") }
        guard current.count > 0 else { throw StatisticsError("'\(feature)' has no values in the current window.") }
        if method == .wasserstein || method == .wassersteinNormed, kind == .numeric {
            return try sketchDrift(feature: feature, current: current, method: method, threshold: threshold)
        }
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

    func sketchDrift(feature: String, current: FeatureProfile, method: DriftMethod, threshold: Double?) throws(StatisticsError) -> FeatureDrift {
        guard let reference = sketch, let window = current.sketch else {
            throw StatisticsError("'\(feature)' was profiled without a quantile sketch; set the reference again to compute \(method.rawValue).")
        }
        var distance = try reference.wasserstein(to: window)
        if method == .wassersteinNormed { distance /= max((variance ?? 0).squareRoot(), 0.001) }
        return FeatureDrift(
            feature: feature, numeric: true, method: method, statistic: distance, pValue: nil,
            counts: (count, current.count, missing, current.missing),
            threshold: threshold, newCategories: [], vanishedCategories: [], bins: bins?.labels ?? [], referenceCounts: binCounts ?? [],
            currentCounts: current.binCounts ?? [])
    }
}
