/// How numeric features are binned for PSI, KL, Jensen–Shannon and Hellinger.
public enum DriftBinning: String, Sendable, Codable, CaseIterable {
    /// Deciles of the reference with open outer bins: fixed by the reference alone, so a stored profile serves
    /// every window and counts merge. Steward's default.
    case reference
    /// Evidently's: Sturges equal-width bins over reference and current together (over their distinct values
    /// for Hellinger), for numbers that must match it.
    case evidently
}

/// The drift of one feature between a reference and a current sample: the method and its value, the threshold
/// and verdict, category changes, and both distributions over the same bins for reports.
public struct FeatureDrift: Sendable, Equatable, Codable {
    public let feature: String
    public let numeric: Bool
    public let method: DriftMethod
    /// The distance, or the test's statistic (D, chi-square, z).
    public let statistic: Double
    public let pValue: Double?
    public let threshold: Double
    public let drifted: Bool
    public let referenceCount: Int
    public let currentCount: Int
    public let referenceMissing: Int
    public let currentMissing: Int
    /// Values the current sample has and the reference never had, and the reverse.
    public let newCategories: [String]
    public let vanishedCategories: [String]
    public let bins: [String]
    public let referenceShares: [Double]
    public let currentShares: [Double]

    /// The value compared with the threshold: the p-value for tests, the statistic for distances.
    public var score: Double { pValue ?? statistic }

    /// Numeric features with at most this many distinct reference values are compared value by value.
    static let discreteLimit = 20

    public static func compare(
        feature: String, reference: FeatureSample, current: FeatureSample, method requested: DriftMethod? = nil, threshold: Double? = nil,
        binning: DriftBinning = .reference
    ) throws(StatisticsError) -> FeatureDrift {
        guard reference.count > 0 else { throw StatisticsError("'\(feature)' has no values in the reference.") }
        guard current.count > 0 else { throw StatisticsError("'\(feature)' has no values in the current sample.") }
        switch (reference, current) {
        case (.numbers(let referenceValues, _), .numbers(let currentValues, _)):
            return try numeric(feature, reference, current, referenceValues, currentValues, requested, threshold, binning)
        case (.categories(let referenceCounts, _), .categories(let currentCounts, _)):
            return try categorical(feature, reference, current, referenceCounts, currentCounts, requested, threshold)
        default:
            throw StatisticsError("'\(feature)' is numeric in one sample and categorical in the other.")
        }
    }

    static func numeric(
        _ feature: String, _ reference: FeatureSample, _ current: FeatureSample, _ referenceValues: [Double], _ currentValues: [Double],
        _ requested: DriftMethod?, _ threshold: Double?, _ binning: DriftBinning
    ) throws(StatisticsError) -> FeatureDrift {
        // Only how the distinct counts compare with the limits matters, except for Evidently's Hellinger bins.
        let evidentlyHellinger = binning == .evidently && requested == .hellinger
        let referenceDistinct = FeatureSample.distinctCount(referenceValues, limit: discreteLimit + 1)
        let distinct = FeatureSample.distinctCount(referenceValues, currentValues, limit: discreteLimit + 1)
        let method = requested ?? .automatic(numeric: true, referenceRows: referenceValues.count, distinctValues: distinct)
        // Sorted copies only for the methods that need order.
        let ordered = method == .ks || method == .wasserstein || method == .wassersteinNormed || evidentlyHellinger
        let sortedReference = ordered ? RadixSort.sorted(referenceValues) : referenceValues
        let sortedCurrent = ordered ? RadixSort.sorted(currentValues) : currentValues
        // Per value when the method tests categories or the reference has few distinct values; else bins.
        // (Evidently's Hellinger always bins numbers, over their distinct values.)
        let perValue = method == .chiSquare || method == .zTest || (referenceDistinct <= discreteLimit && !evidentlyHellinger)
        let labels: [String]
        let referenceCounts: [Int]
        let currentCounts: [Int]
        if perValue {
            let referenceByValue = FeatureSample.valueCounts(referenceValues)
            let currentByValue = FeatureSample.valueCounts(currentValues)
            let keys = Set(referenceByValue.keys).union(currentByValue.keys).sorted()
            labels = keys.map { $0.formatted(significantDigits: 6) }
            referenceCounts = keys.map { referenceByValue[$0] ?? 0 }
            currentCounts = keys.map { currentByValue[$0] ?? 0 }
        } else {
            let bins: NumericBins
            switch binning {
            case .reference:
                // The deciles need 18 order statistics, not a sorted sample.
                bins = ordered ? .quantiles(ofSorted: sortedReference) : .quantiles(of: referenceValues)
            case .evidently:
                let (minimum, maximum) = Self.range(referenceValues, currentValues)
                let count =
                    evidentlyHellinger
                    ? FeatureSample.distinctCount(sortedUnion: sortedReference, sortedCurrent) : referenceValues.count + currentValues.count
                bins = .sturges(minimum: minimum, maximum: maximum, count: count)
            }
            labels = bins.labels
            referenceCounts = bins.counts(of: sortedReference, ascending: ordered)
            currentCounts = bins.counts(of: sortedCurrent, ascending: ordered)
        }
        let (statistic, pValue): (Double, Double?)
        switch method {
        case .ks:
            let test = try KolmogorovSmirnov(sortedReference: sortedReference, sortedCurrent: sortedCurrent)
            (statistic, pValue) = (test.statistic, test.pValue)
        case .wasserstein: (statistic, pValue) = (try SampleDistance.wasserstein(sortedReference: sortedReference, sortedCurrent: sortedCurrent), nil)
        case .wassersteinNormed:
            (statistic, pValue) = (try SampleDistance.wassersteinNormed(sortedReference: sortedReference, sortedCurrent: sortedCurrent), nil)
        case .zTest:
            guard labels.count <= 2 else { throw StatisticsError("The z-test compares two values; '\(feature)' has \(labels.count).") }
            let test = try CategoryTests.twoProportionZ(
                reference: (referenceCounts[0], referenceCounts.count > 1 ? referenceCounts[1] : 0),
                current: (currentCounts[0], currentCounts.count > 1 ? currentCounts[1] : 0))
            (statistic, pValue) = (test.statistic, test.pValue)
        default:
            (statistic, pValue) = try binnedStatistic(method, referenceCounts, currentCounts)
        }
        return FeatureDrift(
            feature: feature, numeric: true, method: method, statistic: statistic, pValue: pValue, reference: reference, current: current,
            threshold: threshold, newCategories: [], vanishedCategories: [], bins: labels, referenceCounts: referenceCounts,
            currentCounts: currentCounts)
    }

    /// The smallest and largest value of two non-empty samples.
    /// The smallest and largest of both samples (no NaN among them), four lanes at a time.
    static func range(_ first: [Double], _ second: [Double]) -> (Double, Double) {
        var minimum = SIMD4<Double>(repeating: first[0])
        var maximum = minimum
        for values in [first, second] {
            values.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                var index = 0
                while index + 4 <= buffer.count {
                    let lanes = UnsafeRawPointer(base + index).loadUnaligned(as: SIMD4<Double>.self)
                    minimum = pointwiseMin(minimum, lanes)
                    maximum = pointwiseMax(maximum, lanes)
                    index += 4
                }
                while index < buffer.count {
                    minimum = pointwiseMin(minimum, SIMD4(repeating: buffer[index]))
                    maximum = pointwiseMax(maximum, SIMD4(repeating: buffer[index]))
                    index += 1
                }
            }
        }
        return (minimum.min(), maximum.max())
    }

    static func categorical(
        _ feature: String, _ reference: FeatureSample, _ current: FeatureSample, _ referenceByName: [String: Int], _ currentByName: [String: Int],
        _ requested: DriftMethod?, _ threshold: Double?
    ) throws(StatisticsError) -> FeatureDrift {
        let ordered = categoryOrder(referenceByName, currentByName)
        let method = requested ?? .automatic(numeric: false, referenceRows: reference.count, distinctValues: ordered.count)
        if method.needsNumbers { throw StatisticsError("\(method.rawValue) needs numbers; '\(feature)' is categorical.") }
        let referenceCounts = ordered.map { referenceByName[$0] ?? 0 }
        let currentCounts = ordered.map { currentByName[$0] ?? 0 }
        let (statistic, pValue): (Double, Double?)
        if method == .zTest {
            guard ordered.count <= 2 else { throw StatisticsError("The z-test compares two values; '\(feature)' has \(ordered.count).") }
            // The first value in sorted order is the baseline, as Evidently orders them.
            let names = ordered.sorted()
            let test = try CategoryTests.twoProportionZ(
                reference: (referenceByName[names[0]] ?? 0, names.count > 1 ? referenceByName[names[1]] ?? 0 : 0),
                current: (currentByName[names[0]] ?? 0, names.count > 1 ? currentByName[names[1]] ?? 0 : 0))
            (statistic, pValue) = (test.statistic, test.pValue)
        } else {
            (statistic, pValue) = try binnedStatistic(method, referenceCounts, currentCounts)
        }
        return FeatureDrift(
            feature: feature, numeric: false, method: method, statistic: statistic, pValue: pValue, reference: reference, current: current,
            threshold: threshold, newCategories: ordered.filter { referenceByName[$0] == nil },
            vanishedCategories: ordered.filter { currentByName[$0] == nil }, bins: ordered, referenceCounts: referenceCounts,
            currentCounts: currentCounts)
    }

    /// Every category of either sample: most frequent in the reference first, then new ones by current
    /// frequency, ties by name.
    static func categoryOrder(_ reference: [String: Int], _ current: [String: Int]) -> [String] {
        Set(reference.keys).union(current.keys).sorted { left, right in
            let leftCounts = (reference[left] ?? 0, current[left] ?? 0)
            let rightCounts = (reference[right] ?? 0, current[right] ?? 0)
            return leftCounts != rightCounts ? leftCounts > rightCounts : left < right
        }
    }

    static func binnedStatistic(_ method: DriftMethod, _ reference: [Int], _ current: [Int]) throws(StatisticsError) -> (Double, Double?) {
        switch method {
        case .psi: return (try DistributionDistance.psi(reference: reference, current: current), nil)
        case .kl: return (try DistributionDistance.kullbackLeibler(reference: reference, current: current), nil)
        case .jensenShannon: return (try DistributionDistance.jensenShannon(reference: reference, current: current), nil)
        case .hellinger: return (try DistributionDistance.hellinger(reference: reference, current: current), nil)
        case .chiSquare:
            let test = try CategoryTests.chiSquare(reference: reference, current: current)
            return (test.statistic, test.pValue)
        case .ks, .wasserstein, .wassersteinNormed, .zTest: throw StatisticsError("\(method.rawValue) is not computed from bins.")
        }
    }

    init(
        feature: String, numeric: Bool, method: DriftMethod, statistic: Double, pValue: Double?, reference: FeatureSample, current: FeatureSample,
        threshold: Double?, newCategories: [String], vanishedCategories: [String], bins: [String], referenceCounts: [Int], currentCounts: [Int]
    ) {
        self.init(
            feature: feature, numeric: numeric, method: method, statistic: statistic, pValue: pValue,
            counts: (reference.count, current.count, reference.missing, current.missing), threshold: threshold, newCategories: newCategories,
            vanishedCategories: vanishedCategories, bins: bins, referenceCounts: referenceCounts, currentCounts: currentCounts)
    }

    init(
        feature: String, numeric: Bool, method: DriftMethod, statistic: Double, pValue: Double?,
        counts: (reference: Int, current: Int, referenceMissing: Int, currentMissing: Int), threshold: Double?, newCategories: [String],
        vanishedCategories: [String], bins: [String], referenceCounts: [Int], currentCounts: [Int]
    ) {
        self.feature = feature
        self.numeric = numeric
        self.method = method
        self.statistic = statistic
        self.pValue = pValue
        let threshold = threshold ?? method.defaultThreshold
        self.threshold = threshold
        drifted = method.isTest ? (pValue ?? 1) < threshold : statistic >= threshold
        referenceCount = counts.reference
        currentCount = counts.current
        referenceMissing = counts.referenceMissing
        currentMissing = counts.currentMissing
        self.newCategories = newCategories
        self.vanishedCategories = vanishedCategories
        self.bins = bins
        let referenceTotal = Double(max(referenceCounts.reduce(0, +), 1))
        let currentTotal = Double(max(currentCounts.reduce(0, +), 1))
        referenceShares = referenceCounts.map { Double($0) / referenceTotal }
        currentShares = currentCounts.map { Double($0) / currentTotal }
    }
}
