import Dispatch
import StewardStatistics

/// Compares a current table with a reference table column by column (what `steward drift` runs): each
/// shared column becomes a numeric or categorical sample, the features are compared in parallel, and columns
/// that cannot be compared are reported with the reason.
public struct DriftComparison: Sendable {
    public var method: DriftMethod?
    public var threshold: Double?
    public var binning: DriftBinning
    public var shareThreshold: Double

    public init(method: DriftMethod? = nil, threshold: Double? = nil, binning: DriftBinning = .reference, shareThreshold: Double = 0.5) {
        self.method = method
        self.threshold = threshold
        self.binning = binning
        self.shareThreshold = shareThreshold
    }

    public func compare(reference: [String: TableColumn], current: [String: TableColumn], columns: [String]) -> DatasetDrift {
        var undefined: [String: String] = [:]
        var found: [(name: String, reference: TableColumn, current: TableColumn)] = []
        for name in columns {
            guard let referenceColumn = reference[name] else {
                undefined[name] = "The reference has no column '\(name)'."
                continue
            }
            guard let currentColumn = current[name] else {
                undefined[name] = "The current data has no column '\(name)'."
                continue
            }
            found.append((name, referenceColumn, currentColumn))
        }
        let pairs = found
        nonisolated(unsafe) let results = UnsafeMutableBufferPointer<Result<FeatureDrift, StatisticsError>?>.allocate(capacity: pairs.count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: pairs.count) { index in
            let pair = pairs[index]
            let (referenceSample, currentSample) = Self.samples(pair.reference, pair.current)
            results[index] = Result { () throws(StatisticsError) in
                try FeatureDrift.compare(
                    feature: pair.name, reference: referenceSample, current: currentSample, method: method, threshold: threshold, binning: binning)
            }
        }
        var features: [FeatureDrift] = []
        for (pair, result) in zip(pairs, results) {
            switch result {
            case .success(let drift): features.append(drift)
            case .failure(let error): undefined[pair.name] = error.message
            case nil: undefined[pair.name] = "Not compared."
            }
        }
        return DatasetDrift(features: features, undefined: undefined, shareThreshold: shareThreshold)
    }

    /// Both columns as samples of one kind: numbers when both are numbers, else categories of their texts.
    static func samples(_ reference: TableColumn, _ current: TableColumn) -> (FeatureSample, FeatureSample) {
        if case .numbers(let referenceValues) = reference, case .numbers(let currentValues) = current {
            return (.numbers(referenceValues), .numbers(currentValues))
        }
        return (categories(reference), categories(current))
    }

    /// Counts per distinct text; empty cells are missing.
    static func categories(_ column: TableColumn) -> FeatureSample {
        let (codes, names) = column.grouped
        var tally = [Int](repeating: 0, count: names.count)
        for code in codes { tally[Int(code)] += 1 }
        var counts: [String: Int] = [:]
        var missing = 0
        for (name, count) in zip(names, tally) where count > 0 {
            if name.isEmpty { missing += count } else { counts[name, default: 0] += count }
        }
        return .categories(counts: counts, missing: missing)
    }
}
