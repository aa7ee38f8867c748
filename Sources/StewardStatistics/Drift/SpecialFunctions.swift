import Foundation

/// The distribution functions drift and experiment tests need for p-values: the standard normal tail, the
/// chi-square survival function (the regularized upper incomplete gamma function) and Student's t tail (the
/// regularized incomplete beta function).
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

    /// P(|T| ≥ |t|) for T Student-t distributed with `degrees` degrees of freedom (not necessarily whole, as
    /// Welch's test gives them): I_{ν/(ν+t²)}(ν/2, 1/2).
    public static func twoSidedStudentTail(_ t: Double, degrees: Double) -> Double {
        guard t.isFinite else { return t.isNaN ? .nan : 0 }
        guard degrees > 0 else { return .nan }
        return regularizedIncompleteBeta(degrees / 2, 0.5, degrees / (degrees + t * t))
    }

    /// I_x(a, b): the continued fraction (modified Lentz) on the side of x where it converges fast, with the
    /// symmetry I_x(a, b) = 1 − I_{1−x}(b, a) on the other.
    static func regularizedIncompleteBeta(_ a: Double, _ b: Double, _ x: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        if x < (a + 1) / (a + b + 2) { return exp(logFront) * betaFraction(a, b, x) / a }
        return 1 - exp(logFront) * betaFraction(b, a, 1 - x) / b
    }

    static func betaFraction(_ a: Double, _ b: Double, _ x: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var fraction = d
        for step in 1..<10_000 {
            let m = Double(step)
            // The even step of the fraction, then the odd one.
            var term = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + term * d
            if abs(d) < tiny { d = tiny }
            c = 1 + term / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            fraction *= d * c
            term = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + term * d
            if abs(d) < tiny { d = tiny }
            c = 1 + term / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            fraction *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return fraction
    }
}
