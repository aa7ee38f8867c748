import Foundation

/// A pass/fail gate: conditions on metrics, absolute (`accuracy >= 0.9`) or relative to the current champion
/// (`wape <= champion.wape * 1.02`). Written in YAML:
///
/// ```yaml
/// name: credit-scoring
/// conditions:
///   - accuracy >= 0.9
///   - latency_p95_ms <= 200
///   - wape <= champion.wape * 1.02
/// ```
public struct GateSpec: Sendable, Equatable {
    public enum Comparison: String, Sendable, CaseIterable {
        case atLeast = ">="
        case atMost = "<="
        case greater = ">"
        case less = "<"
        case equal = "=="
        case notEqual = "!="

        func holds(_ value: Double, _ threshold: Double) -> Bool {
            switch self {
            case .atLeast: value >= threshold
            case .atMost: value <= threshold
            case .greater: value > threshold
            case .less: value < threshold
            case .equal: value == threshold
            case .notEqual: value != threshold
            }
        }
    }

    /// What a metric is compared with.
    public enum Bound: Sendable, Equatable {
        case constant(Double)
        /// The champion's value of a metric, times a factor.
        case champion(metric: String, factor: Double)
    }

    public struct Condition: Sendable, Equatable, CustomStringConvertible {
        public let metric: String
        public let comparison: Comparison
        public let bound: Bound
        public let text: String

        public var description: String { text }
    }

    public let name: String
    public let conditions: [Condition]
    public let document: String

    public init(yaml document: String) throws(StewardError) {
        let root = try BoundedYAML.load(document, what: "The gate spec")
        guard let map = root as? [String: Any] else { throw .invalidParameter("The gate spec must be a YAML mapping with 'conditions'.") }
        if let unknown = map.keys.sorted().first(where: { !["name", "conditions"].contains($0) }) {
            throw .invalidParameter("Unknown gate spec key '\(unknown)'; the keys are name and conditions.")
        }
        guard let texts = map["conditions"] as? [Any], !texts.isEmpty else {
            throw .invalidParameter("conditions must be a non-empty list such as ['accuracy >= 0.9'].")
        }
        var conditions: [Condition] = []
        for (index, item) in texts.enumerated() {
            guard let text = item as? String else {
                throw .invalidParameter("conditions[\(index)] must be a string such as 'accuracy >= 0.9'.")
            }
            conditions.append(try Self.condition(text, index: index))
        }
        self.name = map["name"].map { "\($0)" } ?? "gate"
        self.conditions = conditions
        self.document = document
    }

    /// Parses `metric op number` or `metric op champion.metric [* factor]`.
    static func condition(_ text: String, index: Int) throws(StewardError) -> Condition {
        let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        func refuse() -> StewardError {
            .invalidParameter(
                "conditions[\(index)] '\(text)' is not 'metric >= 0.9' or 'metric <= champion.metric * 1.02'; "
                    + "comparisons are \(Comparison.allCases.map(\.rawValue).joined(separator: " ")).")
        }
        guard words.count == 3 || words.count == 5, isMetricName(words[0]), let comparison = Comparison(rawValue: words[1]) else { throw refuse() }
        if words.count == 3, let number = Double(words[2]), number.isFinite {
            return Condition(metric: words[0], comparison: comparison, bound: .constant(number), text: text)
        }
        guard words[2].hasPrefix("champion."), isMetricName(String(words[2].dropFirst(9))) else { throw refuse() }
        var factor = 1.0
        if words.count == 5 {
            guard words[3] == "*", let number = Double(words[4]), number.isFinite else { throw refuse() }
            factor = number
        }
        return Condition(
            metric: words[0], comparison: comparison, bound: .champion(metric: String(words[2].dropFirst(9)), factor: factor), text: text)
    }

    static func isMetricName(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 200
            && text.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "." || $0 == "-" }
    }

    /// Checks every condition against the candidate's metrics and, for relative ones, the champion's.
    public func check(_ metrics: [String: Double], champion: [String: Double]?) -> GateResult {
        GateResult(
            gate: name,
            conditions: conditions.map { condition in
                guard let value = metrics[condition.metric] else {
                    let suggestion = EditDistance.closest(to: condition.metric, among: metrics.keys).map { "; did you mean '\($0)'?" } ?? ""
                    return GateResult.ConditionResult(
                        condition: condition.text, value: nil, threshold: nil, outcome: .failed, note: "metric not reported" + suggestion)
                }
                let threshold: Double
                switch condition.bound {
                case .constant(let number):
                    threshold = number
                case .champion(let metric, let factor):
                    guard let champion else {
                        return GateResult.ConditionResult(
                            condition: condition.text, value: value, threshold: nil, outcome: .skipped, note: "no champion to compare with")
                    }
                    guard let reference = champion[metric] else {
                        return GateResult.ConditionResult(
                            condition: condition.text, value: value, threshold: nil, outcome: .failed, note: "the champion has no \(metric)")
                    }
                    threshold = reference * factor
                    // A factor such as 1e308 overflows: no number to compare with (nor to store), so it fails.
                    guard threshold.isFinite else {
                        return GateResult.ConditionResult(
                            condition: condition.text, value: value, threshold: nil, outcome: .failed,
                            note: "the champion's \(metric) times \(factor) overflows")
                    }
                }
                return GateResult.ConditionResult(
                    condition: condition.text, value: value, threshold: threshold,
                    outcome: condition.comparison.holds(value, threshold) ? .passed : .failed, note: nil)
            })
    }
}

/// The outcome of a gate: each condition with its value, threshold and pass/fail.
public struct GateResult: Sendable, Equatable, Codable {
    public enum Outcome: String, Sendable, Codable {
        case passed
        case failed
        /// A relative condition with no champion to compare with (a first release); it does not fail the gate.
        case skipped
    }

    public struct ConditionResult: Sendable, Equatable, Codable {
        public let condition: String
        public let value: Double?
        public let threshold: Double?
        public let outcome: Outcome
        public let note: String?
    }

    public let gate: String
    public let conditions: [ConditionResult]

    public var passed: Bool { conditions.allSatisfy { $0.outcome != .failed } }

    /// A fixed-width table for terminals and CI logs.
    public var table: String {
        func format(_ value: Double?) -> String {
            guard let value else { return "-" }
            return String(format: "%.6g", value)
        }
        let header = ["condition", "value", "threshold", "result"]
        let rows = conditions.map {
            [$0.condition, format($0.value), format($0.threshold), $0.outcome.rawValue.uppercased() + ($0.note.map { " (\($0))" } ?? "")]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
        return ([line(header)] + rows.map(line) + ["gate \(gate): \(passed ? "PASSED" : "FAILED")"]).joined(separator: "\n") + "\n"
    }
}
