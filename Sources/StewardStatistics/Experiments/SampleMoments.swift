/// Count, mean and unbiased variance of a sample, accumulated one value at a time (Welford's update) or merged
/// from parts (Chan's formula), so an arm's summary can be kept per minute and added up over any window.
public struct SampleMoments: Sendable, Equatable, Codable {
    public private(set) var count: Int = 0
    public private(set) var mean: Double = 0
    /// The sum of squared deviations from the mean.
    public private(set) var squaredDeviations: Double = 0

    public init() {}

    /// The moments of `trials` values of which `successes` are 1 and the rest 0: a rate's summary from its counts.
    public init(successes: Int, trials: Int) {
        count = trials
        mean = trials > 0 ? Double(successes) / Double(trials) : 0
        squaredDeviations = trials > 0 ? Double(successes) * Double(trials - successes) / Double(trials) : 0
    }

    public init(_ values: some Sequence<Double>) {
        for value in values { add(value) }
    }

    public mutating func add(_ value: Double) {
        count += 1
        let delta = value - mean
        mean += delta / Double(count)
        squaredDeviations += delta * (value - mean)
    }

    public mutating func merge(_ other: SampleMoments) {
        guard other.count > 0 else { return }
        guard count > 0 else { return self = other }
        let total = Double(count + other.count)
        let delta = other.mean - mean
        squaredDeviations += other.squaredDeviations + delta * delta * Double(count) * Double(other.count) / total
        mean += delta * Double(other.count) / total
        count += other.count
    }

    /// The unbiased sample variance (n − 1 in the denominator); 0 below two values.
    public var variance: Double { count > 1 ? squaredDeviations / Double(count - 1) : 0 }
}
