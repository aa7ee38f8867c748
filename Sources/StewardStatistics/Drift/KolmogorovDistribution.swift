import Foundation

/// The distribution of the two-sided one-sample Kolmogorov statistic D_n = sup |F_n − F| for a continuous F,
/// evaluated the way SciPy's `kstwo` does (Simard & L'Ecuyer 2011): each region of (n, x) uses the method that is
/// exact or accurate there, so the two-sample test's asymptotic p-values agree with SciPy's to 1e-11 or better.
public enum KolmogorovDistribution {
    /// P(D_n ≥ x), SciPy's `kstwo.sf(x, n)`. Outside the support (x ≤ 1/(2n), x ≥ 1) it is 1 or 0.
    public static func survival(_ x: Double, sampleSize n: Int) -> Double {
        guard n >= 1, !x.isNaN else { return .nan }
        let size = Double(n)
        if x <= 0.5 / size { return 1 }
        if x >= 1 { return 0 }
        let t = size * x
        if t <= 1 {
            // Ruben & Gambino: for 1/(2n) < x ≤ 1/n, P(D_n ≤ x) = n!/n^n (2t − 1)^n.
            if t <= 0.5 { return 1 }
            let cdf: Double
            if n <= 140 {
                var product = 1.0
                for i in 1...n { product *= Double(i) * (1.0 / size) * (2 * t - 1) }
                cdf = product
            } else {
                cdf = exp(logFactorialOverPower(n) + size * log(2 * t - 1))
            }
            return clamp(1 - cdf)
        }
        // Ruben & Gambino: for x ≥ 1 − 1/n only one of the one-sided tails can be crossed.
        if t >= size - 1 { return clamp(2 * pow(1 - x, size)) }
        // Above 1/2 the two one-sided events cannot both happen, so the tail is twice Smirnov's.
        if x >= 0.5 { return clamp(2 * smirnovSurvival(n, x)) }
        let nxSquared = t * x
        if n <= 140 {
            if nxSquared <= 0.754693 { return clamp(1 - durbinMatrixCDF(n, x)) }
            if nxSquared <= 4 { return clamp(1 - pomeranzCDF(n, x)) }
            return clamp(2 * smirnovSurvival(n, x))
        }
        if nxSquared >= 370 { return 0 }
        if nxSquared >= 2.2 { return clamp(2 * smirnovSurvival(n, x)) }
        let cdf: Double
        if n <= 100_000 && size * pow(x, 1.5) <= 1.4 {
            cdf = durbinMatrixCDF(n, x)
        } else {
            cdf = pelzGoodCDF(n, x)
        }
        return clamp(1 - cdf)
    }

    /// log(n!/n^n) by Stirling's series with n·log n taken out first, so nothing large cancels.
    static func logFactorialOverPower(_ n: Int) -> Double {
        // B_2j / (2j (2j − 1)) for j = 8 down to 1, the Stirling series coefficients in 1/n².
        let coefficients: [Double] = [
            -3617.0 / 122_400, 1.0 / 156, -691.0 / 360_360, 1.0 / 1188, -1.0 / 1680, 1.0 / 1260, -1.0 / 360, 1.0 / 12,
        ]
        let reciprocal = 1.0 / Double(n)
        let square = reciprocal / Double(n)
        var series = 0.0
        for coefficient in coefficients { series = series * square + coefficient }
        return log(Double(n)) / 2 - Double(n) + log(2 * Double.pi) / 2 + reciprocal * series
    }

    /// P(D_n ≤ d) by Durbin's matrix formula as Marsaglia, Tsang & Wang (2003) evaluate it: with d = (k − h)/n,
    /// n!/n^n times the (k, k) entry of H^n for a (2k − 1)-square matrix H, powers of two kept aside as exponents.
    static func durbinMatrixCDF(_ n: Int, _ d: Double) -> Double {
        if d >= 1 { return 1 }
        let nd = Double(n) * d
        if nd <= 0.5 { return 0 }
        let k = Int(nd.rounded(.up))
        let h = Double(k) - nd
        let size = 2 * k - 1
        var inverseFactorial = [Double](repeating: 1, count: size + 1)
        for r in stride(from: 1, through: size, by: 1) { inverseFactorial[r] = inverseFactorial[r - 1] / Double(r) }

        var matrix = SquareMatrix(size: size)
        for row in 0..<size {
            for column in 0..<size where row - column + 1 >= 0 {
                matrix[row, column] = inverseFactorial[row - column + 1]
            }
        }
        for row in 0..<size {
            matrix[row, 0] = (1 - pow(h, Double(row + 1))) * inverseFactorial[row + 1]
            matrix[size - 1, row] = (1 - pow(h, Double(size - row))) * inverseFactorial[size - row]
        }
        let corner = pow(max(2 * h - 1, 0), Double(size)) - 2 * pow(h, Double(size))
        matrix[size - 1, 0] = (1 + corner) * inverseFactorial[size]

        let (power, powerExponent) = matrix.power(n)
        var value = power[k - 1, k - 1]
        var exponent = powerExponent
        for i in 1...n {
            value = Double(i) * value / Double(n)
            if abs(value) < 0x1p-128 {
                value *= 0x1p128
                exponent -= 128
            }
        }
        return clamp(scalbn(value, exponent))
    }

    /// P(D_n ≤ d) by Pomeranz's recursion (1974). The points where the band |F_n(u) − u| ≤ d changes which counts
    /// it allows split [0, n] into 2n + 1 gaps of three lengths; the multinomial probability of the counts in the
    /// gaps is built gap by gap as a convolution with Poisson-like weights (length/n)^r / r!, then times n!.
    static func pomeranzCDF(_ n: Int, _ d: Double) -> Double {
        let t = Double(n) * d
        let whole = Int(t.rounded(.down))
        let fraction = t - Double(whole)
        let gap = min(fraction, 1 - fraction)
        // Breakpoints, in units of 1/n: 0, g, 1 − g, 1 + g, 2 − g, …, n − g, n. Point i is base + offset.
        func breakpoint(_ i: Int) -> (base: Int, offset: Double) {
            if i == 0 { return (0, 0) }
            if i == 2 * n + 1 { return (n, 0) }
            return i % 2 == 1 ? ((i - 1) / 2, gap) : (i / 2, -gap)
        }
        // Counts allowed at breakpoint a: a − t < count < a + t, within 0…n.
        func allowed(_ i: Int) -> ClosedRange<Int>? {
            let point = breakpoint(i)
            let lowest = max(point.base - whole + Int((point.offset - fraction).rounded(.down)) + 1, 0)
            let highest = min(point.base + whole + Int((point.offset + fraction).rounded(.up)) - 1, n)
            return lowest <= highest ? lowest...highest : nil
        }
        // A count moves by at most n across a gap.
        let widest = n
        func weights(_ length: Double) -> [Double] {
            var result = [Double](repeating: 1, count: widest + 1)
            for r in stride(from: 1, through: widest, by: 1) { result[r] = result[r - 1] * (length / Double(n)) / Double(r) }
            return result
        }
        let edge = weights(gap)
        let middle = weights(1 - 2 * gap)
        let across = weights(2 * gap)

        guard var window = allowed(0), window.lowerBound == 0 else { return 0 }
        var values = [Double](repeating: 0, count: window.count)
        values[0] = 1
        var exponent = 0
        for i in 1...(2 * n + 1) {
            guard let next = allowed(i) else { return 0 }
            let power = i == 1 || i == 2 * n + 1 ? edge : (i % 2 == 0 ? middle : across)
            var nextValues = [Double](repeating: 0, count: next.count)
            var largest = 0.0
            for j in next {
                var sum = 0.0
                let top = min(j, window.upperBound)
                if top >= window.lowerBound {
                    for previous in window.lowerBound...top {
                        sum += values[previous - window.lowerBound] * power[j - previous]
                    }
                }
                nextValues[j - next.lowerBound] = sum
                largest = max(largest, sum)
            }
            if largest > 0 && largest < 0x1p-128 {
                for index in nextValues.indices { nextValues[index] *= 0x1p128 }
                exponent -= 128
            }
            window = next
            values = nextValues
        }
        guard window.contains(n) else { return 0 }
        var answer = values[n - window.lowerBound]
        for i in stride(from: 1, through: n, by: 1) {
            if abs(answer) > 0x1p128 {
                answer *= 0x1p-128
                exponent += 128
            }
            answer *= Double(i)
        }
        return clamp(scalbn(answer, exponent))
    }

    /// The Pelz–Good (1976) approximation of P(D_n ≤ x): the Li-Chien/Korolyuk expansion
    /// K0(z) + K1(z)/√n + K2(z)/n + K3(z)/n^{3/2}, z = x√n, rewritten through Jacobi theta functions so it
    /// converges for small z. Coefficients are SciPy's (its K2 and K3 extra sums carry √(2π)), to match it.
    static func pelzGoodCDF(_ n: Int, _ x: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let z = Double(n).squareRoot() * x
        let z2 = z * z
        let z4 = z2 * z2
        let z6 = z4 * z2
        let piSquared = Double.pi * Double.pi
        let piFourth = piSquared * piSquared
        let piSixth = piFourth * piSquared
        let logQ = -piSquared / 8 / z2
        if logQ < -708 { return 0 }

        // Sums over odd m = 2k − 1 of c(m) q^{m²}, q = exp(−π²/(8z²)), nested from the last term.
        let terms = Int((16 * z / Double.pi).rounded(.up))
        let q = exp(logQ)
        var sums = (0.0, 0.0, 0.0, 0.0)
        for k in stride(from: terms, to: 0, by: -1) {
            let m = Double(2 * k - 1)
            let m2 = m * m
            let m4 = m2 * m2
            let m6 = m4 * m2
            let step = pow(q, Double(8 * k))
            sums.0 = sums.0 * step + 1
            sums.1 = sums.1 * step + (-z2 + piSquared / 4 * m2)
            sums.2 = sums.2 * step + (6 * z6 + 2 * z4 + (2 * z4 - 5 * z2) * piSquared / 4 * m2 + piFourth * (1 - 2 * z2) / 16 * m4)
            sums.3 =
                sums.3 * step
                + (-30 * z6 - 90 * z4 * z4 + piSquared * (135 * z4 - 96 * z6) / 4 * m2
                    + piFourth * (-60 * z2 + 212 * z4) / 16 * m4 + piSixth * (5 - 30 * z2) / 64 * m6)
        }
        let rootTwoPi = (2 * Double.pi).squareRoot()
        let k0 = sums.0 * q * rootTwoPi / z
        var k1 = sums.1 * q * rootTwoPi / (6 * z4)
        var k2 = sums.2 * q * rootTwoPi / (72 * z4 * z2 * z)
        var k3 = sums.3 * q * rootTwoPi / (6480 * z6 * z4)

        // The sums over all integers k of k² and k⁴ times exp(−π²k²/(2z²)).
        let p = exp(-piSquared / 2 / z2)
        var extra2 = 0.0
        var extra3 = 0.0
        for k in stride(from: terms, to: 0, by: -1) {
            let kk = Double(k) * Double(k)
            let weight = kk * pow(p, kk)
            extra2 += weight
            extra3 += (3 * z2 - piSquared * kk) * weight
        }
        k2 += extra2 * piSquared * rootTwoPi / (-36 * z2 * z)
        k3 += extra3 * piSquared * rootTwoPi / (216 * z6)
        let root = Double(n).squareRoot()
        k1 /= root
        k2 /= Double(n)
        k3 /= Double(n) * root
        return k0 + k1 + k2 + k3
    }

    /// P(D⁺_n ≥ x), the one-sided Smirnov tail, by the Birnbaum–Tingey sum
    /// x Σ_{v=0}^{⌊n(1−x)⌋} C(n, v) (x + v/n)^{v−1} (1 − x − v/n)^{n−v}: all terms positive, each taken through
    /// logarithms so neither the binomials nor the powers overflow. For n > 10^6 SciPy uses an approximation; so do we.
    static func smirnovSurvival(_ n: Int, _ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x <= 0 { return 1 }
        if x >= 1 { return 0 }
        if n == 1 { return 1 - x }
        let size = Double(n)
        // n·x split exactly into ⌊nx⌋ and a fraction, so x + v/n and 1 − x − v/n keep their relative precision.
        let product = size * x
        let low = (-product).addingProduct(size, x)  // the rounding error of size * x, exactly (a fused multiply-add)
        var whole = product.rounded(.down)
        if whole == product && low < 0 { whole -= 1 }
        var fraction = (product - whole) + low
        if fraction >= 1 {
            whole += 1
            fraction = 0
        }
        let floorNX = Int(whole)
        if floorNX == 0 || (floorNX == 1 && fraction == 0) {
            return 1 - x * pow(1 + x, size - 1)
        }
        if -2 * size * x * x < -708.396_418_532_264_1 { return 0 }
        if floorNX >= n - 1 { return pow(1 - x, size) }
        if n > 1_000_000 {
            let logP = -pow(6 * size * x + 1, 2) / 18 / size
            return logP < -M_LN2 ? exp(logP) : 1 - (-expm1(logP))
        }
        // C(n, v) as mantissa × 2^exponent, updated term by term.
        var binomialMantissa = 1.0
        var binomialExponent = 0
        var sum = 0.0
        for v in 0...(n - floorNX - 1) {
            if v > 0 {
                let (mantissa, exponent) = frexp(binomialMantissa * (Double(n - v + 1) / Double(v)))
                binomialMantissa = mantissa
                binomialExponent += exponent
            }
            let left = (Double(floorNX + v) + fraction) / size
            let right = (Double(n - floorNX - v) - fraction) / size
            let logTerm =
                log(binomialMantissa) + Double(binomialExponent) * M_LN2 + Double(v - 1) * log(left)
                + Double(n - v) * log(right)
            sum += exp(logTerm)
        }
        return clamp(x * sum)
    }

    static func clamp(_ p: Double) -> Double {
        p.isNaN ? p : min(max(p, 0), 1)
    }
}

extension KolmogorovDistribution {
    /// A dense square matrix in row-major order, just enough for the Durbin matrix power.
    struct SquareMatrix: Sendable {
        let size: Int
        var entries: [Double]

        init(size: Int) {
            self.size = size
            entries = [Double](repeating: 0, count: size * size)
        }

        subscript(row: Int, column: Int) -> Double {
            get { entries[row * size + column] }
            set { entries[row * size + column] = newValue }
        }

        static func * (left: SquareMatrix, right: SquareMatrix) -> SquareMatrix {
            var result = SquareMatrix(size: left.size)
            let n = left.size
            left.entries.withUnsafeBufferPointer { a in
                right.entries.withUnsafeBufferPointer { b in
                    result.entries.withUnsafeMutableBufferPointer { c in
                        for i in 0..<n {
                            for k in 0..<n {
                                let factor = a[i * n + k]
                                if factor == 0 { continue }
                                for j in 0..<n { c[i * n + j] += factor * b[k * n + j] }
                            }
                        }
                    }
                }
            }
            return result
        }

        /// self^n as (matrix, e) meaning matrix × 2^e; entries are rescaled by powers of two, which is exact, whenever
        /// they grow past 2^128, since H^n's entries reach about n^n/n! and would overflow.
        func power(_ n: Int) -> (SquareMatrix, Int) {
            var result: SquareMatrix?
            var resultExponent = 0
            var base = self
            var baseExponent = 0
            var remaining = n
            while remaining > 0 {
                if remaining % 2 == 1 {
                    if let current = result {
                        var product = current * base
                        resultExponent += baseExponent
                        resultExponent += product.rescale()
                        result = product
                    } else {
                        result = base
                        resultExponent = baseExponent
                    }
                }
                remaining /= 2
                if remaining > 0 {
                    base = base * base
                    baseExponent *= 2
                    baseExponent += base.rescale()
                }
            }
            return (result ?? SquareMatrix.identity(size), resultExponent)
        }

        /// Divides by 2^128 while the largest entry exceeds 2^128; returns the exponent taken out.
        mutating func rescale() -> Int {
            var largest = entries.reduce(0) { max($0, abs($1)) }
            var taken = 0
            while largest > 0x1p128 {
                for index in entries.indices { entries[index] *= 0x1p-128 }
                largest *= 0x1p-128
                taken += 128
            }
            return taken
        }

        static func identity(_ size: Int) -> SquareMatrix {
            var matrix = SquareMatrix(size: size)
            for i in 0..<size { matrix[i, i] = 1 }
            return matrix
        }
    }
}
