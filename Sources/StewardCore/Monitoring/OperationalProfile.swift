import StewardStatistics

/// What a bucket of events says about the system's operation, kept instead of the events: requests and
/// failures, a latency sketch, tokens and spend, safety flags, and which features the events carried. Profiles
/// merge by adding, so the status of a day or a month is read from bucket profiles, not from raw events.
public struct OperationalProfile: Sendable, Equatable, Codable {
    public var requests = 0
    public var failed = 0
    public var latency = QuantileSketch()
    public var tokensIn: Int64 = 0
    public var tokensOut: Int64 = 0
    public var costUSD = 0.0
    public var flagged = 0
    public var byFlag: [String: Int] = [:]
    public var withFeatures = 0
    public var featureNames: [String] = []

    public init() {}

    enum CodingKeys: String, CodingKey {
        case requests, failed, latency, tokensIn, tokensOut, costUSD, flagged, byFlag, withFeatures, featureNames
    }

    /// The profile of the events at `indices`, each read in place (a flush of served events is thousands of
    /// them; copying each one retained every member).
    public init(_ events: [InferenceEvent], at indices: [Int]) {
        var names = Set<String>()
        var cost = CompensatedSum()
        for index in indices {
            requests += 1
            if events[index].failed { failed += 1 }
            if let milliseconds = events[index].latencyMilliseconds { latency.add(milliseconds) }
            tokensIn += events[index].tokensIn ?? 0
            tokensOut += events[index].tokensOut ?? 0
            if let dollars = events[index].costUSD { cost.add(dollars) }
            if !events[index].safetyFlags.isEmpty { flagged += 1 }
            for flag in events[index].safetyFlags { byFlag[flag, default: 0] += 1 }
            if !events[index].features.isEmpty {
                withFeatures += 1
                names.formUnion(events[index].features.keys)
            }
            // Profiling a flush of served events is background work: it gives way to the event loops.
            YieldPoint.pass()
        }
        costUSD = cost.value
        featureNames = names.sorted()
    }

    /// Both profiles as one.
    public func merged(with other: OperationalProfile) throws(StatisticsError) -> OperationalProfile {
        var result = self
        result.requests += other.requests
        result.failed += other.failed
        result.latency = try latency.merged(with: other.latency)
        result.tokensIn += other.tokensIn
        result.tokensOut += other.tokensOut
        result.costUSD += other.costUSD
        result.flagged += other.flagged
        result.byFlag.merge(other.byFlag, uniquingKeysWith: +)
        result.withFeatures += other.withFeatures
        result.featureNames = Set(featureNames).union(other.featureNames).sorted()
        return result
    }
}
