import Foundation
import StewardStatistics

/// A deployment's arms measured and the decision their numbers call for: per-arm counts, error rate, latency
/// percentiles and, on joined labels or feedback, accuracy, MAE, WAPE and conversion; the sample-ratio check;
/// the always-valid sequential p-value on the primary metric; and what to do (hold, advance a step, graduate or
/// roll back) with the reason in words. Pure: the same observations always give the same decision.
public struct DeploymentAnalysis: Sendable, Equatable {
    /// One arm's numbers; a metric is nil when nothing defines it yet (no labels, no latencies).
    public struct ArmReport: Sendable, Equatable {
        public var arm: Deployment.Arm
        public var requests: Int
        public var failures: Int
        public var units: Int
        public var stepUnits: Int
        public var errorRate: Double?
        public var latencyP50: Double?
        public var latencyP95: Double?
        public var latencyP99: Double?
        public var labeled: Int
        public var accuracy: Double?
        public var mae: Double?
        public var wape: Double?
        public var conversion: Double?
        /// Requests with a judge score, and their mean.
        public var judged: Int
        public var judgeScore: Double?
    }

    public enum Action: String, Sendable, Equatable, Codable {
        /// Nothing changes: too few units, no significant difference yet, a sample-ratio mismatch, or a deployment
        /// that is not deciding.
        case hold
        /// The challenger's share moves to the next step.
        case advance
        /// The challenger takes every request and is promoted (through the promotion decision).
        case graduate
        /// The champion takes every request again; an incident is opened.
        case rollBack = "roll_back"
    }

    public var arms: [ArmReport]
    public var action: Action
    public var reason: String
    /// The challenger's weight after an `advance`.
    public var nextWeight: Double?
    /// The always-valid p-value of the primary metric's difference (challenger against champion).
    public var pValue: Double?
    /// The sample-ratio check's p-value at the current step, when the split has two live arms.
    public var sampleRatioPValue: Double?
    /// Whether the decision is held because that check fires.
    public var sampleRatioMismatch: Bool
    /// The arm (by position) the decision is about: the one that graduates, or whose breach or loss rolls the
    /// deployment back. The challenger (1) but in an A/B test of more than two arms.
    public var subject = 1

    /// Measures `deployment`'s arms from `observations` (by arm name) and decides. `previousPValue` is the
    /// sequential p-value last recorded for the deployment: the new one never exceeds it (the running minimum
    /// over looks is what makes it valid at any look).
    public init(deployment: Deployment, observations: [ArmObservations], previousPValue: Double? = nil) {
        let byName = Dictionary(observations.map { ($0.arm, $0) }, uniquingKeysWith: { first, _ in first })
        let observed = deployment.arms.map { byName[$0.name] ?? ArmObservations(arm: $0.name) }
        arms = zip(deployment.arms, observed).map(Self.report)
        action = .hold
        reason = ""
        sampleRatioMismatch = false
        let analysis = deployment.analysis
        if observed.count > 2 {
            // Several challengers: `decideAmong` reports the smallest corrected p-value; until it does, the last one.
            pValue = previousPValue
        } else if observed.count == 2 {
            let test = Self.sequentialTest(analysis, champion: observed[0], challenger: observed[1])
            pValue = test.map { MixtureSPRT.pValue(previous: previousPValue ?? 1, likelihoodRatio: $0.likelihoodRatio) } ?? previousPValue
        }
        switch deployment.state {
        case .active: break
        case .graduated: hold("The challenger graduated; it takes every request."); return
        case .rolledBack: hold("The deployment was rolled back; the champion takes every request."); return
        case .ended: hold("A later deployment replaced this one."); return
        }
        switch deployment.mode {
        case .single: hold("A single arm has nothing to be compared with."); return
        case .shadow:
            hold("Shadow arms are measured and never promoted automatically; promote one with `steward deploy promote`."); return
        case .canary, .ab: break
        }
        let (champion, challenger) = (observed[0], observed[1])
        let weights = deployment.arms.map(\.weight)
        if weights.allSatisfy({ $0 > 0 && $0 < 100 }), let mismatch = try? SampleRatioMismatch(counts: observed.map(\.stepUnits), weights: weights) {
            sampleRatioPValue = mismatch.pValue
            if mismatch.fires {
                sampleRatioMismatch = true
                hold(
                    "Sample-ratio mismatch: \(observed.map { "\($0.stepUnits)" }.joined(separator: " / ")) units against weights "
                        + "\(weights.map(Self.percent).joined(separator: " / ")) (p = \(Self.short(mismatch.pValue))); decisions hold until the "
                        + "assignment path is mended.");
                return
            }
        }
        if observed.count > 2 {
            decideAmong(observed, analysis: analysis)
            return
        }
        if let breach = Self.guardrailBreach(analysis, champion: champion, challenger: challenger, reports: arms) {
            action = .rollBack
            reason = breach
            return
        }
        let metric = analysis.primaryMetric
        let championMoments = Self.moments(metric, champion)
        let challengerMoments = Self.moments(metric, challenger)
        if let pValue, pValue < analysis.alpha, let championMoments, let challengerMoments {
            let challengerBetter = metric.prefers(challengerMoments.mean, over: championMoments.mean)
            if !challengerBetter {
                action = .rollBack
                reason =
                    "The challenger's \(metric.rawValue) (\(Self.short(challengerMoments.mean))) is significantly worse than the champion's "
                    + "(\(Self.short(championMoments.mean))), p = \(Self.short(pValue))."
                return
            }
            // A win counts only on the units the rules ask of a step (the policy's rollout floor reads them), however
            // early the difference shows.
            if deployment.mode == .ab, let smallest = observed.map(\.stepUnits).min(), smallest >= analysis.minimumUnits {
                action = .graduate
                reason =
                    "The challenger's \(metric.rawValue) (\(Self.short(challengerMoments.mean))) is significantly better than the champion's "
                    + "(\(Self.short(championMoments.mean))), p = \(Self.short(pValue))."
                return
            }
        }
        guard challengerMoments != nil, championMoments != nil else {
            hold(
                "Inconclusive: \(metric.rawValue) is not defined for both arms yet (\(metric == .errorRate ? "no requests" : "no labels, feedback or judge scores joined"))."
            ); return
        }
        let needed = deployment.mode == .ab ? observed.map(\.stepUnits).min() ?? 0 : challenger.stepUnits
        guard needed >= analysis.minimumUnits else {
            hold(
                "Inconclusive: \(deployment.mode == .ab ? "the smaller arm" : "the challenger") has \(needed) of the \(analysis.minimumUnits) units this step needs."
            ); return
        }
        if deployment.mode == .ab {
            hold("No significant difference in \(metric.rawValue) yet (p = \(pValue.map(Self.short) ?? "undefined"))."); return
        }
        let current = deployment.arms[1].weight
        guard let next = analysis.steps.first(where: { $0 > current }) else {
            action = .graduate
            reason = "The challenger takes every request and held its guardrails."
            return
        }
        action = next >= 100 ? .graduate : .advance
        nextWeight = next
        reason =
            "The guardrails held and \(metric.rawValue) is not significantly worse over \(challenger.stepUnits) units at \(Self.percent(current)); "
            + (next >= 100 ? "the challenger graduates." : "the challenger's share moves to \(Self.percent(next)).")
    }

    /// An A/B test of more than two arms: every arm against the champion (the first), each comparison at
    /// α / (arms − 1) (Bonferroni), so that looking at several challengers does not inflate false positives. An arm
    /// that breaches a guardrail or is significantly worse rolls the test back; of those significantly better,
    /// the best graduates; else it holds. Each arm's p-value is its current one, 1 / likelihood ratio (never
    /// smaller than the running minimum, so still valid at any look); `pValue` reports the smallest, adjusted.
    private mutating func decideAmong(_ observed: [ArmObservations], analysis: RolloutAnalysis) {
        let champion = observed[0]
        let comparisons = Double(observed.count - 1)
        for index in observed.indices.dropFirst() {
            if let breach = Self.guardrailBreach(
                analysis, champion: champion, challenger: observed[index], reports: [arms[0], arms[index]], whose: "its")
            {
                action = .rollBack
                subject = index
                reason = "Arm \(arms[index].arm.name): " + breach
                return
            }
        }
        let metric = analysis.primaryMetric
        guard let championMoments = Self.moments(metric, champion) else {
            pValue = nil
            hold("Inconclusive: \(metric.rawValue) is not defined for the champion yet."); return
        }
        var better: [(index: Int, mean: Double)] = []
        var smallest = 1.0
        for index in observed.indices.dropFirst() {
            guard let moments = Self.moments(metric, observed[index]) else {
                pValue = nil
                hold("Inconclusive: \(metric.rawValue) is not defined for arm \(arms[index].arm.name) yet."); return
            }
            let adjusted = min(
                1,
                comparisons
                    * MixtureSPRT.pValue(
                        likelihoodRatio: Self.sequentialTest(analysis, champion: champion, challenger: observed[index])?.likelihoodRatio))
            smallest = min(smallest, adjusted)
            guard adjusted < analysis.alpha else { continue }
            let isBetter = metric.prefers(moments.mean, over: championMoments.mean)
            guard isBetter else {
                action = .rollBack
                subject = index
                reason =
                    "Arm \(arms[index].arm.name)'s \(metric.rawValue) (\(Self.short(moments.mean))) is significantly worse than the champion's "
                    + "(\(Self.short(championMoments.mean))), p = \(Self.short(adjusted)) (Bonferroni over \(Int(comparisons)) arms)."
                pValue = adjusted
                return
            }
            better.append((index, moments.mean))
        }
        pValue = smallest
        let needed = observed.map(\.stepUnits).min() ?? 0
        if needed >= analysis.minimumUnits, let best = better.max(by: { metric.prefers($1.mean, over: $0.mean) }) {
            action = .graduate
            subject = best.index
            reason =
                "Arm \(arms[best.index].arm.name)'s \(metric.rawValue) (\(Self.short(best.mean))) is significantly better than the champion's "
                + "(\(Self.short(championMoments.mean))) and the best of \(better.count) that are (Bonferroni over \(Int(comparisons)) arms)."
            return
        }
        guard needed >= analysis.minimumUnits else {
            hold("Inconclusive: the smallest arm has \(needed) of the \(analysis.minimumUnits) units this step needs."); return
        }
        hold(
            "No arm differs significantly from the champion in \(metric.rawValue) yet (smallest p = \(Self.short(smallest)), Bonferroni over \(Int(comparisons)) arms)."
        )
    }

    private mutating func hold(_ why: String) {
        action = .hold
        reason = why
    }

    static func report(_ arm: Deployment.Arm, _ observed: ArmObservations) -> ArmReport {
        let latencies = observed.latencies.filter { $0.isFinite && $0 >= 0 }
        let percentiles = try? OperationalMetrics.latencyPercentiles(latencies)
        var numeric: [(prediction: Double, label: Double)] = []
        var correct = 0
        for pair in observed.labeled {
            if pair.prediction?.cell == pair.label { correct += 1 }
            if case .number(let prediction) = pair.prediction, let label = Double(pair.label), label.isFinite {
                numeric.append((prediction, label))
            }
        }
        let absoluteErrors = numeric.map { abs($0.prediction - $0.label) }
        let labelMass = CompensatedSum.of(numeric.map { abs($0.label) })
        return ArmReport(
            arm: arm, requests: observed.requests, failures: observed.failures, units: observed.units, stepUnits: observed.stepUnits,
            errorRate: observed.requests > 0 ? Double(observed.failures) / Double(observed.requests) : nil, latencyP50: percentiles?.p50,
            latencyP95: percentiles?.p95, latencyP99: percentiles?.p99, labeled: observed.labeled.count,
            accuracy: observed.labeled.isEmpty ? nil : Double(correct) / Double(observed.labeled.count),
            mae: absoluteErrors.isEmpty ? nil : CompensatedSum.of(absoluteErrors) / Double(absoluteErrors.count),
            wape: labelMass > 0 ? CompensatedSum.of(absoluteErrors) / labelMass : nil,
            conversion: observed.feedback.isEmpty ? nil : Double(observed.feedback.filter { $0 > 0 }.count) / Double(observed.feedback.count),
            judged: observed.judgeScores.count,
            judgeScore: observed.judgeScores.isEmpty ? nil : CompensatedSum.of(observed.judgeScores) / Double(observed.judgeScores.count))
    }

    /// Each unit's value of the primary metric, summarised; nil when the metric is undefined for the arm.
    static func moments(_ metric: RolloutAnalysis.Metric, _ observed: ArmObservations) -> SampleMoments? {
        let moments: SampleMoments
        switch metric {
        case .errorRate: moments = SampleMoments(successes: observed.failures, trials: observed.requests)
        case .accuracy: moments = SampleMoments(observed.labeled.map { $0.prediction?.cell == $0.label ? 1.0 : 0.0 })
        case .mae:
            moments = SampleMoments(
                observed.labeled.compactMap { pair -> Double? in
                    guard case .number(let prediction) = pair.prediction, let label = Double(pair.label), label.isFinite else { return nil }
                    return abs(prediction - label)
                })
        case .conversion: moments = SampleMoments(observed.feedback.map { $0 > 0 ? 1.0 : 0.0 })
        case .judgeScore: moments = SampleMoments(observed.judgeScores)
        }
        return moments.count > 0 ? moments : nil
    }

    /// The mixture SPRT's likelihood ratio on the primary metric. Rates use the variance of the Agresti–Coull
    /// adjusted rate ((x + 1) / (n + 2)), so that two arms without a single failure, or one failing every time,
    /// still have a spread: a challenger whose every request fails must be evidence, not a division by zero.
    static func sequentialTest(_ analysis: RolloutAnalysis, champion: ArmObservations, challenger: ArmObservations) -> (
        likelihoodRatio: Double?, difference: Double
    )? {
        guard let test = try? MixtureSPRT(mixingVariance: analysis.effectScale * analysis.effectScale),
            let control = moments(analysis.primaryMetric, champion), let treatment = moments(analysis.primaryMetric, challenger),
            control.count >= 2, treatment.count >= 2
        else { return nil }
        let difference = treatment.mean - control.mean
        func variance(_ moments: SampleMoments) -> Double {
            switch analysis.primaryMetric {
            case .mae: return moments.variance / Double(moments.count)
            case .judgeScore:
                // Scores lie in 0…1: the spread of the scores with a 0 and a 1 added, as the rates' adjustment
                // does, so that a judge that gives each version one score still has a spread.
                var bounded = moments
                bounded.add(0)
                bounded.add(1)
                return bounded.variance / Double(moments.count)
            case .errorRate, .accuracy, .conversion:
                let adjusted = (moments.mean * Double(moments.count) + 1) / Double(moments.count + 2)
                return adjusted * (1 - adjusted) / Double(moments.count)
            }
        }
        return (test.likelihoodRatio(difference: difference, variance: variance(control) + variance(treatment)), difference)
    }

    /// Why the challenger must be rolled back at once, if it must: its error rate above the champion's by more
    /// than allowed, the difference significant by the sequential test at the same α; its latency p95 above the
    /// allowed multiple of the champion's once both have the units a step needs (and by more than timer noise); or
    /// a guardrail metric significantly worse than the champion's (the sequential test at α, with the analysis's
    /// effect scale). A guardrail metric not yet defined for both arms (no labels, feedback or scores) holds no one back.
    /// `whose` names the challenger in the reason ("the challenger's", or "its" after the arm's name).
    static func guardrailBreach(
        _ analysis: RolloutAnalysis, champion: ArmObservations, challenger: ArmObservations, reports: [ArmReport], whose: String = "the challenger's"
    ) -> String? {
        var errors = analysis
        errors.primaryMetric = .errorRate
        errors.effectScale = max(analysis.maximumErrorRateIncrease, 0.01)
        if challenger.requests >= 2, champion.requests >= 2, let test = sequentialTest(errors, champion: champion, challenger: challenger),
            test.difference > analysis.maximumErrorRateIncrease, MixtureSPRT.pValue(likelihoodRatio: test.likelihoodRatio) < analysis.alpha
        {
            return "Guardrail breached: \(whose) error rate \(Self.short(reports[1].errorRate ?? 0)) exceeds the champion's "
                + "\(Self.short(reports[0].errorRate ?? 0)) by more than \(Self.short(analysis.maximumErrorRateIncrease)) "
                + "(\(challenger.failures) of \(challenger.requests) requests failed)."
        }
        // A p95 of fewer than 100 latencies is one of the slowest few requests: noise, not a guardrail.
        let latencySample = max(analysis.minimumUnits, 100)
        if challenger.latencies.count >= latencySample, champion.latencies.count >= latencySample,
            let challengerP95 = reports[1].latencyP95, let championP95 = reports[0].latencyP95, championP95 > 0,
            challengerP95 > championP95 * analysis.maximumLatencyRatio,
            challengerP95 - championP95 > RolloutAnalysis.latencyNoiseMilliseconds
        {
            return "Guardrail breached: \(whose) latency p95 \(Self.short(challengerP95)) ms is more than "
                + "\(Self.short(analysis.maximumLatencyRatio))× the champion's \(Self.short(championP95)) ms."
        }
        for metric in analysis.guardrailMetrics {
            var rules = analysis
            rules.primaryMetric = metric
            guard let control = moments(metric, champion), let treatment = moments(metric, challenger),
                !metric.prefers(treatment.mean, over: control.mean), treatment.mean != control.mean,
                let test = sequentialTest(rules, champion: champion, challenger: challenger),
                case let p = MixtureSPRT.pValue(likelihoodRatio: test.likelihoodRatio), p < analysis.alpha
            else { continue }
            return "Guardrail breached: \(whose) \(metric.rawValue) \(Self.short(treatment.mean)) is significantly worse than the champion's "
                + "\(Self.short(control.mean)) (p = \(Self.short(p)))."
        }
        return nil
    }

    static func percent(_ weight: Double) -> String { "\(Self.short(weight))%" }

    static func short(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e12 { return String(Int64(value)) }
        if abs(value) < 1e-4 { return String(format: "%.2e", value) }
        return String(format: "%.4g", value)
    }
}
