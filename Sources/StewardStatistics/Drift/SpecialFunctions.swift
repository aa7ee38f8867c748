import Foundation

/// The distribution functions drift tests need for p-values: the standard normal tail and the chi-square
/// survival function (the regularized upper incomplete gamma function).
public enum SpecialFunctions {
    /// P(|Z| ≥ |z|) for a standard normal Z, without the cancellation of 1 − Φ in the tails.
    public static func twoSidedNormalTail(_ z: Double) -> Double {
        erfc(abs(z) / 2.0.squareRoot())
    }

    /// P(X ≥ x) for X chi-square distributed with `degrees` degrees of freedom.
    public static func chiSquareSurvival(_ x: Double, degrees: Int) -> Double {
        guard x > 0 else { return 1 }
        guard x.isFinite else { return 0 }
        return upperRegularizedGamma(Double(degrees) / 2, x / 2)
    }

    /// Q(a, x) = Γ(a, x) / Γ(a): a power series for P = 1 − Q below x < a + 1, a continued fraction (modified
    /// Lentz) above, as usual for this function; both converge to full double precision.
    static func upperRegularizedGamma(_ a: Double, _ x: Double) -> Double {
        if x <= 0 { return 1 }
        let logPrefix = a * log(x) - x - lgamma(a)
        if x < a + 1 {
            var term = 1 / a
            var sum = term
            var denominator = a
            for _ in 0..<10_000 {
                denominator += 1
                term *= x / denominator
                sum += term
                if abs(term) < abs(sum) * 1e-17 { break }
            }
            return max(0, 1 - sum * exp(logPrefix))
        }
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var fraction = d
        for step in 1..<10_000 {
            let an = -Double(step) * (Double(step) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            fraction *= delta
            if abs(delta - 1) < 1e-17 { break }
        }
        return exp(logPrefix) * fraction
    }
}
