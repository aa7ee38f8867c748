/// Welch's t-test for the difference of two means (latency, error of a regression) without assuming equal
/// variances: t = (x̄₂ − x̄₁) / √(s₁²/n₁ + s₂²/n₂) with the Welch–Satterthwaite degrees of freedom, and its
/// two-sided p-value, as `scipy.stats.ttest_ind(equal_var=False)`. Fixed-horizon, like `TwoProportionZTest`.
public struct WelchTTest: Sendable, Equatable {
    public let t: Double
    public let degreesOfFreedom: Double
    public let pValue: Double

    /// From each arm's summary (`SampleMoments`): refused with fewer than two values in an arm, or no variance in
    /// either.
    public init(control: SampleMoments, challenger: SampleMoments) throws(StatisticsError) {
        guard control.count >= 2, challenger.count >= 2 else { throw StatisticsError("Welch's t-test needs at least two values per arm.") }
        let first = control.variance / Double(control.count)
        let second = challenger.variance / Double(challenger.count)
        let standardError = (first + second).squareRoot()
        guard standardError > 0, standardError.isFinite else { throw StatisticsError("Neither arm varies: Welch's t-test is undefined.") }
        t = (challenger.mean - control.mean) / standardError
        degreesOfFreedom =
            (first + second) * (first + second)
            / (first * first / Double(control.count - 1) + second * second / Double(challenger.count - 1))
        pValue = SpecialFunctions.twoSidedStudentTail(t, degrees: degreesOfFreedom)
    }
}
