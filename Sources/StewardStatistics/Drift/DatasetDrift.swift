/// Drift over every feature of a dataset: each feature's result (or why it could not be computed), and the
/// share of drifted features, which marks the dataset drifted at or above `shareThreshold` (0.5 by default,
/// as Evidently's `drift_share`).
public struct DatasetDrift: Sendable, Equatable, Encodable {
    /// Drifted features first, then by how far past their threshold they are.
    public let features: [FeatureDrift]
    public let undefined: [String: String]
    public let driftShare: Double
    public let shareThreshold: Double
    public let drifted: Bool

    public var driftedFeatures: [String] { features.filter(\.drifted).map(\.feature) }

    public init(features: [FeatureDrift], undefined: [String: String] = [:], shareThreshold: Double = 0.5) {
        self.features = features.sorted { left, right in
            if left.drifted != right.drifted { return left.drifted }
            return left.severity != right.severity ? left.severity > right.severity : left.feature < right.feature
        }
        self.undefined = undefined
        driftShare = features.isEmpty ? 0 : Double(features.filter(\.drifted).count) / Double(features.count)
        self.shareThreshold = shareThreshold
        drifted = !features.isEmpty && driftShare >= shareThreshold
    }
}

extension DatasetDrift {
    enum CodingKeys: String, CodingKey {
        case features, undefined, driftShare, shareThreshold, drifted, driftedFeatures
    }

    /// With the names of the drifted features, which readers want without filtering `features` themselves.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(features, forKey: .features)
        try container.encode(undefined, forKey: .undefined)
        try container.encode(driftShare, forKey: .driftShare)
        try container.encode(shareThreshold, forKey: .shareThreshold)
        try container.encode(drifted, forKey: .drifted)
        try container.encode(driftedFeatures, forKey: .driftedFeatures)
    }
}

extension FeatureDrift {
    /// How far the score is past (or short of) the threshold, comparable across methods.
    var severity: Double {
        guard threshold > 0 else { return statistic }
        return method.isTest ? threshold / max(pValue ?? 1, 1e-300) : statistic / threshold
    }
}
