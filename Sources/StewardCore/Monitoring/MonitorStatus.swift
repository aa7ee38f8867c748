import StewardStatistics

/// A system's health over a time window in the five categories: performance (volume, errors, latency),
/// quality (against joined labels and feedback), cost (tokens and dollars), data (what the features carry) and
/// safety (flagged outputs). A figure with nothing to compute it from is absent, not zero.
public struct MonitorStatus: Sendable, Equatable, Encodable {
    public struct Performance: Sendable, Equatable, Codable {
        public var requests: Int
        public var errorRate: Double?
        public var latencyP50Ms: Double?
        public var latencyP95Ms: Double?
        public var latencyP99Ms: Double?
        public var requestsPerMinute: Double
    }

    public struct Quality: Sendable, Equatable, Codable {
        public var labeled: Int
        /// Share of labeled events whose prediction equals the label.
        public var accuracy: Double?
        /// Mean absolute error and WAPE where prediction and label are numbers.
        public var meanAbsoluteError: Double?
        public var wape: Double?
        public var feedbackCount: Int
        public var negativeFeedbackRate: Double?
    }

    public struct Cost: Sendable, Equatable, Codable {
        public var tokensIn: Int64
        public var tokensOut: Int64
        public var totalUSD: Double
        public var costPerRequestUSD: Double?
    }

    public struct Data: Sendable, Equatable, Encodable {
        public var eventsWithFeatures: Int
        public var features: [String]
        /// Drift from the reference profile (PSI per feature), when the system has one.
        public var referenceVersion: Int64?
        public var drift: DatasetDrift?
    }

    public struct Safety: Sendable, Equatable, Encodable {
        public var flagged: Int
        public var flaggedRate: Double?
        /// Flag names are data: written as they are.
        public var byFlag: [String: Int]
    }

    public let systemID: String
    public let from: Int64
    public let to: Int64
    public let performance: Performance
    public let quality: Quality
    public let cost: Cost
    public var data: Data
    public let safety: Safety

    /// The status of a window from its merged operational profile and its labeled events. Latency percentiles
    /// come from the profile's sketch: interpolated as NumPy's, within its relative accuracy (0.5%).
    public init(systemID: String, from: Int64, to: Int64, operations: OperationalProfile, labeled events: [StoredEvent]) {
        self.systemID = systemID
        self.from = from
        self.to = to
        let count = operations.requests
        func share(_ part: Int, of whole: Int) -> Double? { whole == 0 ? nil : Double(part) / Double(whole) }
        let latency = operations.latency
        performance = Performance(
            requests: count, errorRate: share(operations.failed, of: count), latencyP50Ms: latency.interpolatedQuantile(0.5),
            latencyP95Ms: latency.interpolatedQuantile(0.95), latencyP99Ms: latency.interpolatedQuantile(0.99),
            requestsPerMinute: Double(count) / (Double(max(to - from, 1)) / 60_000))

        let labeled = events.filter { $0.label != nil && $0.label != .missing && $0.event.prediction != nil }
        var correct = 0
        var absoluteErrors = CompensatedSum()
        var absoluteTruth = CompensatedSum()
        var numeric = 0
        for stored in labeled {
            guard let label = stored.label, let prediction = stored.event.prediction else { continue }
            if label.cell == prediction.cell { correct += 1 }
            if case .number(let truth) = label, case .number(let predicted) = prediction {
                numeric += 1
                absoluteErrors.add(abs(truth - predicted))
                absoluteTruth.add(abs(truth))
            }
        }
        let feedback = events.compactMap(\.feedback)
        quality = Quality(
            labeled: labeled.count, accuracy: share(correct, of: labeled.count),
            meanAbsoluteError: numeric == 0 ? nil : absoluteErrors.value / Double(numeric),
            wape: numeric == 0 || absoluteTruth.value == 0 ? nil : absoluteErrors.value / absoluteTruth.value, feedbackCount: feedback.count,
            negativeFeedbackRate: share(feedback.filter { $0 < 0 }.count, of: feedback.count))

        cost = Cost(
            tokensIn: operations.tokensIn, tokensOut: operations.tokensOut, totalUSD: operations.costUSD,
            costPerRequestUSD: count == 0 ? nil : operations.costUSD / Double(count))
        data = Data(eventsWithFeatures: operations.withFeatures, features: operations.featureNames)
        safety = Safety(flagged: operations.flagged, flaggedRate: share(operations.flagged, of: count), byFlag: operations.byFlag)
    }
}
