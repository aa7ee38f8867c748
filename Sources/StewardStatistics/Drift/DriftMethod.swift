/// How drift between a reference and a current sample of one feature is measured. Distances drift when they
/// reach the threshold; tests drift when their p-value falls below it.
public enum DriftMethod: String, Sendable, Codable, CaseIterable {
    /// Population stability index over bins, Σ (r − c)·ln(r / c), empty bins filled (see `DistributionDistance`).
    case psi
    /// Kullback–Leibler divergence of reference from current over bins (filled, renormalised).
    case kl
    /// Jensen–Shannon distance (natural log) over bins.
    case jensenShannon = "jensen_shannon"
    /// Hellinger distance over bins, √(1 − Σ √(r·c)).
    case hellinger
    /// First Wasserstein distance between the samples, in the feature's units.
    case wasserstein
    /// Wasserstein distance divided by the reference's standard deviation (at least 0.001), as Evidently.
    case wassersteinNormed = "wasserstein_normed"
    /// Two-sample Kolmogorov–Smirnov test.
    case ks
    /// Pearson's chi-square test of current counts against reference shares.
    case chiSquare = "chi_square"
    /// Two-proportion z-test, for features with two values.
    case zTest = "z_test"

    /// Evidently's stattest names for the methods both have, so that a choice made there carries over. Evidently's
    /// `wasserstein` is the normed distance, a different measure from Steward's `wasserstein`, so it is not here.
    public static let evidentlyNames: [String: DriftMethod] = [
        "chisquare": .chiSquare, "jensenshannon": .jensenShannon, "kl_div": .kl, "z": .zTest,
    ]

    /// A method by its name here (`chi_square`) or Evidently's (`chisquare`).
    public init?(named name: String) {
        guard let method = DriftMethod(rawValue: name) ?? Self.evidentlyNames[name] else { return nil }
        self = method
    }

    /// Every name a method is known by, this module's first.
    public static var allNames: [String] { allCases.map(\.rawValue) + evidentlyNames.keys.sorted() }

    /// The default threshold: 0.05 on the p-value for tests, 0.1 for distances (PSI 0.1 is the conventional
    /// start of a moderate shift).
    public var defaultThreshold: Double { isTest ? 0.05 : 0.1 }

    public var isTest: Bool { self == .ks || self == .chiSquare || self == .zTest }

    /// Whether the method reads numeric samples only (the others also take categories).
    public var needsNumbers: Bool { self == .wasserstein || self == .wassersteinNormed || self == .ks }

    /// The automatic choice, Evidently's default rule so that results carry over: with at most 1,000 reference
    /// rows, KS for numeric features with more than 5 distinct values, else chi-square (more than 2 values) or
    /// the z-test; with more reference rows, normed Wasserstein for numeric features with more than 5 distinct
    /// values, else Jensen–Shannon.
    public static func automatic(numeric: Bool, referenceRows: Int, distinctValues: Int) -> DriftMethod {
        let continuous = numeric && distinctValues > 5
        if referenceRows <= 1000 {
            if continuous { return .ks }
            return distinctValues > 2 ? .chiSquare : .zTest
        }
        return continuous ? .wassersteinNormed : .jensenShannon
    }
}
