import StewardStatistics

/// The profile of a system's features in its reference data (usually the training set), versioned: drift is
/// measured against the latest one, and a new one (after retraining) replaces it. It names the registered
/// model version it was made for, when given.
public struct ReferenceProfile: Sendable, Equatable {
    /// A registered model version, by name and number.
    public struct ModelVersionKey: Sendable, Hashable {
        public let name: String
        public let version: Int64

        public init(name: String, version: Int64) {
            self.name = name
            self.version = version
        }
    }

    public let systemID: String
    public var version: Int64
    /// Where the reference came from, such as a registered test set `train@v3`.
    public let source: String
    public let features: [String: FeatureProfile]
    public let createdBy: String
    public let createdAt: Int64
    public let model: ModelVersionKey?

    public init(
        systemID: String, version: Int64, source: String, features: [String: FeatureProfile], createdBy: String, createdAt: Int64,
        model: ModelVersionKey? = nil
    ) {
        self.model = model
        self.systemID = systemID
        self.version = version
        self.source = source
        self.features = features
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    /// Profiles the named columns: numbers where every cell is one, else categories of the texts.
    public static func features(of columns: [String: TableColumn], names: [String]) throws(StewardError) -> [String: FeatureProfile] {
        var profiles: [String: FeatureProfile] = [:]
        for name in names {
            guard let column = columns[name] else { throw .invalidParameter("The reference data has no column '\(name)'.") }
            let sample: FeatureSample =
                if case .numbers(let values) = column { .numbers(values) } else { DriftComparison.categories(column) }
            profiles[name] = .reference(sample)
        }
        return profiles
    }
}
